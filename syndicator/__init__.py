"""syndicator: crawl news sources and republish clean, attributed copies to partner sites."""

__version__ = "0.1.0"
