"""The local partner receivers themselves: a WordPress site and a webhook endpoint."""

from __future__ import annotations

import json
import struct
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from syndicator.demo.receivers import Fault, WebhookReceiver, WordPressReceiver, new_secret

AUTH = ("editor", "abcd EFGH 1234 ijkl MNOP 5678")


def png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def wp() -> Iterator[WordPressReceiver]:
    with WordPressReceiver() as site:
        yield site


def api(
    site: WordPressReceiver, auth: tuple[str, str] | None = AUTH, timeout: float = 5
) -> httpx.Client:
    return httpx.Client(base_url=f"{site.url}/wp-json", auth=auth, timeout=timeout)


def create(client: httpx.Client, **post: object) -> httpx.Response:
    return client.post(
        "/wp/v2/posts", json={"title": "Hello", "content": "Body", "status": "publish", **post}
    )


# --- WordPress: posts ---


def test_create_read_update_and_find_by_slug(wp: WordPressReceiver) -> None:
    with api(wp) as client, api(wp, auth=None) as anonymous:
        made = create(
            client,
            title="River levels rise",
            content="First line.\n\nSecond line.",
            excerpt={"raw": "Short"},
        )
        assert made.status_code == 201
        post = made.json()
        assert made.headers["Location"] == f"{wp.url}/wp-json/wp/v2/posts/{post['id']}"
        assert (
            post["type"] == "post"
            and post["status"] == "publish"
            and post["slug"] == "river-levels-rise"
        )
        assert post["link"] == f"{wp.url}/river-levels-rise/"
        assert post["title"] == {"rendered": "River levels rise", "raw": "River levels rise"}
        assert post["content"]["rendered"] == "<p>First line.</p>\n<p>Second line.</p>\n"
        assert post["content"]["protected"] is False and post["excerpt"]["raw"] == "Short"
        assert post["categories"] == [1] and post["tags"] == [] and post["author"] == 1
        assert post["date_gmt"] == post["modified_gmt"] and "T" in post["date"]

        public = anonymous.get(f"/wp/v2/posts/{post['id']}").json()
        assert "raw" not in public["title"] and public["title"]["rendered"] == "River levels rise"

        changed = client.post(f"/wp/v2/posts/{post['id']}", json={"title": "River levels fall"})
        assert changed.status_code == 200
        assert changed.json()["title"]["raw"] == "River levels fall"
        assert changed.json()["slug"] == "river-levels-rise"  # a published slug stays put
        assert wp.posts[post["id"]]["title"]["raw"] == "River levels fall"

        draft = create(client, title="Not yet", status="draft").json()
        found = client.get(
            "/wp/v2/posts", params={"slug": "river-levels-rise,nothing", "status": "publish,draft"}
        )
        assert [p["id"] for p in found.json()] == [post["id"]]
        assert found.headers["X-WP-Total"] == "1" and found.headers["X-WP-TotalPages"] == "1"
        drafts = client.get("/wp/v2/posts", params={"status": "draft", "context": "edit"}).json()
        assert [p["id"] for p in drafts] == [draft["id"]] and drafts[0]["title"]["raw"] == "Not yet"
        assert [p["id"] for p in anonymous.get("/wp/v2/posts").json()] == [post["id"]]


