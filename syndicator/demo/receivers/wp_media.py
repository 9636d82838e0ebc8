"""Media on the local WordPress: the wp/v2/media routes and what an upload goes through.

As WP_REST_Attachments_Controller does, an upload comes as multipart form
data or as the raw request body named by Content-Disposition; its type is
read from the file name and, for images, checked against the bytes. As on
WordPress 6.1 (measured on the real one): a name whose extension is not an
allowed type (``.svg``, no extension, ``.avif`` before WordPress 6.5), or an
image name on bytes that are no image, is refused with HTTP 500
``rest_upload_sideload_error``; and a user who may post unfiltered HTML
(an editor or administrator) may upload ``.html``, which is then served from
the site as ``text/html``. A
``slug`` parameter (in the query string, next to a raw body) names the
attachment; taken, it is numbered as WordPress numbers slugs (``-2``, ``-3``).
The list filters by ``slug`` and by ``status``, which for attachments is
``inherit`` unless asked otherwise.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from syndicator.demo.receivers.faults import Request, Response, json_response
from syndicator.demo.receivers.wp_params import CONTEXTS, Call, Check, WPError, rest_date, utc_now
from syndicator.demo.receivers.wp_site import SiteBase
from syndicator.demo.receivers.wp_text import autop, sanitize_title, texturize, unique_slug

# get_allowed_mime_types() on WordPress 6.1, in part (AVIF came with 6.5)
UPLOAD_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg"}
UPLOAD_TYPES |= {"png": "image/png", "gif": "image/gif", "webp": "image/webp"}
UPLOAD_TYPES |= {"pdf": "application/pdf", "mp4": "video/mp4", "mp3": "audio/mpeg"}
UPLOAD_TYPES |= {"txt": "text/plain"}
# ... and these only for users with unfiltered_html (editors and administrators
# of a single site)
UNFILTERED_TYPES = {"htm": "text/html", "html": "text/html"}
UNFILTERED_ROLES = ("administrator", "editor")
_IMAGE_META = dict.fromkeys(("credit", "camera", "caption", "copyright", "title"), "")
_IMAGE_META |= dict.fromkeys(("aperture", "created_timestamp", "focal_length", "iso"), "0")
_IMAGE_META |= {"shutter_speed": "0", "orientation": "0"}
# WP_REST_Attachments_Controller::get_collection_params(): the statuses an attachment lists by
MEDIA_STATUSES = ("inherit", "private", "trash")


def sanitize_file_name(name: str) -> str:
    """sanitize_file_name(): what WordPress keeps of an uploaded file's name."""
    name = re.sub(r"[?\[\]/\\=<>:;,'\"&$#*()|~`!{}%+’«»”“\x00]", "", name.replace("%20", "-"))
    return re.sub(r"[\r\n\t -]+", "-", name).strip(".-_") or "unnamed-file"


def sniff_image(data: bytes) -> str | None:
    """The image type the bytes say they are, or None for what is no image."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image; (0, 0) for anything else."""
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


def filename_from_disposition(header: str) -> str | None:
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


def raw_upload(request: Request) -> tuple[str, bytes]:
    """upload_from_data(): the file is the request body, named by Content-Disposition."""
    if not request.body:
        raise WPError("rest_upload_no_data", "No data supplied.", 400)
    if not request.headers.get("Content-Type"):
        raise WPError("rest_upload_no_content_type", "No Content-Type supplied.", 400)
    disposition = request.headers.get("Content-Disposition")
    if not disposition:
        message = "No Content-Disposition supplied."
        raise WPError("rest_upload_no_content_disposition", message, 400)
    name = filename_from_disposition(disposition)
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


