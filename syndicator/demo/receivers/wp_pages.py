"""The local WordPress's public pages: front page, posts and uploaded files, as a theme shows them.

They let a person look at what the partner received; nothing in them is
needed by a REST client.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from string import Template
from typing import Any
from urllib.parse import unquote

from syndicator.demo.receivers.faults import Request, Response
from syndicator.demo.receivers.wp_params import as_int
from syndicator.demo.receivers.wp_site import SiteBase
from syndicator.demo.receivers.wp_text import texturize

_PAGE = Template("""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>$title</title>
<link rel="https://api.w.org/" href="$api">
$head</head>
<body>
<header class="site-header"><p class="site-title"><a href="$home/">$site</a></p></header>
<main id="main" class="site-main">
$body</main>
<footer class="site-footer"><p>Proudly powered by WordPress</p></footer>
</body>
</html>
""")
_ARTICLE = Template("""<article id="post-$id" class="post-$id post type-post status-publish">
<h1 class="entry-title">$title</h1>
<div class="entry-meta"><time datetime="$date+00:00">$human_date</time></div>
$image<div class="entry-content">
$content</div>
</article>
<div id="comments" class="comments-area">
<h2 class="comments-title">Comments</h2>
<p class="no-comments">Be the first to comment.</p>
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="$home/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-form-comment"><label for="comment">Comment</label>
<textarea id="comment" name="comment" rows="8" required></textarea></p>
<p class="form-submit"><input name="submit" type="submit" value="Post Comment">
<input type="hidden" name="comment_post_ID" value="$id"></p>
</form>
</div>
</div>
""")


class PublicPages(SiteBase):
    """The pages a visitor's browser gets, mixed into WordPressReceiver.

    A post's page shows it as ``_post_json`` (from ``wp_posts``) renders it.
    """

    def _html(self, status: int, body: str, headers: dict[str, str] | None = None) -> Response:
        merged = {"Content-Type": "text/html; charset=UTF-8"}
        merged |= {"Link": self._api_link(), **(headers or {})}
        return Response(status, merged, body.encode())

    def _not_found(self) -> Response:
        return self._html(404, self._layout("Page not found", "<h1>Page not found</h1>\n"))

    def _page(self, request: Request) -> Response:
        path = unquote(request.path)
        if path.startswith("/wp-content/uploads/"):
            file = path.removeprefix("/wp-content/uploads/")
            item = next((m for m in self._media.values() if m["file"] == file), None)
            return (
                Response(200, {"Content-Type": item["mime_type"]}, item["data"])
                if item
                else self._not_found()
            )
        if path in ("/", "/index.php"):
            if "p" in request.query:
                return self._post_page(self._posts.get(as_int(request.query["p"]) or 0), by_id=True)
            if "attachment_id" in request.query:
                return self._to_file(self._media.get(as_int(request.query["attachment_id"]) or 0))
            return self._html(200, self._front_page())
        slug = path.strip("/")
        if self.permalinks == "plain" or not slug or "/" in slug:
            return self._not_found()
        if not path.endswith("/"):
            return Response(301, {"Location": f"{self.url}{path}/"})  # redirect_canonical()
        post = next((p for p in self._posts.values() if p["slug"] == slug), None)
        item = next((m for m in self._media.values() if m["slug"] == slug), None)
        return self._to_file(item) if post is None and item else self._post_page(post, by_id=False)

    def _to_file(self, item: dict[str, Any] | None) -> Response:
        # with attachment pages off, WordPress sends an attachment's page to its file
        return Response(301, {"Location": self._media_url(item)}) if item else self._not_found()

    def _post_page(self, post: dict[str, Any] | None, by_id: bool) -> Response:
        if post is None or post["status"] != "publish":
            return self._not_found()
        if by_id and self.permalinks == "pretty":
            return Response(301, {"Location": self._post_link(post)})  # redirect_canonical()
        data = self._post_json(post)
        image = ""
        if post["featured_media"] in self._media:
            item = self._media[post["featured_media"]]
            alt = html.escape(item["alt_text"])
            image = f'<img class="wp-post-image" src="{self._media_url(item)}" alt="{alt}">\n'
        moment = datetime.fromisoformat(data["date_gmt"])
        body = _ARTICLE.substitute(
            id=post["id"],
            title=data["title"]["rendered"],
            date=data["date_gmt"],
            human_date=f"{moment:%B} {moment.day}, {moment.year}",
            image=image,
            content=data["content"]["rendered"],
            home=self.url,
        )
        alternate = self.rest_url(f"/wp/v2/posts/{post['id']}")
        head = f'<link rel="canonical" href="{self._post_link(post)}">\n'
        head += f'<link rel="alternate" title="JSON" type="application/json" href="{alternate}">\n'
        json_link = f'<{alternate}>; rel="alternate"; title="JSON"; type="application/json"'
        links = {"Link": f"{self._api_link()}, {json_link}"}
        title = re.sub(r"<[^>]*>", "", data["title"]["rendered"])
        return self._html(200, self._layout(title, body, head), links)

    def _front_page(self) -> str:
        published = [p for p in self._posts.values() if p["status"] == "publish"]
        published.sort(key=lambda p: (p["date_gmt"], p["id"]), reverse=True)
        items = "".join(
            f'<li><a href="{self._post_link(p)}">{texturize(p["title"])}</a></li>\n'
            for p in published[:10]
        )
        return self._layout(
            "", f'<h1>Latest posts</h1>\n<ul class="wp-block-latest-posts">\n{items}</ul>\n'
        )

    def _layout(self, title: str, body: str, head: str = "") -> str:
        site = html.escape(self.site_name)
        return _PAGE.substitute(
            title=f"{title} &#8211; {site}" if title else site,
            api=self.rest_url(),
            head=head,
            home=self.url,
            site=site,
            body=body,
        )
