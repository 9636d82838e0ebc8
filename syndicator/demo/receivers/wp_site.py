"""What every wp/v2 route handler of the local WordPress works with.

:class:`SiteBase` holds the site's content (set up by ``WordPressReceiver``),
writes its addresses as WordPress does for either permalink setting, decides
what the one user may do, and pages through lists. The route handlers are
mixins on it (``wp_posts``, ``wp_terms``, ``wp_media``, ``wp_pages``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from syndicator.demo.receivers.faults import Receiver, Response, json_response
from syndicator.demo.receivers.wp_params import Call, Check, WPError

_AUTHOR = {"read", "edit_posts", "edit_published_posts", "publish_posts", "upload_files"}
_AUTHOR |= {"delete_posts", "delete_published_posts"}
_EDITOR = _AUTHOR | {"edit_others_posts", "read_private_posts", "manage_categories"}
ROLE_CAPS: dict[str, set[str]] = {
    "administrator": _EDITOR | {"manage_options"},
    "editor": _EDITOR,
    "author": _AUTHOR,
    "contributor": {"read", "edit_posts", "delete_posts"},
    "subscriber": {"read"},
}
TAXONOMIES = {"categories": "category", "tags": "post_tag"}


class SiteBase(Receiver):
    """The site's state and the helpers its route handlers share."""

    # set by WordPressReceiver.__init__ (the content again by load_state)
    username: str
    app_password: str
    role: str
    permalinks: str
    site_name: str
    _user: dict[str, Any]
    _posts: dict[int, dict[str, Any]]
    _media: dict[int, dict[str, Any]]
    _terms: dict[str, dict[int, dict[str, Any]]]
    _next_post_id: int
    _next_term_id: int

    # --- addresses ---

    def rest_url(self, route: str = "/") -> str:
        """Where a REST route is, as WordPress's rest_url() writes it."""
        if self.permalinks == "plain":
            return f"{self.url}/index.php?rest_route={route}"
        return f"{self.url}/wp-json{route}"

    def _rest_query(self, route: str, query: str) -> str:
        return self.rest_url(route) + ("&" if self.permalinks == "plain" else "?") + query

    def _api_link(self) -> str:
        """The Link header by which every answer tells where the REST API is."""
        return f'<{self.rest_url()}>; rel="https://api.w.org/"'

    def _post_link(self, post: dict[str, Any]) -> str:
        pretty = self.permalinks == "pretty" and post["slug"]
        if pretty and post["status"] not in ("draft", "pending", "future"):
            return f"{self.url}/{post['slug']}/"
        return f"{self.url}/?p={post['id']}"

    def _media_url(self, item: dict[str, Any]) -> str:
        return f"{self.url}/wp-content/uploads/{item['file']}"

    def _term_link(self, term: dict[str, Any]) -> str:
        category = term["taxonomy"] == "category"
        if self.permalinks == "plain":
            return (
                f"{self.url}/?cat={term['id']}" if category else f"{self.url}/?tag={term['slug']}"
            )
        return f"{self.url}/{'category' if category else 'tag'}/{term['slug']}/"

    # --- permissions, pages of a list, lookups ---

    def _can(self, user: dict[str, Any] | None, cap: str) -> bool:
        return user is not None and cap in ROLE_CAPS[self.role]

    def _deny(self, user: dict[str, Any] | None, code: str, message: str) -> WPError:
        # rest_authorization_required_code(): 401 for nobody, 403 for a user without the right
        return WPError(code, message, 401 if user is None else 403)

    def _paged(
        self,
        call: Call,
        found: list[dict[str, Any]],
        render: Callable[[dict[str, Any]], dict[str, Any]],
        route: str,
        invalid_page: str = "rest_post_invalid_page_number",
    ) -> Response:
        check = Check(call.params)
        page, per_page = check.integer("page", 1) or 1, check.integer("per_page", 1, 100) or 10
        check.done()
        total, pages = len(found), math.ceil(len(found) / per_page)
        if page > pages and total > 0:
            message = "The page number requested is larger than the number of pages available."
            raise WPError(invalid_page, message, 400)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        kept = [
            (k, v) for k, v in parse_qsl(call.request.raw_query) if k not in ("page", "rest_route")
        ]
        query = urlencode(kept) + "&" if kept else ""
        links = []
        if page > 1:
            links.append(f'<{self._rest_query(route, f"{query}page={page - 1}")}>; rel="prev"')
        if pages > page:
            links.append(f'<{self._rest_query(route, f"{query}page={page + 1}")}>; rel="next"')
        if links:
            headers["Link"] = ", ".join([*links, self._api_link()])
        items = [call.only(render(item)) for item in found[(page - 1) * per_page : page * per_page]]
        return json_response(200, items, headers)

    def _post_or_404(self, post_id: str | int) -> dict[str, Any]:
        post = self._posts.get(int(post_id))
        if post is None:
            raise WPError("rest_post_invalid_id", "Invalid post ID.", 404)
        return post
