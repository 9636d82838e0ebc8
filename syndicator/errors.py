"""Exceptions shared by modules that should not import each other's dependencies
(the command line catches :class:`ConfigError` without loading pydantic for ``--help``)."""


class ConfigError(Exception):
    """The configuration cannot be used; ``str()`` is the one-line reason."""


class UnknownName(ConfigError):
    """A ``--source`` or ``--partner`` the configuration does not name: the
    command cannot do its job (exit 1), but the configuration is fine."""
