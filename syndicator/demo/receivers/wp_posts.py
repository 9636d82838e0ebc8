"""Posts on the local WordPress: the wp/v2/posts routes, as WP_REST_Posts_Controller has them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from syndicator.demo.receivers.faults import Response, json_response
from syndicator.demo.receivers.wp_params import CONTEXTS, Call, Check, WPError, rest_date, utc_now
from syndicator.demo.receivers.wp_site import TAXONOMIES, SiteBase
from syndicator.demo.receivers.wp_text import (
    render_content,
    render_excerpt,
    sanitize_title,
    texturize,
    unique_slug,
)

POST_STATUSES = ("publish", "future", "draft", "pending", "private")
QUERY_STATUSES = (
    *POST_STATUSES,
    *("trash", "auto-draft", "inherit", "request-pending", "request-confirmed"),
    *("request-failed", "request-completed", "any"),
)
FORMATS = ("standard", "aside", "chat", "gallery", "link", "image", "quote", "status", "video")
FORMATS += ("audio",)
POST_ORDERBY = ("author", "date", "id", "include", "modified", "parent", "relevance", "slug")
POST_ORDERBY += ("include_slugs", "title")
# WordPress keeps these for feeds and embeds, so no post gets them as a slug
RESERVED_SLUGS = {"feed", "rdf", "rss", "rss2", "atom", "embed"}


class PostRoutes(SiteBase):
    """wp/v2/posts (WP_REST_Posts_Controller), mixed into WordPressReceiver.

    ``_publish_due`` does WP-Cron's part: the receiver calls it before every request.
    """

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

    def _list_posts(self, call: Call) -> Response:
        check = Check(call.params)
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

    def _get_post(self, call: Call) -> Response:
        context = call.context()
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
        check = Check(params)
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
        now = utc_now()
        if "date" in fields or "date_gmt" in fields:
            moment = fields.get("date") or fields.get("date_gmt")
            post["date_gmt"] = None if moment is None else rest_date(moment)  # None: date floats
        status = status or post["status"]
        if post["date_gmt"] is None and status not in ("draft", "pending"):
            post["date_gmt"] = rest_date(now)
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
        post["modified_gmt"] = rest_date(now)

    def _unique_slug(self, slug: str, post_id: int) -> str:
        if not slug:
            return slug  # no slug at all, as drafts have, is not one to keep unique
        taken = RESERVED_SLUGS | {p["slug"] for p in self._posts.values() if p["id"] != post_id}
        return unique_slug(slug, taken)

    def _create_post(self, call: Call) -> Response:
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
        post |= {"categories": [1], "tags": [], "modified_gmt": rest_date(utc_now())}
        self._save_post(post, fields, call.user)
        self._next_post_id += 1
        self._posts[post["id"]] = post
        self.save_state()
        location = {"Location": self.rest_url(f"/wp/v2/posts/{post['id']}")}
        return json_response(201, call.only(self._post_json(post, "edit")), location)

    def _update_post(self, call: Call) -> Response:
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

    def _delete_post(self, call: Call) -> Response:
        check = Check(call.params)
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
        post["status"], post["modified_gmt"] = "trash", rest_date(utc_now())
        if post["slug"] and not post["slug"].endswith("__trashed"):
            post["slug"] += "__trashed"  # WordPress 5.4+ frees the slug for a new post
        self.save_state()
        return json_response(200, self._post_json(post, "edit"))

    def _publish_due(self) -> None:
        """WP-Cron's part: scheduled posts whose time has come get published."""
        now = rest_date(utc_now())
        due = [p for p in self._posts.values() if p["status"] == "future" and p["date_gmt"] <= now]
        for post in due:
            post["status"] = "publish"
        if due:
            self.save_state()
