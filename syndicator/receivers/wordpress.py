"""A local WordPress partner site: the wp/v2 REST API of WordPress 6.x on 127.0.0.1.

It answers as real WordPress does, including where that surprises a client:
a wrong application password fails every REST request (public reads too),
drafts get no slug unless one is given, unknown category, tag and
``featured_media`` ids are dropped without an error, a trashed post's slug
gets ``__trashed`` appended, rendered titles go through (a simplified)
wptexturize, and with plain permalinks only ``?rest_route=`` reaches the API.
It also serves the public pages (front page, posts, uploads), so a person
can look at what the partner received.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from syndicator.receivers.faults import Receiver, Request, Response, json_response

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
POST_STATUSES = ("publish", "future", "draft", "pending", "private")
QUERY_STATUSES = (
    *POST_STATUSES,
    *("trash", "auto-draft", "inherit", "request-pending", "request-confirmed"),
    *("request-failed", "request-completed", "any"),
)
CONTEXTS = ("view", "embed", "edit")
FORMATS = ("standard", "aside", "chat", "gallery", "link", "image", "quote", "status", "video")
FORMATS += ("audio",)
POST_ORDERBY = ("author", "date", "id", "include", "modified", "parent", "relevance", "slug")
POST_ORDERBY += ("include_slugs", "title")
# WordPress keeps these for feeds and embeds, so no post gets them as a slug
RESERVED_SLUGS = {"feed", "rdf", "rss", "rss2", "atom", "embed"}
UPLOAD_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg"}
UPLOAD_TYPES |= {"png": "image/png", "gif": "image/gif", "webp": "image/webp"}
UPLOAD_TYPES |= {"avif": "image/avif", "pdf": "application/pdf", "mp4": "video/mp4"}
UPLOAD_TYPES |= {"mp3": "audio/mpeg"}
TAXONOMIES = {"categories": "category", "tags": "post_tag"}
_IMAGE_META = dict.fromkeys(("credit", "camera", "caption", "copyright", "title"), "")
_IMAGE_META |= dict.fromkeys(("aperture", "created_timestamp", "focal_length", "iso"), "0")
_IMAGE_META |= {"shutter_speed": "0", "orientation": "0"}


class WPError(Exception):
    """A WP_Error on its way to becoming a REST error response."""

    def __init__(
        self, code: str, message: str, status: int, extra: dict[str, Any] | None = None, **data: Any
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.data, self.extra = data, extra or {}

    def response(self) -> Response:
        data = {"status": self.status, **self.data}
        return json_response(
            self.status, {"code": self.code, "message": self.message, "data": data, **self.extra}
        )


def _no_route() -> WPError:
    return WPError("rest_no_route", "No route was found matching the URL and request method.", 404)


# --- WordPress's text filters, simplified but with the same visible effects ---

_SLUG_CHARS = {"\u2013": "-", "\u2014": "-", "\u00a0": "-", "\u00d7": "x", "ß": "ss", "æ": "ae"}
_SLUG_CHARS |= {"Æ": "AE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "œ": "oe"}
_SLUG_CHARS |= {"Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
_SLUG_CHARS |= dict.fromkeys("‘’‚‛“”„‟…¡¿«»‹›™©®", "")


def sanitize_title(text: str) -> str:
    """sanitize_title(): the slug WordPress makes of a title or a requested slug."""
    text = "".join(_SLUG_CHARS.get(c, c) for c in re.sub(r"<[^>]*>", "", text))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"&[a-z0-9#]+;", "", text).replace(".", "-").replace("/", "-")
    # letters with no ASCII form stay, percent-encoded, as WordPress keeps them
    text = "".join(c if c.isascii() else quote(c).lower() for c in text)
    text = re.sub(r"\s+", "-", re.sub(r"[^%a-z0-9 _-]", "", text))
    return re.sub(r"-+", "-", text).strip("-")[:200]


_TEXTURE = [("---", "&#8212;"), (" -- ", " &#8212; "), ("--", "&#8211;"), (" - ", " &#8211; ")]
_TEXTURE += [("...", "&#8230;"), ("``", "&#8220;"), ("''", "&#8221;"), (" (tm)", " &#8482;")]
_UNTEXTURED = {"pre", "code", "kbd", "style", "script", "tt"}


def _texturize_text(text: str) -> str:
    for plain, fancy in _TEXTURE:
        text = text.replace(plain, fancy)
    text = re.sub(r"(?<=\w)'", "&#8217;", text)
    text = re.sub(r"'(?=\w)", "&#8216;", text).replace("'", "&#8217;")
    text = re.sub(r'(?:(?<=^)|(?<=[\s(\[{>]))"', "&#8220;", text).replace('"', "&#8221;")
    return re.sub(r"&(?!#?\w+;)", "&#038;", text)


def texturize(markup: str) -> str:
    """wptexturize() + convert_chars(): curly quotes, dashes, ellipses, escaped ampersands."""
    out, depth = [], 0
    for part in re.split(r"(<[^>]*>)", markup):
        tag = re.match(r"</?\s*([a-zA-Z0-9]+)", part) if part.startswith("<") else None
        if tag is not None and tag.group(1).lower() in _UNTEXTURED:
            depth += -1 if part.startswith("</") else 1
        out.append(part if part.startswith("<") or depth > 0 else _texturize_text(part))
    return "".join(out)


_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|details|div|dl|figure|figcaption|footer|form|"
    r"h[1-6]|header|hr|li|ol|p|pre|section|table|ul|iframe|video|audio|style|script)[\s/>]",
    re.I,
)


def autop(text: str) -> str:
    """wpautop(): text separated by blank lines becomes paragraphs."""
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())]
    paragraphs = [
        c if _BLOCK_TAG.match(c) else "<p>" + c.replace("\n", "<br />\n") + "</p>"
        for c in chunks
        if c
    ]
    return "\n".join(paragraphs) + "\n" if paragraphs else ""


def render_content(raw: str) -> str:
    """the_content: block markup loses its comments (and skips wpautop), classic gets wpautop."""
    if "<!-- wp:" in raw:
        return texturize(re.sub(r"<!--\s*/?wp:[^>]*-->", "", raw))
    return autop(texturize(raw))


def render_excerpt(raw_excerpt: str, raw_content: str) -> str:
    if raw_excerpt:
        return autop(texturize(raw_excerpt))
    words = re.sub(r"<[^>]*>", " ", render_content(raw_content)).split()
    more = " [&hellip;]" if len(words) > 55 else ""
    return autop(" ".join(words[:55]) + more)


def _sanitize_file_name(name: str) -> str:
    name = re.sub(r"[?\[\]/\\=<>:;,'\"&$#*()|~`!{}%+’«»”“\x00]", "", name.replace("%20", "-"))
    return re.sub(r"[\r\n\t -]+", "-", name).strip(".-_") or "unnamed-file"


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/avif" if data[4:12] == b"ftypavif" else None


def _image_size(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:4] == b"GIF8" and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    at = 2
    while data.startswith(b"\xff\xd8") and at + 9 < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a JPEG frame header
            height, width = data[at + 5 : at + 7], data[at + 7 : at + 9]
            return int.from_bytes(width, "big"), int.from_bytes(height, "big")
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return 0, 0


def _filename_from_disposition(header: str) -> str | None:
    """WP_REST_Attachments_Controller::get_filename_from_disposition()."""
    if ";" not in header:
        return None
    attributes = dict(
        (key.strip(), value.strip())
        for key, _, value in (p.partition("=") for p in header.split(";")[1:] if "=" in p)
    )
    name = attributes.get("filename", "")
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1]
    return name or None


def _php_params(query: str) -> dict[str, Any]:
    """PHP's reading of a query string: ``a[]=1&a[]=2`` is a list, ``a[raw]=x`` a dict."""
    params: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        match = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", key)
        if match is None:
            params[key] = value
            continue
        name, sub = match.groups()
        if not isinstance(params.get(name), list if sub == "" else dict):
            params[name] = [] if sub == "" else {}
        if sub == "":
            params[name].append(value)
        else:
            params[name][sub] = value
    return params


