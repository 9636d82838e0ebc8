"""A local WordPress partner site: the wp/v2 REST API of WordPress 6.x on 127.0.0.1.

It answers as real WordPress does, including where that surprises a client:
a wrong application password fails every REST request (public reads too),
drafts get no slug unless one is given, unknown category, tag and
``featured_media`` ids are dropped without an error, a trashed post's slug
gets ``__trashed`` appended, rendered titles go through (a simplified)
wptexturize, and with plain permalinks only ``?rest_route=`` reaches the API.
It also serves the public pages (front page, posts, uploads), so a person
can look at what the partner received.

This module routes requests, signs the user in and answers the index and
``users/me``; the handlers of the other routes are mixins from ``wp_posts``,
``wp_terms``, ``wp_media`` and ``wp_pages``, on the ``wp_site`` base.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from syndicator.demo.receivers.faults import Request, Response, json_response
from syndicator.demo.receivers.wp_media import MediaRoutes
from syndicator.demo.receivers.wp_pages import PublicPages
from syndicator.demo.receivers.wp_params import Call, WPError, no_route, read_params
from syndicator.demo.receivers.wp_posts import PostRoutes
from syndicator.demo.receivers.wp_site import ROLE_CAPS
from syndicator.demo.receivers.wp_terms import TermRoutes
from syndicator.demo.receivers.wp_text import sanitize_title

Handler = Callable[[Call], Response]


class WordPressReceiver(PostRoutes, TermRoutes, MediaRoutes, PublicPages):
    """A WordPress 6.x site with one user (id 1), who signs in with an application password.

    ``posts``, ``media`` and ``terms`` show what the site holds the way its
    REST API shows it in the edit context (raw and rendered fields).
    """

    def __init__(
        self,
        username: str = "editor",
        app_password: str = "abcd EFGH 1234 ijkl MNOP 5678",
        role: str = "editor",
        permalinks: str = "pretty",
        port: int = 0,
        state_file: Path | None = None,
        site_name: str = "Partner Site",
    ) -> None:
        if role not in ROLE_CAPS:
            raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLE_CAPS)}")
        if permalinks not in ("pretty", "plain"):
            raise ValueError("permalinks is 'pretty' or 'plain'")
        super().__init__(port, state_file)
        self.username, self.app_password, self.role = username, app_password, role
        self.permalinks, self.site_name = permalinks, site_name
        slug = sanitize_title(username) or "user"
        self._user = {
            "id": 1,
            "username": username,
            "name": username[:1].upper() + username[1:],
            "slug": slug,
            "email": f"{slug}@partner.example",
        }
        self._posts = {}
        self._media = {}
        uncategorized = {"id": 1, "name": "Uncategorized", "slug": "uncategorized"}
        uncategorized |= {"taxonomy": "category", "description": "", "parent": 0}
        self._terms = {
            "categories": {1: uncategorized},
            "tags": {},
        }
        self._next_post_id = 1  # posts and media share one sequence, as in wp_posts
        self._next_term_id = 2
        post_item = {"GET": self._get_post, "POST": self._update_post, "PUT": self._update_post}
        post_item |= {"PATCH": self._update_post, "DELETE": self._delete_post}
        self._routes: list[tuple[str, dict[str, Handler]]] = [
            (r"/", {"GET": self._index}),
            (r"/(?P<namespace>wp/v2)", {"GET": self._index}),
            (r"/wp/v2/posts", {"GET": self._list_posts, "POST": self._create_post}),
            (r"/wp/v2/posts/(?P<id>\d+)", post_item),
            (r"/wp/v2/media", {"GET": self._list_media, "POST": self._upload}),
            (r"/wp/v2/media/(?P<id>\d+)", {"GET": self._get_media}),
            (r"/wp/v2/users/me", {"GET": self._me}),
            (r"/wp/v2/(?P<tax>tags|categories)", {"GET": self._list_terms, "POST": self._add_term}),
            (r"/wp/v2/(?P<tax>tags|categories)/(?P<id>\d+)", {"GET": self._get_term}),
        ]

    # --- what the site holds, as the REST API shows it in the edit context ---

    @property
    def posts(self) -> dict[int, dict[str, Any]]:
        """Every stored post, trashed ones included, keyed by id (a snapshot)."""
        with self._lock:
            return {i: self._post_json(p, "edit") for i, p in self._posts.items()}

    @property
    def media(self) -> dict[int, dict[str, Any]]:
        """Every uploaded attachment, keyed by id (a snapshot)."""
        with self._lock:
            return {i: self._media_json(m, "edit") for i, m in self._media.items()}

    @property
    def terms(self) -> dict[str, dict[int, dict[str, Any]]]:
        """``{"tags": {id: term}, "categories": {id: term}}`` (a snapshot)."""
        with self._lock:
            return {
                tax: {i: self._term_json(tax, t) for i, t in terms.items()}
                for tax, terms in self._terms.items()
            }

    def media_bytes(self, media_id: int) -> bytes:
        """The uploaded file's bytes, as its ``source_url`` serves them."""
        return self._media[media_id]["data"]

    # --- the request loop ---

    def route_of(self, request: Request) -> str:
        route = self._rest_route(request)
        return request.path if route is None else route

    def _rest_route(self, request: Request) -> str | None:
        if request.path in ("/", "/index.php") and "rest_route" in request.query:
            route = request.query["rest_route"]
        elif request.path == "/wp-json" or request.path.startswith("/wp-json/"):
            route = unquote(request.path[len("/wp-json") :])
        else:
            return None
        return "/" + route.strip("/")

    def respond(self, request: Request) -> Response:
        self._publish_due()
        route = self._rest_route(request)
        if route is None:
            return self._page(request)
        if self.permalinks == "plain" and "rest_route" not in request.query:
            # with no rewrite rules /wp-json/ is an unknown address: the API never sees it
            if request.method in ("GET", "HEAD"):
                return Response(301, {"Location": self.url + "/"})
            return self._html(200, self._front_page())
        try:
            response = self._rest(request, route)
        except WPError as error:
            response = error.response()
        response.headers.setdefault("Link", self._api_link())
        response.headers |= {"X-Robots-Tag": "noindex", "X-Content-Type-Options": "nosniff"}
        return response

    def _rest(self, request: Request, route: str) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        override = request.headers.get("X-HTTP-Method-Override") or request.query.get("_method")
        if method == "POST" and override:
            method = override.upper()
        user = self._authenticate(request)
        for pattern, handlers in self._routes:
            match = re.fullmatch(pattern, route)
            if match is not None and method in handlers:
                params, files = read_params(request)
                return handlers[method](Call(request, params, files, user, match.groupdict()))
        raise no_route()

    def _authenticate(self, request: Request) -> dict[str, Any] | None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            name, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except ValueError:
            return None  # PHP sets no PHP_AUTH_USER for a malformed header
        # Measured on the real WordPress 6.1 of ../shared/harness/wordpress: a wrong user
        # or application password is not an error of its own; the request simply runs
        # unauthenticated (401 rest_not_logged_in / rest_cannot_create where it matters).
        if name.lower() not in (self.username.lower(), self._user["email"]):
            return None
        # WordPress keeps only the letters and digits of an application password
        if re.sub(r"[^A-Za-z0-9]", "", password) != re.sub(r"[^A-Za-z0-9]", "", self.app_password):
            return None
        request.user = self.username
        return self._user

    # --- index and users ---

    def _index(self, call: Call) -> Response:
        routes = {
            "/wp/v2/posts": ["GET", "POST"],
            "/wp/v2/posts/(?P<id>[\\d]+)": ["GET", "POST", "PUT", "PATCH", "DELETE"],
            "/wp/v2/media": ["GET", "POST"],
            "/wp/v2/media/(?P<id>[\\d]+)": ["GET"],
            "/wp/v2/users/me": ["GET"],
            "/wp/v2/categories": ["GET", "POST"],
            "/wp/v2/tags": ["GET", "POST"],
        }
        described = {
            route: {"namespace": "wp/v2", "methods": methods, "endpoints": [{"methods": methods}]}
            for route, methods in routes.items()
        }
        if "namespace" in call.args:
            return json_response(200, {"namespace": "wp/v2", "routes": described})
        authorize = f"{self.url}/wp-admin/authorize-application.php"
        return json_response(
            200,
            {
                "name": self.site_name,
                "description": "Just another WordPress site",
                "url": self.url,
                "home": self.url,
                "gmt_offset": "0",
                "timezone_string": "",
                "namespaces": ["wp/v2"],
                "authentication": {
                    "application-passwords": {"endpoints": {"authorization": authorize}}
                },
                "routes": described,
            },
        )

    def _me(self, call: Call) -> Response:
        context = call.context()
        user = call.user
        if user is None:
            raise WPError("rest_not_logged_in", "You are not currently logged in.", 401)
        avatar = (
            "https://secure.gravatar.com/avatar/" + hashlib.md5(user["email"].encode()).hexdigest()
        )
        plain = self.permalinks == "plain"
        data: dict[str, Any] = {
            "id": 1,
            "name": user["name"],
            "url": "",
            "description": "",
            "link": f"{self.url}/?author=1" if plain else f"{self.url}/author/{user['slug']}/",
            "slug": user["slug"],
            "avatar_urls": {s: f"{avatar}?s={s}&d=mm&r=g" for s in ("24", "48", "96")},
            "meta": [],
        }
        if context == "edit":
            data |= {"username": user["username"], "first_name": "", "last_name": ""}
            data |= {"email": user["email"], "locale": "en_US", "nickname": user["username"]}
            data |= {"registered_date": "2024-01-01T00:00:00+00:00", "roles": [self.role]}
            data["capabilities"] = dict.fromkeys(sorted(ROLE_CAPS[self.role]), True)
            data["extra_capabilities"] = {self.role: True}
        data["_links"] = {"self": [{"href": self.rest_url("/wp/v2/users/1")}]}
        return json_response(200, call.only(data))

    # --- state ---

    def dump_state(self) -> dict[str, Any]:
        media = [{**m, "data": base64.b64encode(m["data"]).decode()} for m in self._media.values()]
        return {
            "next_post_id": self._next_post_id,
            "next_term_id": self._next_term_id,
            "posts": list(self._posts.values()),
            "media": media,
            "terms": {tax: list(terms.values()) for tax, terms in self._terms.items()},
        }

    def load_state(self, state: dict[str, Any]) -> None:
        self._next_post_id, self._next_term_id = state["next_post_id"], state["next_term_id"]
        self._posts = {p["id"]: p for p in state["posts"]}
        self._media = {m["id"]: {**m, "data": base64.b64decode(m["data"])} for m in state["media"]}
        self._terms = {tax: {t["id"]: t for t in terms} for tax, terms in state["terms"].items()}
