"""Exceptions shared by modules that should not import each other's dependencies
(the command line catches :class:`ConfigError` without loading pydantic for ``--help``)."""


class ConfigError(Exception):
    """The configuration cannot be used; ``str()`` is the one-line reason."""