def _multipart(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    head = f"Content-Type: {request.headers.get('Content-Type')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", "", header="content-disposition"))
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = (part.get_filename(), payload)
        elif name:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, files


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


_DATE = re.compile(r"(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d(?::?\d\d)?)?")


def _parse_date(value: Any) -> datetime | None:
    """rest_parse_date(); the site's timezone is UTC, so an offset is all there is to apply."""
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        moment = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    except ValueError:
        return None
    zone = match.group(3)
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        moment += -offset if zone[0] == "+" else offset
    return moment


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.0*)?\s*", value):
        return int(float(value))
    return None


class _Check:
    """Checks request parameters; reports them as WP_REST_Request::has_valid_params() does."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.problems: dict[str, tuple[str, str, Any]] = {}

    def bad(self, name: str, code: str, message: str, data: Any = None) -> None:
        self.problems.setdefault(name, (code, message, data))

    def done(self) -> None:
        if not self.problems:
            return
        raise WPError(
            "rest_invalid_param",
            "Invalid parameter(s): " + ", ".join(self.problems),
            400,
            params={name: p[1] for name, p in self.problems.items()},
            details={
                name: {"code": p[0], "message": p[1], "data": p[2]}
                for name, p in self.problems.items()
            },
        )

    def string(self, name: str) -> str | None:
        value = self.params.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.bad(name, "rest_invalid_type", f"{name} is not of type string.")
        return None

    def enum(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.string(name)
        if value is not None and value not in allowed:
            self.bad(name, "rest_not_in_enum", f"{name} is not one of {', '.join(allowed)}.")
            return None
        return value

    def integer(self, name: str, low: int | None = None, high: int | None = None) -> int | None:
        if self.params.get(name) is None:
            return None
        number = _as_int(self.params[name])
        if number is None:
            self.bad(name, "rest_invalid_type", f"{name} is not of type integer.")
        elif high is not None and low is not None and not low <= number <= high:
            message = f"{name} must be between {low} (inclusive) and {high} (inclusive)"
            self.bad(name, "rest_out_of_bounds", message)
        elif low is not None and number < low:
            self.bad(name, "rest_out_of_bounds", f"{name} must be greater than or equal to {low}")
        else:
            return number
        return None

    def boolean(self, name: str) -> bool | None:
        value = self.params.get(name)
        if value is None or isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "0", "false", ""):
            return str(value).lower() in ("1", "true")
        self.bad(name, "rest_invalid_type", f"{name} is not of type boolean.")
        return None

    def date(self, name: str) -> datetime | None:
        value = self.params.get(name)
        moment = None if value is None else _parse_date(value)
        if value is not None and moment is None:
            self.bad(name, "rest_invalid_date", "Invalid date.")
        return moment

    def items(self, name: str) -> list[Any] | None:
        value = self.params.get(name)
        if isinstance(value, str):
            return [part for part in re.split(r"[\s,]+", value) if part]
        if isinstance(value, int) and not isinstance(value, bool):
            return [value]
        if value is not None and not isinstance(value, list):
            self.bad(name, "rest_invalid_type", f"{name} is not of type array.")
            return None
        return value

    def int_list(self, name: str) -> list[int] | None:
        values = self.items(name)
        numbers = [_as_int(v) for v in values or []]
        if None in numbers:
            message = f"{name}[{numbers.index(None)}] is not of type integer."
            self.bad(name, "rest_invalid_type", message)
            return None
        return None if values is None else [n for n in numbers if n is not None]

    def str_list(self, name: str) -> list[str] | None:
        values = self.items(name)
        return None if values is None else [str(v) for v in values]


@dataclass
class _Call:
    """One REST request on its way through a route handler."""

    request: Request
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    user: dict[str, Any] | None
    args: dict[str, str]

    def only(self, data: dict[str, Any]) -> dict[str, Any]:
        """What ``_fields`` asks for (top-level names)."""
        wanted = self.params.get("_fields")
        if not wanted:
            return data
        names = wanted if isinstance(wanted, list) else str(wanted).split(",")
        tops = {name.strip().split(".")[0] for name in names}
        return {key: value for key, value in data.items() if key in tops}


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

Handler = Callable[[_Call], Response]


class WordPressReceiver(Receiver):
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
        self._user: dict[str, Any] = {
            "id": 1,
            "username": username,
            "name": username[:1].upper() + username[1:],
            "slug": slug,
            "email": f"{slug}@partner.example",
        }
        self._posts: dict[int, dict[str, Any]] = {}
        self._media: dict[int, dict[str, Any]] = {}
        uncategorized = {"id": 1, "name": "Uncategorized", "slug": "uncategorized"}
        uncategorized |= {"taxonomy": "category", "description": "", "parent": 0}
        self._terms: dict[str, dict[int, dict[str, Any]]] = {
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

    # --- addresses ---

    def rest_url(self, route: str = "/") -> str:
        """Where a REST route is, as WordPress's rest_url() writes it."""
        if self.permalinks == "plain":
            return f"{self.url}/index.php?rest_route={route}"
        return f"{self.url}/wp-json{route}"

    def _rest_query(self, route: str, query: str) -> str:
        return self.rest_url(route) + ("&" if self.permalinks == "plain" else "?") + query

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
        response.headers.setdefault("Link", f'<{self.rest_url()}>; rel="https://api.w.org/"')
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
                params, files = self._params(request)
                return handlers[method](_Call(request, params, files, user, match.groupdict()))
        raise _no_route()

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

    def _params(self, request: Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        params = _php_params(request.raw_query)
        params.pop("rest_route", None)
        files: dict[str, tuple[str, bytes]] = {}
        ctype = request.headers.get_content_type()
        if (ctype == "application/json" or ctype.endswith("+json")) and request.body.strip():
            try:
                body = json.loads(request.body)
            except ValueError:
                raise WPError(
                    "rest_invalid_json",
                    "Invalid JSON body passed.",
                    400,
                    json_error_code=4,
                    json_error_message="Syntax error",
                ) from None
            params |= body if isinstance(body, dict) else {}
        elif ctype == "application/x-www-form-urlencoded":
            params |= _php_params(request.body.decode("utf-8", "replace"))
        elif ctype == "multipart/form-data":
            fields, files = _multipart(request)
            params |= fields
        return params, files

    def _can(self, user: dict[str, Any] | None, cap: str) -> bool:
        return user is not None and cap in ROLE_CAPS[self.role]

    def _deny(self, user: dict[str, Any] | None, code: str, message: str) -> WPError:
        # rest_authorization_required_code(): 401 for nobody, 403 for a user without the right
        return WPError(code, message, 401 if user is None else 403)

    def _paged(
        self,
        call: _Call,
        found: list[dict[str, Any]],
        render: Callable[[dict[str, Any]], dict[str, Any]],
        route: str,
        invalid_page: str = "rest_post_invalid_page_number",
    ) -> Response:
        check = _Check(call.params)
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
            headers["Link"] = ", ".join([*links, f'<{self.rest_url()}>; rel="https://api.w.org/"'])
        items = [call.only(render(item)) for item in found[(page - 1) * per_page : page * per_page]]
        return json_response(200, items, headers)

    # --- index and users ---

    def _index(self, call: _Call) -> Response:
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

    def _me(self, call: _Call) -> Response:
        check = _Check(call.params)
        context = check.enum("context", CONTEXTS) or "view"
        check.done()
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

    # --- posts ---

    def _post_or_404(self, post_id: str | int) -> dict[str, Any]:
        post = self._posts.get(int(post_id))
        if post is None:
            raise WPError("rest_post_invalid_id", "Invalid post ID.", 404)
        return post

    def _can_read(self, user: Any, post: dict[str, Any]) -> bool:
        if post["status"] == "private":
            return self._can(user, "read_private_posts")
        return post["status"] == "publish" or self._can(user, "edit_posts")

    def _can_edit(self, user: Any, post: dict[str, Any]) -> bool:
        published = post["status"] in ("publish", "future", "private")
        return self._can(user, "edit_published_posts" if published else "edit_posts")

    def _can_delete(self, user: Any, post: dict[str, Any]) -> bool:
        published = post["status"] in ("publish", "future", "private")
        return self._can(user, "delete_published_posts" if published else "delete_posts")

    def _post_json(self, post: dict[str, Any], context: str = "view") -> dict[str, Any]:
        """The REST representation of a stored post, in the ``view`` or ``edit`` context."""
        date = post["date_gmt"] or post["modified_gmt"]
        title = texturize(post["title"])
        if post["status"] == "private":
            title = f"Private: {title}"
        excerpt = render_excerpt(post["excerpt"], post["content"])
        data: dict[str, Any] = {
            "id": post["id"],
            "date": date,
            "date_gmt": date,
            "guid": {"rendered": f"{self.url}/?p={post['id']}"},
            "modified": post["modified_gmt"],
            "modified_gmt": post["modified_gmt"],
            "slug": post["slug"],
            "status": post["status"],
            "type": "post",
            "link": self._post_link(post),
            "title": {"rendered": title},
            "content": {"rendered": render_content(post["content"]), "protected": False},
            "excerpt": {"rendered": excerpt, "protected": False},
        }
        for key in ("author", "featured_media", "comment_status", "ping_status", "sticky"):
            data[key] = post[key]
        data |= {"template": "", "format": post["format"], "meta": dict(post["meta"])}
        for tax in TAXONOMIES:
            # wp_get_object_terms() lists a post's terms by name
            terms = [self._terms[tax][i] for i in post[tax] if i in self._terms[tax]]
            data[tax] = [t["id"] for t in sorted(terms, key=lambda t: t["name"].lower())]
        if context == "edit":
            data["guid"]["raw"] = data["guid"]["rendered"]
            data["title"]["raw"] = post["title"]
            data["content"] |= {
                "raw": post["content"],
                "block_version": int("<!-- wp:" in post["content"]),
            }
            data["excerpt"]["raw"] = post["excerpt"]
            data["password"] = post["password"]
            plain = self.permalinks == "plain"
            data["permalink_template"] = data["guid"]["raw"] if plain else f"{self.url}/%postname%/"
            data["generated_slug"] = sanitize_title(post["title"]) or str(post["id"])
        links: dict[str, Any] = {
            "self": [{"href": self.rest_url(f"/wp/v2/posts/{post['id']}")}],
            "collection": [{"href": self.rest_url("/wp/v2/posts")}],
            "author": [{"embeddable": True, "href": self.rest_url("/wp/v2/users/1")}],
        }
        if post["featured_media"]:
            media = self.rest_url(f"/wp/v2/media/{post['featured_media']}")
            links["wp:featuredmedia"] = [{"embeddable": True, "href": media}]
        data["_links"] = links
        return data

    def _list_posts(self, call: _Call) -> Response:
        check = _Check(call.params)
        context = check.enum("context", CONTEXTS) or "view"
        search = check.string("search")
        slugs = check.str_list("slug")
        include, exclude = check.int_list("include"), check.int_list("exclude")
        categories, tags = check.int_list("categories"), check.int_list("tags")
        order = check.enum("order", ("asc", "desc")) or "desc"
        orderby = check.enum("orderby", POST_ORDERBY) or "date"
        statuses = check.str_list("status") or ["publish"]
        for index, status in enumerate(statuses):
            if status not in QUERY_STATUSES:
                message = f"status[{index}] is not one of {', '.join(QUERY_STATUSES)}."
                check.bad("status", "rest_not_in_enum", message)
        if any(s != "publish" for s in statuses) and not self._can(call.user, "edit_posts"):
            # sanitize_post_statuses() refuses, and WordPress reports it as an invalid parameter
            status = {"status": 401 if call.user is None else 403}
            check.bad("status", "rest_forbidden_status", "Status is forbidden.", status)
        check.done()
        if context == "edit" and not self._can(call.user, "edit_posts"):
            message = "Sorry, you are not allowed to edit posts in this post type."
            raise self._deny(call.user, "rest_forbidden_context", message)
        wanted = set(POST_STATUSES) if "any" in statuses else set(statuses)
        readable = self._can_edit if context == "edit" else self._can_read
        found = [
            p for p in self._posts.values() if p["status"] in wanted and readable(call.user, p)
        ]
        words = (search or "").lower().split()
        found = [
            p
            for p in found
            if (not slugs or p["slug"] in slugs)
            and (not include or p["id"] in include)
            and (not exclude or p["id"] not in exclude)
            and (not categories or set(p["categories"]) & set(categories))
            and (not tags or set(p["tags"]) & set(tags))
            and all(w in f"{p['title']} {p['excerpt']} {p['content']}".lower() for w in words)
        ]
        keys: dict[str, Callable[[dict[str, Any]], Any]] = {
            "id": lambda p: p["id"],
            "title": lambda p: p["title"].lower(),
            "slug": lambda p: p["slug"],
            "modified": lambda p: (p["modified_gmt"], p["id"]),
        }
        found.sort(
            key=keys.get(orderby, lambda p: (p["date_gmt"] or p["modified_gmt"], p["id"])),
            reverse=order == "desc",
        )
        return self._paged(call, found, lambda p: self._post_json(p, context), "/wp/v2/posts")

    def _get_post(self, call: _Call) -> Response:
        check = _Check(call.params)
        context = check.enum("context", CONTEXTS) or "view"
        check.done()
        post = self._post_or_404(call.args["id"])
        if context == "edit" and not self._can_edit(call.user, post):
            message = "Sorry, you are not allowed to edit this post."
            raise self._deny(call.user, "rest_forbidden_context", message)
        if not self._can_read(call.user, post):
            raise self._deny(call.user, "rest_forbidden", "Sorry, you are not allowed to do that.")
        alternate = {"Link": f'<{self._post_link(post)}>; rel="alternate"; type=text/html'}
        return json_response(200, call.only(self._post_json(post, context)), alternate)

    def _post_fields(self, params: dict[str, Any], current_status: str | None) -> dict[str, Any]:
        """The fields a create or update request sets, checked against the post schema."""
        check = _Check(params)
        fields: dict[str, Any] = {}
        for key in ("title", "content", "excerpt"):
            value = params.get(key)
            if isinstance(value, dict):
                value = value.get("raw")
                value = None if value is None or (key == "title" and not value) else str(value)
            if isinstance(value, str):
                fields[key] = value
        # check_status(): an update may repeat the post's current status, whatever it is
        if "status" in params and params["status"] != current_status:
            fields["status"] = check.enum("status", POST_STATUSES)
        for key in ("date", "date_gmt"):
            if key in params:
                fields[key] = check.date(key)
        for key in ("slug", "password"):
            if key in params:
                fields[key] = check.string(key)
        for key in ("author", "featured_media"):
            if key in params:
                fields[key] = check.integer(key)
        for key, allowed in (
            ("comment_status", ("open", "closed")),
            ("ping_status", ("open", "closed")),
            ("format", FORMATS),
        ):
            if params.get(key):
                fields[key] = check.enum(key, allowed)
        if "sticky" in params:
            fields["sticky"] = check.boolean("sticky")
        for tax in TAXONOMIES:
            if tax in params:
                fields[tax] = check.int_list(tax)
        meta = params.get("meta")
        if meta is not None and not isinstance(meta, dict):
            check.bad("meta", "rest_invalid_type", "meta is not of type object.")
        elif meta and isinstance(meta.get("footnotes"), str):
            # footnotes is the only post meta WordPress registers; other keys are ignored
            fields["meta"] = {"footnotes": meta["footnotes"]}
        check.done()
        return fields

    def _check_write(self, user: Any, fields: dict[str, Any], verb: str) -> None:
        author = fields.get("author")
        if author and author != (user or {}).get("id") and not self._can(user, "edit_others_posts"):
            message = f"Sorry, you are not allowed to {verb} posts as this user."
            raise self._deny(user, "rest_cannot_edit_others", message)
        if fields.get("sticky") and not (
            self._can(user, "edit_others_posts") and self._can(user, "publish_posts")
        ):
            message = "Sorry, you are not allowed to make posts sticky."
            raise self._deny(user, "rest_cannot_assign_sticky", message)

    def _save_post(self, post: dict[str, Any], fields: dict[str, Any], user: Any) -> None:
        """What prepare_item_for_database() and then wp_insert_post() do with the fields."""
        status = fields.get("status")
        if status in ("publish", "future", "private") and not self._can(user, "publish_posts"):
            what = "create private posts" if status == "private" else "publish posts"
            message = f"Sorry, you are not allowed to {what} in this post type."
            raise self._deny(user, "rest_cannot_publish", message)
        if fields.get("author") not in (None, 0, 1):
            raise WPError("rest_invalid_author", "Invalid author ID.", 400)
        for key in ("title", "content", "excerpt", "comment_status", "ping_status", "format"):
            post[key] = post[key] if fields.get(key) is None else fields[key]
        for key in ("sticky", "password", "meta"):
            post[key] = post[key] if fields.get(key) is None else fields[key]
        if not (post["title"] or post["content"] or post["excerpt"]):
            raise WPError("empty_content", "Content, title, and excerpt are empty.", 400)
        now = _now()
        if "date" in fields or "date_gmt" in fields:
            moment = fields.get("date") or fields.get("date_gmt")
            post["date_gmt"] = None if moment is None else _fmt(moment)  # None: date floats
        status = status or post["status"]
        if post["date_gmt"] is None and status not in ("draft", "pending"):
            post["date_gmt"] = _fmt(now)
        ahead = (datetime.fromisoformat(post["date_gmt"]) if post["date_gmt"] else now) - now
        # a publish date a minute or more ahead schedules the post; a past one publishes it
        if status == "publish" and ahead >= timedelta(minutes=1):
            status = "future"
        elif status == "future" and ahead < timedelta(minutes=1):
            status = "publish"
        post["status"] = status
        if fields.get("slug") is not None:
            post["slug"] = self._unique_slug(sanitize_title(fields["slug"]), post["id"])
        elif status not in ("draft", "pending"):
            wanted = post["slug"] or sanitize_title(post["title"]) or str(post["id"])
            post["slug"] = self._unique_slug(wanted, post["id"])
        for tax in TAXONOMIES:
            if fields.get(tax) is not None:
                # wp_set_object_terms() skips ids of terms that do not exist
                post[tax] = list(dict.fromkeys(i for i in fields[tax] if i in self._terms[tax]))
        media = self._media.get(fields.get("featured_media") or 0)
        if fields.get("featured_media") == 0 or media is not None:
            post["featured_media"] = (
                media["id"] if media and media["mime_type"].startswith("image/") else 0
            )
        # for any other id set_post_thumbnail() fails, and the REST API ignores that failure
        post["modified_gmt"] = _fmt(now)

    def _unique_slug(self, slug: str, post_id: int) -> str:
        taken = RESERVED_SLUGS | {p["slug"] for p in self._posts.values() if p["id"] != post_id}
        suffix, unique = 2, slug
        while unique in taken and slug:
            unique, suffix = f"{slug}-{suffix}", suffix + 1
        return unique

    def _create_post(self, call: _Call) -> Response:
        if call.params.get("id"):
            raise WPError("rest_post_exists", "Cannot create existing post.", 400)
        fields = self._post_fields(call.params, None)
        self._check_write(call.user, fields, "create")
        if not self._can(call.user, "edit_posts"):
            message = "Sorry, you are not allowed to create posts as this user."
            raise self._deny(call.user, "rest_cannot_create", message)
        post: dict[str, Any] = {"id": self._next_post_id, "date_gmt": None, "slug": ""}
        post |= {"status": "draft", "title": "", "content": "", "excerpt": "", "author": 1}
        post |= {"featured_media": 0, "comment_status": "open", "ping_status": "open"}
        post |= {"sticky": False, "format": "standard", "password": "", "meta": {"footnotes": ""}}
        post |= {"categories": [1], "tags": [], "modified_gmt": _fmt(_now())}
        self._save_post(post, fields, call.user)
        self._next_post_id += 1
        self._posts[post["id"]] = post
        self.save_state()
        location = {"Location": self.rest_url(f"/wp/v2/posts/{post['id']}")}
        return json_response(201, call.only(self._post_json(post, "edit")), location)

    def _update_post(self, call: _Call) -> Response:
        current = self._posts.get(int(call.args["id"]))
        fields = self._post_fields(call.params, current["status"] if current else None)
        post = self._post_or_404(call.args["id"])
        if not self._can_edit(call.user, post):
            message = "Sorry, you are not allowed to edit this post."
            raise self._deny(call.user, "rest_cannot_edit", message)
        self._check_write(call.user, fields, "update")
        changed = json.loads(json.dumps(post))  # a refused update leaves the post as it was
        self._save_post(changed, fields, call.user)
        self._posts[post["id"]] = changed
        self.save_state()
        return json_response(200, call.only(self._post_json(changed, "edit")))

    def _delete_post(self, call: _Call) -> Response:
        check = _Check(call.params)
        force = check.boolean("force")
        check.done()
        post = self._post_or_404(call.args["id"])
        if not self._can_delete(call.user, post):
            message = "Sorry, you are not allowed to delete this post."
            raise self._deny(call.user, "rest_cannot_delete", message)
        if force:
            previous = self._post_json(self._posts.pop(post["id"]), "edit")
            self.save_state()
            return json_response(200, {"deleted": True, "previous": previous})
        if post["status"] == "trash":
            raise WPError("rest_already_trashed", "The post has already been deleted.", 410)
        post["status"], post["modified_gmt"] = "trash", _fmt(_now())
        if post["slug"] and not post["slug"].endswith("__trashed"):
            post["slug"] += "__trashed"  # WordPress 5.4+ frees the slug for a new post
        self.save_state()
        return json_response(200, self._post_json(post, "edit"))

    def _publish_due(self) -> None:
        """WP-Cron's part: scheduled posts whose time has come get published."""
        now = _fmt(_now())
        due = [p for p in self._posts.values() if p["status"] == "future" and p["date_gmt"] <= now]
        for post in due:
            post["status"] = "publish"
        if due:
            self.save_state()

    # --- media ---

    def _media_json(self, item: dict[str, Any], context: str = "view") -> dict[str, Any]:
        source = self._media_url(item)
        image = item["mime_type"].startswith("image/")
        details: dict[str, Any] = {"filesize": len(item["data"])}
        if image:
            details = {"width": item["width"], "height": item["height"], "file": item["file"]}
            meta = {**_IMAGE_META, "keywords": []}
            details |= {"filesize": len(item["data"]), "sizes": {}, "image_meta": meta}
        data: dict[str, Any] = {
            "id": item["id"],
            "date": item["date_gmt"],
            "date_gmt": item["date_gmt"],
            "guid": {"rendered": source},
            "modified": item["modified_gmt"],
            "modified_gmt": item["modified_gmt"],
            "slug": item["slug"],
            "status": "inherit",
            "type": "attachment",
            "link": source,  # a new WordPress 6.4+ site has attachment pages off
            "title": {"rendered": texturize(item["title"])},
            "author": 1,
            "featured_media": 0,
            "comment_status": "open",
            "ping_status": "closed",
            "template": "",
            "meta": [],
            "description": {"rendered": autop(item["description"])},
            "caption": {"rendered": autop(item["caption"])},
            "alt_text": item["alt_text"],
            "media_type": "image" if image else "file",
            "mime_type": item["mime_type"],
            "media_details": details,
            "post": None,
            "source_url": source,
        }
        if context == "edit":
            for key in ("guid", "title", "description", "caption"):
                data[key]["raw"] = source if key == "guid" else item[key]
        data["_links"] = {"self": [{"href": self.rest_url(f"/wp/v2/media/{item['id']}")}]}
        return data

    def _upload(self, call: _Call) -> Response:
        if not self._can(call.user, "upload_files"):
            message = "Sorry, you are not allowed to create posts as this user."
            raise self._deny(call.user, "rest_cannot_create", message)
        if call.files and "file" not in call.files:
            raise WPError("rest_upload_no_data", "No data supplied.", 400)
        name, data = call.files["file"] if call.files else self._raw_upload(call.request)
        mime = UPLOAD_TYPES.get(name.rpartition(".")[2].lower()) if "." in name else None
        if mime is not None and mime.startswith("image/"):
            real = _sniff_image(data)
            if real is not None and real != mime:
                # wp_check_filetype_and_ext(): an image named as another image type is renamed
                name = name.rpartition(".")[0] + "." + real.split("/")[1].replace("jpeg", "jpg")
            mime = real
        if mime is None:
            message = "Sorry, you are not allowed to upload this file type."
            raise WPError("rest_upload_sideload_error", message, 500)
        now = _now()
        stem, _, ext = _sanitize_file_name(name).rpartition(".")
        files = {m["file"] for m in self._media.values()}
        file, number = f"{now:%Y/%m}/{stem}.{ext}", 1
        while file in files:
            file, number = f"{now:%Y/%m}/{stem}-{number}.{ext}", number + 1
        title = str(call.params.get("title") or file.rpartition("/")[2].rpartition(".")[0])
        # an attachment's slug is unique among every post type, posts included
        slugs = {p["slug"] for p in [*self._posts.values(), *self._media.values()]}
        slug = base = sanitize_title(title) or str(self._next_post_id)
        suffix = 2
        while slug in slugs:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        width, height = _image_size(data) if mime.startswith("image/") else (0, 0)
        item = {"id": self._next_post_id, "date_gmt": _fmt(now), "modified_gmt": _fmt(now)}
        item |= {"slug": slug, "title": title, "file": file, "mime_type": mime, "data": data}
        item |= {"width": width, "height": height}
        item |= {k: str(call.params.get(k) or "") for k in ("alt_text", "caption", "description")}
        self._next_post_id += 1
        self._media[item["id"]] = item
        self.save_state()
        location = {"Location": self.rest_url(f"/wp/v2/media/{item['id']}")}
        return json_response(201, self._media_json(item, "edit"), location)

    def _raw_upload(self, request: Request) -> tuple[str, bytes]:
        """upload_from_data(): the file is the request body, named by Content-Disposition."""
        if not request.body:
            raise WPError("rest_upload_no_data", "No data supplied.", 400)
        if not request.headers.get("Content-Type"):
            raise WPError("rest_upload_no_content_type", "No Content-Type supplied.", 400)
        disposition = request.headers.get("Content-Disposition")
        if not disposition:
            message = "No Content-Disposition supplied."
            raise WPError("rest_upload_no_content_disposition", message, 400)
        name = _filename_from_disposition(disposition)
        if not name:
            raise WPError(
                "rest_upload_invalid_disposition",
                "Invalid Content-Disposition supplied. Content-Disposition needs to be formatted "
                'as `attachment; filename="image.png"` or similar.',
                400,
            )
        md5 = request.headers.get("Content-MD5")
        if md5 and md5.strip() != hashlib.md5(request.body).hexdigest():
            raise WPError("rest_upload_hash_mismatch", "Content hash did not match expected.", 412)
        return name, request.body

    def _get_media(self, call: _Call) -> Response:
        check = _Check(call.params)
        context = check.enum("context", CONTEXTS) or "view"
        check.done()
        item = self._media.get(int(call.args["id"]))
        if item is None:
            raise WPError("rest_post_invalid_id", "Invalid post ID.", 404)
        if context == "edit" and not self._can(call.user, "upload_files"):
            message = "Sorry, you are not allowed to edit this post."
            raise self._deny(call.user, "rest_forbidden_context", message)
        return json_response(200, call.only(self._media_json(item, context)))

    def _list_media(self, call: _Call) -> Response:
        found = sorted(self._media.values(), key=lambda m: (m["date_gmt"], m["id"]), reverse=True)
        return self._paged(call, found, self._media_json, "/wp/v2/media")

    # --- terms ---

    def _term_json(self, tax: str, term: dict[str, Any]) -> dict[str, Any]:
        count = sum(p["status"] == "publish" and term["id"] in p[tax] for p in self._posts.values())
        data: dict[str, Any] = {"id": term["id"], "count": count}
        data |= {"description": term["description"], "link": self._term_link(term)}
        data |= {"name": term["name"], "slug": term["slug"], "taxonomy": term["taxonomy"]}
        if tax == "categories":
            data["parent"] = term["parent"]
        data["meta"] = []
        data["_links"] = {"self": [{"href": self.rest_url(f"/wp/v2/{tax}/{term['id']}")}]}
        return data

    def _list_terms(self, call: _Call) -> Response:
        tax = call.args["tax"]
        check = _Check(call.params)
        search = (check.string("search") or "").lower()
        slugs, include = check.str_list("slug"), check.int_list("include")
        hide_empty, post_id = check.boolean("hide_empty"), check.integer("post")
        check.done()
        in_post = self._post_or_404(post_id)[tax] if post_id is not None else None
        found = [
            t
            for t in self._terms[tax].values()
            if (search in t["name"].lower() or search in t["slug"])
            and (not slugs or t["slug"] in slugs)
            and (not include or t["id"] in include)
            and (in_post is None or t["id"] in in_post)
            and (not hide_empty or self._term_json(tax, t)["count"])
        ]
        found.sort(key=lambda t: t["name"].lower())
        return self._paged(
            call,
            found,
            lambda t: self._term_json(tax, t),
            f"/wp/v2/{tax}",
            "rest_term_invalid_page_number",
        )

    def _get_term(self, call: _Call) -> Response:
        term = self._terms[call.args["tax"]].get(int(call.args["id"]))
        if term is None:
            raise WPError("rest_term_invalid", "Term does not exist.", 404)
        return json_response(200, call.only(self._term_json(call.args["tax"], term)))

    def _add_term(self, call: _Call) -> Response:
        tax, params = call.args["tax"], call.params
        if "name" not in params:
            message = "Missing parameter(s): name"
            raise WPError("rest_missing_callback_param", message, 400, params=["name"])
        check = _Check(params)
        name, slug = check.string("name") or "", check.string("slug")
        description = check.string("description") or ""
        parent = check.integer("parent") if tax == "categories" else None
        check.done()
        # categories need manage_categories; tags only the right to assign them
        if not self._can(call.user, "manage_categories" if tax == "categories" else "edit_posts"):
            message = "Sorry, you are not allowed to create terms in this taxonomy."
            raise self._deny(call.user, "rest_cannot_create", message)
        if tax == "tags" and "parent" in params:
            message = "Cannot set parent term, taxonomy is not hierarchical."
            raise WPError("rest_taxonomy_not_hierarchical", message, 400)
        if parent and parent not in self._terms[tax]:
            raise WPError("rest_term_invalid", "Parent term does not exist.", 400)
        # the pre_term_name filters strip tags and store &, < and > escaped: "A &amp; B"
        name = re.sub(r"&(?!#?\w+;)", "&amp;", re.sub(r"<[^>]*>", "", name).strip())
        name = name.replace("<", "&lt;").replace(">", "&gt;")
        if not name:
            # wp_insert_term()'s error carries no status, so the REST API answers 500
            raise WPError("empty_term_name", "A name is required for this term.", 500)
        wanted = sanitize_title(slug or name)
        terms = list(self._terms[tax].values())
        twin = next((t for t in terms if t["name"].lower() == name.lower()), None)
        if twin is not None and (not slug or any(t["slug"] == wanted for t in terms)):
            where = "with this parent" if tax == "categories" else "in this taxonomy"
            raise WPError(
                "term_exists",
                f"A term with the name provided already exists {where}.",
                400,
                # WP_Error::add_data() keeps the term id it replaces, twice over here
                extra={"additional_data": [twin["id"], twin["id"]]},
                term_id=twin["id"],
            )
        final, suffix = wanted, 2
        while any(t["slug"] == final for t in terms):
            final, suffix = f"{wanted}-{suffix}", suffix + 1
        term = {"id": self._next_term_id, "name": name, "slug": final}
        term |= {"taxonomy": TAXONOMIES[tax], "description": description, "parent": parent or 0}
        self._next_term_id += 1
        self._terms[tax][term["id"]] = term
        self.save_state()
        location = {"Location": self.rest_url(f"/wp/v2/{tax}/{term['id']}")}
        return json_response(201, self._term_json(tax, term), location)

    # --- public pages ---

    def _html(self, status: int, body: str, headers: dict[str, str] | None = None) -> Response:
        merged = {"Content-Type": "text/html; charset=UTF-8"}
        merged |= {"Link": f'<{self.rest_url()}>; rel="https://api.w.org/"', **(headers or {})}
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
                return self._post_page(
                    self._posts.get(_as_int(request.query["p"]) or 0), by_id=True
                )
            if "attachment_id" in request.query:
                return self._to_file(self._media.get(_as_int(request.query["attachment_id"]) or 0))
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
        links = {"Link": f'<{self.rest_url()}>; rel="https://api.w.org/", {json_link}'}
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