def test_slugs_follow_wordpress(wp: WordPressReceiver) -> None:
    with api(wp) as client:
        first = create(client, title="Café & Crème: l'été — 2026").json()
        second = create(client, title="Café & Crème: l'été — 2026").json()
        third = create(client, title="Other", slug="cafe-creme-lete-2026").json()
        assert [first["slug"], second["slug"], third["slug"]] == [
            "cafe-creme-lete-2026",
            "cafe-creme-lete-2026-2",
            "cafe-creme-lete-2026-3",
        ]
        assert first["title"]["rendered"] == "Café &#038; Crème: l&#8217;été — 2026"

        draft = create(client, title="Draft", status="draft").json()
        assert draft["slug"] == "" and draft["link"] == f"{wp.url}/?p={draft['id']}"
        assert draft["generated_slug"] == "draft"
        published = client.post(f"/wp/v2/posts/{draft['id']}", json={"status": "publish"}).json()
        assert published["slug"] == "draft" and published["link"] == f"{wp.url}/draft/"

        trashed = client.delete(f"/wp/v2/posts/{first['id']}").json()
        assert trashed["status"] == "trash" and trashed["slug"] == "cafe-creme-lete-2026__trashed"
        assert client.delete(f"/wp/v2/posts/{first['id']}").json()["code"] == "rest_already_trashed"
        assert (
            create(client, title="Café & Crème: l'été — 2026").json()["slug"]
            == "cafe-creme-lete-2026"
        )
        gone = client.delete(f"/wp/v2/posts/{second['id']}", params={"force": "true"}).json()
        assert gone["deleted"] is True and gone["previous"]["id"] == second["id"]
        assert second["id"] not in wp.posts


def test_future_dates_schedule_and_past_dates_publish(wp: WordPressReceiver) -> None:
    with api(wp) as client:
        later = create(client, date_gmt="2099-01-01T10:00:00").json()
        assert later["status"] == "future" and later["date_gmt"] == "2099-01-01T10:00:00"
        earlier = create(client, date="2020-05-06T09:00:00+02:00").json()
        assert earlier["status"] == "publish" and earlier["date_gmt"] == "2020-05-06T07:00:00"


# --- WordPress: errors, shaped as WordPress shapes them ---


def test_authentication_and_roles(wp: WordPressReceiver) -> None:
    with api(wp, auth=None) as anonymous:
        refused = create(anonymous)
        assert refused.status_code == 401
        assert refused.json() == {
            "code": "rest_cannot_create",
            "message": "Sorry, you are not allowed to create posts as this user.",
            "data": {"status": 401},
        }
        assert anonymous.get("/wp/v2/users/me").json()["code"] == "rest_not_logged_in"
    with api(wp, auth=("editor", "wrong")) as wrong:
        # as on the harness's real WordPress 6.1: bad credentials mean "not logged in"
        assert wrong.get("/wp/v2/posts").status_code == 200
        assert create(wrong).json()["code"] == "rest_cannot_create"
        assert wrong.get("/wp/v2/users/me").json()["code"] == "rest_not_logged_in"
    with api(wp, auth=("nobody", "x")) as stranger:
        assert stranger.get("/wp/v2/users/me").json()["code"] == "rest_not_logged_in"
    with api(wp, auth=("editor", "abcdEFGH1234ijklMNOP5678")) as no_spaces:
        me = no_spaces.get("/wp/v2/users/me").json()
        assert me["id"] == 1 and me["name"] == "Editor" and me["slug"] == "editor"
        post_id = create(no_spaces).json()["id"]
    with api(wp, auth=None) as anonymous:
        edit = anonymous.post(f"/wp/v2/posts/{post_id}", json={"title": "x"})
        assert (edit.status_code, edit.json()["code"]) == (401, "rest_cannot_edit")
        drafts = anonymous.get("/wp/v2/posts", params={"status": "draft"})
        assert drafts.status_code == 400 and drafts.json()["code"] == "rest_invalid_param"
        assert drafts.json()["data"]["params"] == {"status": "Status is forbidden."}
    assert [r.user for r in wp.requests[-3:]] == ["editor", None, None]

    with (
        WordPressReceiver(username="reader", role="subscriber") as site,
        api(site, auth=("reader", AUTH[1])) as reader,
    ):
        refused = create(reader)
        assert (refused.status_code, refused.json()["code"]) == (403, "rest_cannot_create")
        upload = reader.post(
            "/wp/v2/media",
            content=png(),
            headers={
                "Content-Type": "image/png",
                "Content-Disposition": 'attachment; filename="a.png"',
            },
        )
        assert (upload.status_code, upload.json()["code"]) == (403, "rest_cannot_create")
        assert reader.get("/wp/v2/users/me").json()["slug"] == "reader"


