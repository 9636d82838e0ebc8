"""Partner edits are not overwritten: before an update, the WordPress post is
compared with what our last write left there; an editor's change makes the
delivery a ``conflict`` (with what changed) until ``publish --overwrite``.

Real parts: a local site whose article changes, the local WordPress (edited
through its REST API), and the real WordPress with the edit made by another
user through its REST API."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from syndicator.demo.receivers import Fault, WordPressReceiver
from tests.conftest import add_partners, query, syndicator, write_config
from tests.test_publish import wp_partner
from tests.test_withdrawal import PATHS, TITLES, Source, article_ids
from tests.test_wordpress_real import RealWordPress, real_wp

__all__ = ["real_wp"]  # the fixture
WP_PASSWORD = "abcd EFGH 1234 ijkl MNOP 5678"


def _config(tmp_path: Path, source: Source, partner: dict[str, Any]) -> Path:
    config = write_config(
        tmp_path / "c.toml",
        [{"name": "courier", "sitemaps": [f"{source.site.url}/sitemap.xml"]}],
    )
    with config.open("a") as out:
        out.write("\n[dedup]\nrecheck = [{ max_age_days = 3650, every_hours = 0 }]\n")
    return add_partners(config, partner)


def _correct(source: Source, n: int) -> None:
    """The source corrects its story n: a new revision, owed to the partner as an update."""
    source.pages[PATHS[n]] = source.pages[PATHS[n]].replace("<p>", "<p>Corrected: ", 1)


def _run(config: Path, env: dict[str, str], *args: str) -> str:
    result = syndicator(*args, config=config, env=env)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def test_an_editors_change_on_the_partner_is_not_overwritten(tmp_path: Path) -> None:
    source = Source()
    with source.site, WordPressReceiver(app_password=WP_PASSWORD) as wp:
        partner = {
            "name": "wp",
            "kind": "wordpress",
            "url": wp.url,
            "username": "editor",
            "password_env": "WP_PW",
            "allow_networks": ["127.0.0.1/32"],
        }
        config = _config(tmp_path, source, partner)
        env = {"WP_PW": WP_PASSWORD}
        _run(config, env, "run")
        posts = {p["title"]["raw"]: p for p in wp.posts.values()}
        edited = posts[TITLES[0]]["id"]
        answer = httpx.post(
            f"{wp.url}/wp-json/wp/v2/posts/{edited}",
            json={"title": "Ferry timetable extended (our headline)"},
            auth=("editor", WP_PASSWORD),
        )
        assert answer.status_code == 200
        _correct(source, 0)  # the edited post's story
        _correct(source, 1)  # one nobody edited: its update goes as usual

        said = _run(config, env, "run")
        assert "1 updates" in said and "edited on the partner, so not updated: 1 on wp" in said
        assert wp.posts[edited]["title"]["raw"] == "Ferry timetable extended (our headline)"
        assert "Corrected: " not in wp.posts[edited]["content"]["raw"]
        assert "Corrected: " in wp.posts[posts[TITLES[1]]["id"]]["content"]["raw"]
        ferry = article_ids(tmp_path)[TITLES[0]]
        row = query(
            tmp_path / "store.db",
            "select status, last_error from deliveries where article_id = ?",
            (ferry,),
        )[0]
        assert row["status"] == "conflict"
        assert "title changed" in row["last_error"] and "--overwrite" in row["last_error"]
        listed = _run(config, env, "deliveries", "--status", "conflict", "--json")
        assert [d["article_id"] for d in json.loads(listed)] == [ferry]

        # later runs leave it alone, until an operator says to overwrite
        _run(config, env, "run")
        assert wp.posts[edited]["title"]["raw"] == "Ferry timetable extended (our headline)"
        said = _run(config, env, "publish", "--overwrite", "--partner", "wp", ferry[:8])
        assert "wp: 1 edited on the partner, to be overwritten" in said
        assert wp.posts[edited]["title"]["raw"] == TITLES[0]
        assert "Corrected: " in wp.posts[edited]["content"]["raw"]
        assert len(wp.posts) == 3
        actions = [r["action"] for r in json.loads(_run(config, env, "history", ferry, "--json"))]
        assert actions.count("conflict") == 1 and actions.count("overwritten") == 1
        assert actions[-1] == "updated"


@pytest.mark.wordpress
def test_an_edit_by_another_user_on_real_wordpress(tmp_path: Path, real_wp: RealWordPress) -> None:
    # another user of the partner's site, with an application password of their own
    name = f"desk{secrets.token_hex(3)}"
    user = real_wp.api(
        "POST",
        "/wp/v2/users",
        username=name,
        email=f"{name}@partner.example",
        password=secrets.token_urlsafe(16),
        roles="editor",
    )
    app = real_wp.api("POST", f"/wp/v2/users/{user['id']}/application-passwords", name="desk")
    desk = httpx.Client(auth=(name, app["password"]), timeout=30)
    source = Source()
    try:
        with source.site:
            config = _config(tmp_path, source, real_wp.partner())
            _run(config, real_wp.env, "run")
            post = next(p for p in real_wp.posts() if p["title"]["raw"] == TITLES[0])
            edit = desk.post(
                f"{real_wp.url}/",
                params={"rest_route": f"/wp/v2/posts/{post['id']}"},
                json={"content": post["content"]["raw"] + "<p>Added by the partner's desk.</p>"},
            )
            assert edit.status_code == 200, edit.text
            _correct(source, 0)
            said = _run(config, real_wp.env, "run")
            assert "edited on the partner, so not updated: 1 on real" in said
            now = real_wp.api("GET", f"/wp/v2/posts/{post['id']}", context="edit")
            assert "Added by the partner's desk." in now["content"]["raw"]
            ferry = article_ids(tmp_path)[TITLES[0]]
            error = query(
                tmp_path / "store.db",
                "select last_error from deliveries where article_id = ?",
                (ferry,),
            )[0]["last_error"]
            assert "content changed" in error
            _run(config, real_wp.env, "publish", "--overwrite", ferry)
            now = real_wp.api("GET", f"/wp/v2/posts/{post['id']}", context="edit")
            assert "Added by the partner's desk." not in now["content"]["raw"]
            assert "Corrected: " in now["content"]["raw"]
    finally:
        desk.close()
        real_wp.api("DELETE", f"/wp/v2/users/{user['id']}", force="true", reassign=1)


def test_our_own_update_whose_answer_was_lost_is_no_editors_change(tmp_path: Path) -> None:
    source = Source()
    with source.site, WordPressReceiver(app_password=WP_PASSWORD) as wp:
        config = _config(tmp_path, source, wp_partner(wp))
        env = {"TEST_WP_PASSWORD": WP_PASSWORD}
        _run(config, env, "run")
        _correct(source, 0)
        # the update lands, and its answer is lost: the retry finds the post
        # changed, by us
        wp.faults.add(Fault(method="POST", path=r"/wp/v2/posts/\d+", status=502, after=True))
        said = _run(config, env, "run")
        assert "1 sent (0 new, 1 updates)" in said and "edited on the partner" not in said
        post = next(p for p in wp.posts.values() if p["title"]["raw"] == TITLES[0])
        assert "Corrected: " in post["content"]["raw"]
        statuses = query(tmp_path / "store.db", "select status from deliveries")
        assert {row["status"] for row in statuses} == {"sent"}
