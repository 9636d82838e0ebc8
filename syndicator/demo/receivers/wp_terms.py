"""Categories and tags on the local WordPress: the wp/v2 term routes."""

from __future__ import annotations

from typing import Any

from syndicator.demo.receivers.faults import Response, json_response
from syndicator.demo.receivers.wp_params import Call, Check, WPError
from syndicator.demo.receivers.wp_site import TAXONOMIES, SiteBase
from syndicator.demo.receivers.wp_text import sanitize_term_name, sanitize_title, unique_slug


class TermRoutes(SiteBase):
    """wp/v2/categories and wp/v2/tags (WP_REST_Terms_Controller), mixed into WordPressReceiver."""

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

    def _list_terms(self, call: Call) -> Response:
        tax = call.args["tax"]
        check = Check(call.params)
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

    def _get_term(self, call: Call) -> Response:
        term = self._terms[call.args["tax"]].get(int(call.args["id"]))
        if term is None:
            raise WPError("rest_term_invalid", "Term does not exist.", 404)
        return json_response(200, call.only(self._term_json(call.args["tax"], term)))

    def _add_term(self, call: Call) -> Response:
        tax, params = call.args["tax"], call.params
        if "name" not in params:
            message = "Missing parameter(s): name"
            raise WPError("rest_missing_callback_param", message, 400, params=["name"])
        check = Check(params)
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
        name = sanitize_term_name(name)
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
        final = unique_slug(wanted, {t["slug"] for t in terms})
        term = {"id": self._next_term_id, "name": name, "slug": final}
        term |= {"taxonomy": TAXONOMIES[tax], "description": description, "parent": parent or 0}
        self._next_term_id += 1
        self._terms[tax][term["id"]] = term
        self.save_state()
        location = {"Location": self.rest_url(f"/wp/v2/{tax}/{term['id']}")}
        return json_response(201, self._term_json(tax, term), location)