def test_invalid_requests(wp: WordPressReceiver) -> None:
    with api(wp) as client:
        bad_status = create(client, status="published")
        assert bad_status.status_code == 400
        body = bad_status.json()
        assert (
            body["code"] == "rest_invalid_param"
            and body["message"] == "Invalid parameter(s): status"
        )
        assert body["data"]["status"] == 400
        assert (
            body["data"]["params"]["status"]
            == "status is not one of publish, future, draft, pending, private."
        )
        assert body["data"]["details"]["status"]["code"] == "rest_not_in_enum"
        assert create(client, date="yesterday").json()["data"]["params"] == {
            "date": "Invalid date."
        }
        assert create(client, categories=["x"]).json()["data"]["params"] == {
            "categories": "categories[0] is not of type integer."
        }
        author = create(client, author=99)
        assert (author.status_code, author.json()["code"]) == (400, "rest_invalid_author")
        empty = client.post("/wp/v2/posts", json={"status": "draft"})
        assert (empty.status_code, empty.json()["code"]) == (400, "empty_content")
        broken = client.post(
            "/wp/v2/posts", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        assert broken.json()["code"] == "rest_invalid_json"
        missing = client.get("/wp/v2/posts/999")
        assert missing.status_code == 404 and missing.json() == {
            "code": "rest_post_invalid_id",
            "message": "Invalid post ID.",
            "data": {"status": 404},
        }
        for response in (client.get("/wp/v2/nothing"), client.delete("/wp/v2/posts")):
            assert response.status_code == 404 and response.json()["code"] == "rest_no_route"
        page = client.get("/wp/v2/posts", params={"per_page": 500}).json()
        assert (
            page["data"]["params"]["per_page"]
            == "per_page must be between 1 (inclusive) and 100 (inclusive)"
        )
        # WordPress drops unknown term and featured_media ids without a word
        post = create(
            client, categories=[1, 4242], tags=[77], featured_media=999, nonsense=True
        ).json()
        assert post["categories"] == [1] and post["tags"] == [] and post["featured_media"] == 0


def test_form_encoded_posts(wp: WordPressReceiver) -> None:
    with api(wp) as client:
        made = client.post(
            "/wp/v2/posts", data={"title": "Form post", "status": "publish", "categories[]": ["1"]}
        )
        assert made.status_code == 201 and made.json()["title"]["raw"] == "Form post"


# --- WordPress: media and terms ---


def test_media_upload_and_featured_image(wp: WordPressReceiver) -> None:
    image = png(3, 2)
    with api(wp) as client, httpx.Client() as browser:
        headers = {
            "Content-Type": "image/png",
            "Content-Disposition": 'attachment; filename="river bank.png"',
        }
        made = client.post(
            "/wp/v2/media", content=image, headers=headers, params={"alt_text": "Bank"}
        )
        assert made.status_code == 201
        media = made.json()
        month = datetime.now(UTC).strftime("%Y/%m")
        assert media["source_url"] == f"{wp.url}/wp-content/uploads/{month}/river-bank.png"
        assert (media["media_type"], media["mime_type"], media["slug"]) == (
            "image",
            "image/png",
            "river-bank",
        )
        assert media["title"]["raw"] == "river-bank" and media["alt_text"] == "Bank"
        assert (media["media_details"]["width"], media["media_details"]["height"]) == (3, 2)
        assert browser.get(media["source_url"]).content == image
        assert client.get(f"/wp/v2/media/{media['id']}").json()["source_url"] == media["source_url"]
        again = client.post("/wp/v2/media", content=image, headers=headers).json()
        assert again["source_url"].endswith("/river-bank-1.png") and again["slug"] == "river-bank-1"

        no_name = client.post("/wp/v2/media", content=image, headers={"Content-Type": "image/png"})
        assert (no_name.status_code, no_name.json()["code"]) == (
            400,
            "rest_upload_no_content_disposition",
        )
        nothing = client.post("/wp/v2/media", content=b"", headers=headers)
        assert (nothing.status_code, nothing.json()["code"]) == (400, "rest_upload_no_data")
        fake = client.post(
            "/wp/v2/media",
            content=b"<html>",
            headers={**headers, "Content-Disposition": "attachment; filename=x.jpg"},
        )
        assert (fake.status_code, fake.json()["code"]) == (500, "rest_upload_sideload_error")
        multipart = client.post("/wp/v2/media", files={"file": ("form.png", image, "image/png")})
        assert multipart.status_code == 201 and multipart.json()["slug"] == "form"

        post = create(client, title="With picture", featured_media=media["id"]).json()
        assert post["featured_media"] == media["id"]
        assert post["id"] == media["id"] + 3  # posts and media share one id sequence
        page = browser.get(post["link"])
        assert page.status_code == 200 and media["source_url"] in page.text


def test_terms(wp: WordPressReceiver) -> None:
    with api(wp) as client, api(wp, auth=None) as anonymous:
        tag = client.post("/wp/v2/tags", json={"name": "Arts & Culture"})
        assert tag.status_code == 201
        assert {k: tag.json()[k] for k in ("name", "slug", "taxonomy", "count")} == {
            "name": "Arts &amp; Culture",
            "slug": "arts-culture",
            "taxonomy": "post_tag",
            "count": 0,
        }
        assert tag.json()["link"] == f"{wp.url}/tag/arts-culture/"
        twice = client.post("/wp/v2/tags", json={"name": "arts & culture"})
        assert twice.status_code == 400
        assert twice.json()["code"] == "term_exists"
        assert twice.json()["data"] == {"status": 400, "term_id": tag.json()["id"]}
        category = client.post(
            "/wp/v2/categories", json={"name": "Local", "slug": "local-news"}
        ).json()
        assert category["slug"] == "local-news" and category["parent"] == 0
        refused = anonymous.post("/wp/v2/categories", json={"name": "Nope"})
        assert (refused.status_code, refused.json()["code"]) == (401, "rest_cannot_create")
        missing = client.post("/wp/v2/tags", json={})
        assert missing.json()["code"] == "rest_missing_callback_param"

        create(client, tags=[tag.json()["id"]], categories=[category["id"]])
        found = anonymous.get("/wp/v2/tags", params={"search": "arts"}).json()
        assert [(t["id"], t["count"]) for t in found] == [(tag.json()["id"], 1)]
        assert [
            t["id"]
            for t in anonymous.get("/wp/v2/categories", params={"slug": "local-news"}).json()
        ] == [category["id"]]
        assert anonymous.get("/wp/v2/categories").headers["X-WP-Total"] == "2"


# --- WordPress: permalinks, pages, faults, state ---


def test_plain_permalinks_only_answer_rest_route() -> None:
    with (
        WordPressReceiver(permalinks="plain") as site,
        httpx.Client(auth=AUTH, timeout=5) as client,
    ):
        blocked = client.post(
            f"{site.url}/wp-json/wp/v2/posts", json={"title": "x", "status": "publish"}
        )
        assert blocked.status_code == 200 and blocked.headers["Content-Type"].startswith(
            "text/html"
        )
        assert site.posts == {}
        moved = client.get(f"{site.url}/wp-json/wp/v2/posts")
        assert moved.status_code == 301 and moved.headers["Location"] == f"{site.url}/"

        made = client.post(
            f"{site.url}/",
            params={"rest_route": "/wp/v2/posts"},
            json={"title": "Plain", "status": "publish"},
        )
        assert made.status_code == 201
        post = made.json()
        assert post["link"] == f"{site.url}/?p={post['id']}"
        assert (
            made.headers["Location"] == f"{site.url}/index.php?rest_route=/wp/v2/posts/{post['id']}"
        )
        listed = client.get(f"{site.url}/?rest_route=/wp/v2/posts&slug=plain").json()
        assert [p["id"] for p in listed] == [post["id"]]
        index = client.get(f"{site.url}/", params={"rest_route": "/"}).json()
        assert index["name"] == "Partner Site" and index["namespaces"] == ["wp/v2"]
        page = client.get(post["link"])
        assert page.status_code == 200 and '<h1 class="entry-title">Plain</h1>' in page.text


def test_index_and_public_pages(wp: WordPressReceiver) -> None:
    with api(wp) as client, httpx.Client(timeout=5) as browser:
        index = client.get("/").json()
        assert (
            index["name"] == "Partner Site"
            and index["url"] == wp.url
            and index["namespaces"] == ["wp/v2"]
        )
        assert "/wp/v2/posts" in index["routes"]
        post = create(
            client, title="Flood warning", content="Stay <strong>away</strong> from the river."
        ).json()
        page = browser.get(post["link"])
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "Flood warning" in page.text and "<strong>away</strong>" in page.text
        assert "Be the first to comment" in page.text
        assert f'href="{wp.url}/wp-json/"' in page.text
        short = browser.get(f"{wp.url}/?p={post['id']}")
        assert short.status_code == 301 and short.headers["Location"] == post["link"]
        assert "Flood warning" in browser.get(f"{wp.url}/").text
        assert browser.get(f"{wp.url}/no-such-post/").status_code == 404


def test_faults(wp: WordPressReceiver) -> None:
    with api(wp) as client:
        wp.faults.add(
            Fault(
                method="POST",
                path=r"^/wp/v2/posts$",
                status=503,
                headers={"Retry-After": "2"},
                body={"code": "busy"},
            )
        )
        assert client.get("/wp/v2/posts").status_code == 200  # another method: untouched
        busy = create(client)
        assert (
            busy.status_code == 503
            and busy.headers["Retry-After"] == "2"
            and busy.json() == {"code": "busy"}
        )
        assert wp.posts == {} and len(wp.faults) == 0
        assert create(client).status_code == 201  # times=1: the next request goes through

        wp.faults.add(Fault(delay=0.2, status=None))
        started = time.monotonic()
        assert client.get("/wp/v2/posts").status_code == 200
        assert time.monotonic() - started >= 0.2

        wp.faults.add(Fault(delay=0.5))
        with api(wp, timeout=0.1) as impatient, pytest.raises(httpx.ReadTimeout):
            impatient.get("/wp/v2/posts")

        wp.faults.add(Fault(reset=True))
        with pytest.raises(httpx.TransportError):
            client.get("/wp/v2/posts")
        assert wp.requests[-1].status == 0

        wp.faults.add(Fault(path="posts", status=502, after=True, times=2))
        lost = create(client, title="Lost answer")
        assert lost.status_code == 502
        assert [p["title"]["raw"] for p in wp.posts.values()].count("Lost answer") == 1  # created
        assert client.get("/wp/v2/posts", params={"slug": "lost-answer"}).status_code == 502
        wp.faults.add(Fault(reset=True, after=True))
        with pytest.raises(httpx.TransportError):
            create(client, title="Reset after")
        assert any(p["title"]["raw"] == "Reset after" for p in wp.posts.values())
        wp.faults.add(Fault(times=5))
        wp.faults.clear()
        assert client.get("/wp/v2/posts").status_code == 200


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "partner.json"
    with WordPressReceiver(state_file=state) as site, api(site) as client:
        post = create(client, title="Kept").json()
        tag = client.post("/wp/v2/tags", json={"name": "Kept"}).json()
        media = client.post(
            "/wp/v2/media",
            content=png(),
            headers={
                "Content-Type": "image/png",
                "Content-Disposition": "attachment; filename=kept.png",
            },
        ).json()
    assert json.loads(state.read_text())["posts"][0]["title"] == "Kept"  # raw, as stored
    with WordPressReceiver(state_file=state) as site, api(site) as client:
        assert [p["title"]["rendered"] for p in client.get("/wp/v2/posts").json()] == ["Kept"]
        assert site.terms["tags"][tag["id"]]["name"] == "Kept"
        assert httpx.get(site.media[media["id"]]["source_url"]).content == png()
        assert site.media_bytes(media["id"]) == png()
        assert create(client, title="Next").json()["id"] == media["id"] + 1
        assert client.get(f"/wp/v2/posts/{post['id']}").json()["link"] == f"{site.url}/kept/"


# --- webhooks ---


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret=new_secret()) as receiver:
        yield receiver


