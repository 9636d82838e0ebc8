"""WordPress partners, through the REST API (``wp/v2``) with an application password.

Each article becomes one post. The post's slug is fixed at the first attempt
(``<title>-<article id>``) and kept in ``deliveries.remote_key``; when an
earlier attempt may have created the post (it was sent, but the answer was
lost or the process died), the post is first looked up by that slug in every
status, and updated if found, so a retry never makes a second post.

The featured image gets the same care: it is uploaded with a slug of its own,
``syndicator-<article id>-image``, and a retry that does not know its media id
(the upload's answer was lost, or the process died before the id was stored)
first looks the image up by that slug, and reuses it if found, so a retry never
leaves an orphan media item behind.

An image that cannot be used costs the post its picture, never the post: an
image that is no image by its bytes, too large or too slow
(:mod:`syndicator.images`), or one the partner refuses, is left out, and
``on_left_out`` is told why (the publisher writes it to ``notes``). So does
a tag or category WordPress refuses to create (a ``db_insert_error``, a name
it cannot take): the post goes without that term. It
is not fetched again for the same article in the same run. An upload that
failed in a way that may pass (a timeout, a 5xx other than WordPress's own
refusal of the file) fails the attempt like any other request, so the
delivery is retried with its image; only on the delivery's last allowed
attempt does the post go without it.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import httpx

from syndicator.config import WordPressPartner
from syndicator.dates import at_most_now
from syndicator.images import MAX_IMAGE_SECONDS, Image, ImageLeftOut, fetch_image
from syndicator.partners import (
    Delivered,
    PartnerConflict,
    PartnerError,
    article_excerpt,
    error_for_status,
    transport_error,
)

ALL_STATUSES = "publish,future,draft,pending,private"
# WordPress's answer when wp_handle_sideload() refused the file (its type, or a
# plugin's rule): HTTP 500, but about this file, not a passing failure
UPLOAD_REFUSED = "rest_upload_sideload_error"


def post_slug(title: str | None, article_id: str) -> str:
    """``Council approves bridge repair`` -> ``council-approves-bridge-repair-4555da47``."""
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-")
    return f"{words}-{article_id[:8]}" if words else f"article-{article_id[:8]}"


_TERM = {"tags": "tag", "categories": "category"}


class TermRefused(Exception):
    """WordPress would not create a tag or category; ``str()`` says which and why."""


def fingerprint(post: dict[str, Any]) -> str:
    """``<title hash>:<content hash>`` of a post as WordPress keeps it (``raw``)."""

    def digest(field: str) -> str:
        value = post.get(field) or {}
        text = value.get("raw", value.get("rendered", "")) if isinstance(value, dict) else value
        return hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:16]

    return f"{digest('title')}:{digest('content')}"


def media_slug(article_id: str) -> str:
    """The featured image's slug: ``syndicator-4555da47e1b2c3d4-image``, from the article alone."""
    return f"syndicator-{article_id[:16]}-image"


