"""``syndicator serve``: the store in Datasette, read-only, on loopback.

Read-only in three layers: Datasette opens the file with ``mode=ro`` (SQLite
refuses every write on such a connection, and WAL readers take no write lock,
so a crawl can run meanwhile); our plugin sets ``PRAGMA query_only`` on every
connection to the store; and Datasette only runs SELECT statements from a
request. The metadata (``metadata.yml``) describes every table and column and
holds the canned queries; ``plugin.py`` adds the charts page and the security
headers (see ``security.py``); ``errors.py`` keeps the browser's mistakes
(invalid SQL, an unknown table) to one line on the terminal, not a traceback.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def is_loopback(host: str) -> bool:
    """True for loopback addresses (127.0.0.0/8, ::1) and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def metadata() -> dict[str, Any]:
    import yaml  # a Datasette dependency

    return yaml.safe_load(resources.files(__package__).joinpath("metadata.yml").read_text("utf-8"))


def build_datasette(store_path: Path) -> Any:
    """A Datasette instance showing ``store_path`` read-only as the database ``store``."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from syndicator.serve import plugin
    from syndicator.serve.errors import StoreDatabase

    if not pm.is_registered(plugin):
        pm.register(plugin, name="syndicator")
    ds = Datasette(
        metadata=metadata(),
        template_dir=str(HERE / "templates"),
        settings={"truncate_cells_html": 1000},
    )
    ds.remove_database("_memory")  # Datasette adds it when given no file; only the store is ours
    ds.add_database(StoreDatabase(ds, path=str(store_path), is_mutable=True), name=plugin.STORE)
    return ds


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound now: a busy port is an OSError here, before
    anything says it is serving."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    store_path: Path,
    host: str,
    port: int,
    log_level: str = "warning",
    on_listening: Callable[[], None] | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C). Raises OSError when the port cannot
    be listened on (in use, not allowed), before ``on_listening`` is called."""
    import asyncio

    import uvicorn

    if not is_loopback(host):
        raise ValueError(f"refusing to serve on {host}: only loopback addresses (127.0.0.1, ::1)")
    sock = listen(host, port)
    ds = build_datasette(store_path)
    asyncio.run(ds.invoke_startup())
    if on_listening is not None:
        on_listening()
    config = uvicorn.Config(ds.app(), log_level=log_level, lifespan="on")
    # uvicorn shuts down cleanly on Ctrl-C, then lets the KeyboardInterrupt through
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