def send(
    receiver: WebhookReceiver,
    payload: dict[str, object],
    msg_id: str = "msg_1",
    secret: str | None = None,
    body: bytes | None = None,
) -> httpx.Response:
    data = json.dumps(payload)
    now = datetime.now(UTC)
    signature = Webhook(secret or receiver.secret).sign(msg_id, now, data)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }
    return httpx.post(
        receiver.url,
        content=body if body is not None else data.encode(),
        headers=headers,
        timeout=5,
    )


def test_webhook_accepts_signed_deliveries_and_flags_duplicates(hook: WebhookReceiver) -> None:
    assert hook.secret.startswith("whsec_") and hook.url.endswith("/hook")
    first = send(hook, {"type": "post.published", "id": 1})
    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False}
    again = send(hook, {"type": "post.published", "id": 1, "retry": True})
    assert again.status_code == 200 and again.json()["duplicate"] is True
    send(hook, {"type": "post.published", "id": 2}, msg_id="msg_2")
    assert [(d["id"], d["duplicate"]) for d in hook.deliveries] == [
        ("msg_1", False),
        ("msg_1", True),
        ("msg_2", False),
    ]
    assert hook.unique() == {
        "msg_1": {"type": "post.published", "id": 1, "retry": True},
        "msg_2": {"type": "post.published", "id": 2},
    }
    assert isinstance(hook.deliveries[0]["timestamp"], int)