class WordPressAdapter:
    def __init__(
        self,
        partner: WordPressPartner,
        client: httpx.AsyncClient,
        password: str,
        images: Callable[[str], httpx.AsyncClient] | None = None,
        on_left_out: Callable[[dict[str, Any], str, str], None] | None = None,
    ) -> None:
        self.partner = partner
        self.client = client
        self.auth = httpx.BasicAuth(partner.username, password)
        self.images = images  # source name -> the client that fetches for that source
        # told (article, kind, why) when a post goes without its image or a term
        self.on_left_out = on_left_out or (lambda article, kind, why: None)
        self._left_out: dict[str, str] = {}  # article id -> why, for this run
        self.root = partner.url.rstrip("/")
        self.pretty = True
        self._terms: dict[tuple[str, str], int | None] = {}
        self._refused: dict[tuple[str, str], str] = {}  # terms WordPress would not create
        self._term_lock = asyncio.Lock()

    # -- the REST API -----------------------------------------------------------

    def _endpoint(self, route: str, params: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
        if self.pretty:
            return f"{self.root}/wp-json{route}", dict(params or {})
        return f"{self.root}/", {"rest_route": route, **(params or {})}

    async def _call(
        self,
        method: str,
        route: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        url, query = self._endpoint(route, params)
        what = f"WordPress {method} {route}"
        try:
            response = await self.client.request(
                method,
                url,
                params=query,
                json=json,
                content=content,
                headers=headers,
                auth=self.auth,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, what) from None
        if not response.is_success:  # a redirect too: not followed, so nothing was done
            raise self._error(response, what)
        try:
            return response.json()
        except ValueError:
            raise PartnerError(
                f"{what}: answered HTTP {response.status_code} with "
                f"{response.headers.get('content-type', 'no content type')}, not JSON",
                status=response.status_code,
            ) from None

    def _error(self, response: httpx.Response, what: str) -> PartnerError:
        try:
            body = response.json()
            code, message = body.get("code"), html.unescape(str(body.get("message", "")))
        except (ValueError, AttributeError):
            body, code, message = None, None, ""
        detail = f"{code}: {message}" if code else " ".join(response.text.split())[:200]
        if response.status_code in (401, 403):
            error = PartnerError(
                f"{self.partner.name}: WordPress refused the credentials or the user's role "
                f"(HTTP {response.status_code} {detail})",
                credentials=True,
                status=response.status_code,
            )
        else:
            error = error_for_status(response, what, detail)
        error.payload = body
        return error

    async def open(self) -> None:
        """Find the REST API (pretty permalinks or ``?rest_route=``) and check the login."""
        for pretty in (True, False):
            self.pretty = pretty
            try:
                index = await self._call("GET", "/")
            except PartnerError as exc:
                if exc.status is None and "not JSON" not in str(exc):
                    raise
                continue
            if isinstance(index, dict) and "wp/v2" in index.get("namespaces", []):
                break
        else:
            raise PartnerError(
                f"{self.partner.name}: no WordPress REST API at {self.root}", permanent=True
            )
        await self._call("GET", "/wp/v2/users/me", params={"context": "edit"})

    # -- delivering -------------------------------------------------------------

    def remote_key(self, article: dict[str, Any]) -> str:
        return post_slug(article.get("title"), article["id"])

    async def deliver(self, article: dict[str, Any], remember_media: Any = None) -> Delivered:
        slug = article.get("remote_key") or self.remote_key(article)
        media_id = article.get("media_id") or await self._featured_image(article)
        if media_id and remember_media is not None:
            remember_media(media_id)
        post = await self._post_fields(article, slug, media_id)
        post_id = article.get("remote_id")
        if not post_id and article.get("attempts", 0) > 0:
            post_id = await self._find_post(slug)
        if post_id:
            await self._check_unedited(post_id, article)
            try:
                result = await self._call("POST", f"/wp/v2/posts/{post_id}", json=post)
            except PartnerError as exc:
                if exc.status == 404:
                    raise PartnerError(
                        f"{self.partner.name}: post {post_id} no longer exists on the partner; "
                        "not creating another",
                        permanent=True,
                        status=404,
                    ) from None
                raise
        else:
            result = await self._call("POST", "/wp/v2/posts", json=post)
        return Delivered(
            str(result["id"]),
            result.get("link"),
            media_id,
            modified=result.get("modified_gmt"),
            fingerprint=fingerprint(result),
        )

    async def _check_unedited(self, post_id: str, article: dict[str, Any]) -> None:
        """Raise :class:`PartnerConflict` when someone edited the post on the
        partner since our last write (its ``modified_gmt`` moved). Not checked
        for a copy written before this was kept, for a restore (our own
        withdrawal moved it), when an operator said ``--overwrite``, nor when
        an earlier attempt of this update may have landed unrecorded (a lost
        answer, a killed run): our own write cannot be told from an editor's."""
        ours = article.get("remote_modified")
        if not ours or article.get("delivery_withdrawn_at") or article.get("attempts", 0):
            return
        try:
            current = await self._call("GET", f"/wp/v2/posts/{post_id}", params={"context": "edit"})
        except PartnerError as exc:
            if exc.status in (404, 410):
                return  # gone: the update says so, as before
            raise
        # modified_gmt counts seconds: an edit in the second of our write shows
        # in the title and content alone
        title, content = (article.get("remote_fingerprint") or ":").split(":")
        now_title, now_content = fingerprint(current).split(":")
        changed = [
            what
            for what, before, after in (
                ("title", title, now_title),
                ("content", content, now_content),
            )
            if before and before != after
        ]
        if current.get("modified_gmt") == ours and not changed:
            return
        changed = changed or ["other fields (status, terms, excerpt or the like)"]
        raise PartnerConflict(
            f"{self.partner.name}: post {post_id} was edited on the partner at "
            f"{current.get('modified_gmt')} UTC ({' and '.join(changed)} changed); "
            f"not overwritten (syndicator publish --overwrite --partner {self.partner.name} "
            f"{article['id']} sends ours)"
        )

    def withdrawal_key(self, article: dict[str, Any]) -> str:
        return article.get("remote_key") or self.remote_key(article)

    async def withdraw(self, article: dict[str, Any]) -> tuple[str, str | None]:
        """Take the post down as the partner's ``on_withdraw`` says: to draft, or
        to the trash (from which an editor, or a restore, can bring it back).
        A post already gone (deleted, or trashed) is withdrawn already. Returns
        what was done, and the post's id (found by its slug if an answer was lost)."""
        post_id = article.get("remote_id")
        if not post_id and article.get("remote_key"):
            post_id = await self._find_post(article["remote_key"])  # an answer was lost
        if not post_id:
            return "no post on the partner", None
        trash = self.partner.on_withdraw == "trash"
        try:
            if trash:
                await self._call("DELETE", f"/wp/v2/posts/{post_id}")
            else:
                await self._call("POST", f"/wp/v2/posts/{post_id}", json={"status": "draft"})
        except PartnerError as exc:
            if exc.status in (404, 410):  # deleted by an editor, or in the trash already
                return f"post {post_id} was gone already", post_id
            raise
        how = "moved to the trash" if trash else "set to draft"
        return f"post {post_id} {how}", post_id

    async def _find_post(self, slug: str) -> str | None:
        found = await self._call(
            "GET",
            "/wp/v2/posts",
            params={"slug": slug, "status": ALL_STATUSES, "context": "edit", "per_page": 1},
        )
        return str(found[0]["id"]) if found else None

    async def _post_fields(
        self, article: dict[str, Any], slug: str, media_id: str | None
    ) -> dict[str, Any]:
        partner = self.partner
        tags = [partner.term_map.get(tag, tag) for tag in article.get("tags") or []]
        tags = [tag for tag in tags if tag]
        categories = list(partner.categories) + (tags if partner.tags == "categories" else [])
        post: dict[str, Any] = {
            # WordPress shows titles as HTML: a title is text, so it goes escaped
            "title": html.escape(article.get("title") or "", quote=False),
            "content": article["republish_html"],
            "excerpt": html.escape(article_excerpt(article), quote=False),
            "status": partner.status,
            "slug": slug,
        }
        if partner.post_date == "original" and article.get("published_at"):
            # a date after now would have WordPress schedule the post ("future")
            post["date_gmt"] = at_most_now(article["published_at"])[:19]
        if partner.author:
            post["author"] = partner.author
        if categories:
            post["categories"] = await self._term_ids("categories", categories, article)
        if partner.tags == "tags" and tags:
            post["tags"] = await self._term_ids("tags", tags, article)
        if media_id:
            post["featured_media"] = int(media_id)
        return post

    async def _term_ids(
        self, taxonomy: str, names: list[str], article: dict[str, Any]
    ) -> list[int]:
        ids = []
        async with self._term_lock:  # two posts must not both create the same term
            for name in names:
                key = (taxonomy, name.lower())
                if key not in self._terms and key not in self._refused:
                    try:
                        self._terms[key] = await self._term_id(taxonomy, name)
                    except TermRefused as exc:
                        self._refused[key] = str(exc)  # not asked again this run
                if key in self._refused:
                    self.on_left_out(article, "term_left_out", self._refused[key])
                elif self._terms[key] is not None:
                    ids.append(self._terms[key])
        return sorted(set(ids), key=ids.index)

    async def _term_id(self, taxonomy: str, name: str) -> int | None:
        found = await self._call(
            "GET", f"/wp/v2/{taxonomy}", params={"search": name, "per_page": 100}
        )
        for term in found:
            if html.unescape(term.get("name", "")).lower() == name.lower():
                return int(term["id"])
        if not self.partner.create_terms:
            return None
        try:
            created = await self._call("POST", f"/wp/v2/{taxonomy}", json={"name": name})
        except PartnerError as exc:
            payload = exc.payload if isinstance(exc.payload, dict) else {}
            if payload.get("code") == "term_exists" and payload.get("data", {}).get("term_id"):
                return int(payload["data"]["term_id"])  # created meanwhile by someone else
            # WordPress itself answered no (its error has a code): the term, not
            # the post; bad credentials and rate limits are the whole delivery's
            if payload.get("code") and exc.status not in (401, 429):
                why = str(exc).removeprefix(f"WordPress POST /wp/v2/{taxonomy}: ")
                raise TermRefused(f"{_TERM[taxonomy]} {name!r}: {why}") from None
            raise
        return int(created["id"])

    async def _featured_image(self, article: dict[str, Any]) -> str | None:
        url = article.get("image_url")
        if not (self.partner.featured_image and url and self.images):
            return None
        if article["id"] in self._left_out:
            return None  # found unusable earlier in this run
        slug = media_slug(article["id"])
        if article.get("attempts", 0) > 0:
            # an earlier attempt may have uploaded it and never learnt its id
            found = await self._find_media(slug)
            if found:
                return found
        try:
            image = await fetch_image(
                self.images(article.get("source") or ""),
                url,
                seconds=min(MAX_IMAGE_SECONDS, self.partner.timeout),
            )
            return await self._upload(article, image, slug)
        except ImageLeftOut as exc:
            self._left_out[article["id"]] = str(exc)
            self.on_left_out(article, "image_left_out", str(exc))
            return None

    async def _upload(self, article: dict[str, Any], image: Image, slug: str) -> str:
        # the name and type are the sniffed ones: never what the source called it
        filename = f"syndicator-{article['id'][:16]}.{image.extension}"
        try:
            media = await self._call(
                "POST",
                "/wp/v2/media",
                params={"slug": slug},
                content=image.data,
                headers={
                    "Content-Type": image.mime_type,
                    "Content-Disposition": f'attachment; filename="{filename}"',
                },
            )
        except PartnerError as exc:
            why = str(exc).removeprefix("WordPress POST /wp/v2/media: ")
            code = exc.payload.get("code") if isinstance(exc.payload, dict) else None
            if exc.permanent or code == UPLOAD_REFUSED:
                raise ImageLeftOut(f"partner refused the upload: {why}") from None
            if article.get("attempts", 0) + 1 < self.partner.max_attempts:
                raise  # may pass: the delivery is tried again, image and all
            # the delivery's last attempt: the post goes without the image, unless
            # the failed upload landed after all
            found = await self._find_media(slug)
            if found:
                return found
            raise ImageLeftOut(f"the partner's upload kept failing: {why}") from None
        return str(media["id"])

    async def _find_media(self, slug: str) -> str | None:
        # attachments are listed with status "inherit", the media route's default
        found = await self._call("GET", "/wp/v2/media", params={"slug": slug, "per_page": 1})
        return str(found[0]["id"]) if found else None