class MediaRoutes(SiteBase):
    """wp/v2/media (WP_REST_Attachments_Controller), mixed into WordPressReceiver."""

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

    def _upload(self, call: Call) -> Response:
        check = Check(call.params)
        wanted_slug = check.string("slug")
        check.done()
        if not self._can(call.user, "upload_files"):
            message = "Sorry, you are not allowed to create posts as this user."
            raise self._deny(call.user, "rest_cannot_create", message)
        if call.files and "file" not in call.files:
            raise WPError("rest_upload_no_data", "No data supplied.", 400)
        name, data = call.files["file"] if call.files else raw_upload(call.request)
        allowed = UPLOAD_TYPES | (UNFILTERED_TYPES if self.role in UNFILTERED_ROLES else {})
        mime = allowed.get(name.rpartition(".")[2].lower()) if "." in name else None
        if mime is not None and mime.startswith("image/"):
            real = sniff_image(data)
            if real is not None and real != mime:
                # wp_check_filetype_and_ext(): an image named as another image type is renamed
                name = name.rpartition(".")[0] + "." + real.split("/")[1].replace("jpeg", "jpg")
            mime = real
        if mime is None:
            message = "Sorry, you are not allowed to upload this file type."
            raise WPError("rest_upload_sideload_error", message, 500)
        now = utc_now()
        stem, _, ext = sanitize_file_name(name).rpartition(".")
        files = {m["file"] for m in self._media.values()}
        file, number = f"{now:%Y/%m}/{stem}.{ext}", 1
        while file in files:
            file, number = f"{now:%Y/%m}/{stem}-{number}.{ext}", number + 1
        title = str(call.params.get("title") or file.rpartition("/")[2].rpartition(".")[0])
        # an attachment's slug is unique among every post type, posts included
        slugs = {p["slug"] for p in [*self._posts.values(), *self._media.values()]}
        wanted = sanitize_title(wanted_slug or "") or sanitize_title(title)
        slug = unique_slug(wanted or str(self._next_post_id), slugs)
        width, height = image_size(data) if mime.startswith("image/") else (0, 0)
        item = {
            "id": self._next_post_id,
            "date_gmt": rest_date(now),
            "modified_gmt": rest_date(now),
        }
        item |= {"slug": slug, "title": title, "file": file, "mime_type": mime, "data": data}
        item |= {"width": width, "height": height}
        item |= {k: str(call.params.get(k) or "") for k in ("alt_text", "caption", "description")}
        self._next_post_id += 1
        self._media[item["id"]] = item
        self.save_state()
        location = {"Location": self.rest_url(f"/wp/v2/media/{item['id']}")}
        return json_response(201, self._media_json(item, "edit"), location)

    def _get_media(self, call: Call) -> Response:
        context = call.context()
        item = self._media.get(int(call.args["id"]))
        if item is None:
            raise WPError("rest_post_invalid_id", "Invalid post ID.", 404)
        if context == "edit" and not self._can(call.user, "upload_files"):
            message = "Sorry, you are not allowed to edit this post."
            raise self._deny(call.user, "rest_forbidden_context", message)
        return json_response(200, call.only(self._media_json(item, context)))

    def _list_media(self, call: Call) -> Response:
        check = Check(call.params)
        context = check.enum("context", CONTEXTS) or "view"
        # wp_parse_slug_list(): every slug asked for is sanitized as WordPress stores slugs
        slugs = [sanitize_title(s) for s in check.str_list("slug") or []]
        statuses = check.str_list("status") or ["inherit"]
        if any(s != "inherit" for s in statuses) and not self._can(call.user, "edit_posts"):
            # sanitize_post_statuses(): only the default status is open to everyone
            data = {"status": 401 if call.user is None else 403}
            check.bad("status", "rest_forbidden_status", "Status is forbidden.", data)
        for index, status in enumerate(statuses):
            if status not in MEDIA_STATUSES:
                # measured on WordPress 6.1: the list is written with an "and"
                message = f"status[{index}] is not one of inherit, private, and trash."
                check.bad("status", "rest_not_in_enum", message)
        check.done()
        if context == "edit" and not self._can(call.user, "edit_posts"):
            message = "Sorry, you are not allowed to edit posts in this post type."
            raise self._deny(call.user, "rest_forbidden_context", message)
        # every attachment here is unattached and "inherit"s its status
        found = [m for m in self._media.values() if "inherit" in statuses]
        found = [m for m in found if not slugs or m["slug"] in slugs]
        found.sort(key=lambda m: (m["date_gmt"], m["id"]), reverse=True)
        return self._paged(call, found, lambda m: self._media_json(m, context), "/wp/v2/media")