def test_webhook_rejects_bad_signatures(hook: WebhookReceiver) -> None:
    tampered = send(hook, {"id": 1}, body=b'{"id": 2}')
    assert tampered.status_code == 401 and "error" in tampered.json()
    assert send(hook, {"id": 1}, secret=new_secret()).status_code == 401
    unsigned = httpx.post(hook.url, json={"id": 1})
    assert unsigned.status_code == 401
    assert hook.deliveries == [] and len(hook.rejected) == 3
    assert hook.rejected[0]["id"] == "msg_1" and hook.rejected[0]["status"] == 401
    assert httpx.get(hook.url).status_code == 405 and httpx.post(hook.url + "x").status_code == 404


def test_webhook_status_and_faults(hook: WebhookReceiver) -> None:
    hook.status = 410
    gone = send(hook, {"id": 1})
    assert gone.status_code == 410 and hook.deliveries == []
    hook.status = 200
    hook.faults.add(Fault(status=500, after=True))
    assert send(hook, {"id": 1}).status_code == 500
    assert send(hook, {"id": 1}).json()["duplicate"] is True  # the first one did arrive


def test_webhook_state_survives_a_restart(tmp_path: Path) -> None:
    secret, state = new_secret(), tmp_path / "hook.json"
    with WebhookReceiver(secret=secret, state_file=state) as receiver:
        send(receiver, {"id": 1})
    with WebhookReceiver(secret=secret, state_file=state) as receiver:
        assert send(receiver, {"id": 1}).json()["duplicate"] is True
        assert len(receiver.deliveries) == 2
