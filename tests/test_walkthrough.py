"""README's "Your first source", step by step, as a newcomer would type it.

The steps are read from the README itself: each ``sh`` block's commands run
in an empty folder (``.venv/bin/syndicator`` is this interpreter's
``syndicator``), and each ``toml`` block is the edit the step describes (the
``[publisher]`` keys set in place, the ``[[sources]]`` table replacing the
example's, a ``[[partners]]`` table added at the end). The README's example
hosts are a local site of real article text and a local WordPress; the one
thing added to the README's config is ``allow_networks`` for loopback, which
a site on the internet does not need. If the README changes, this test runs
the new steps; if a step stops working, it fails."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from syndicator.demo.receivers import WordPressReceiver
from tests.conftest import ROOT, real_stories, sitemap_site

SITE, PARTNER = "https://news.example.org", "https://partner.example.org"
LOOPBACK = 'allow_networks = ["127.0.0.0/8"]'


def _steps() -> list[tuple[str, str]]:
    """(language, block) for every fenced block of the section, in order."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Your first source\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"(?ms)^```(sh|toml)\n(.*?)^```", section)


def _article(title: str, text: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return (
        f'<!doctype html><html lang="en"><head><title>{title} | Valley News</title>'
        f'<meta property="og:title" content="{title}">'
        '<meta name="author" content="Dana Whitfield">'
        '<meta property="article:published_time" content="2026-12-04T08:30:00+00:00">'
        "</head><body><nav><a href='/'>Home</a> <a href='/local/'>Local</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>© Valley News</footer></body></html>"
    )


def _edit(config: Path, block: str) -> None:
    """Apply one ``toml`` block of the README to the config, as its step says."""
    text = config.read_text()
    if block.startswith("[publisher]"):
        for line in block.splitlines()[1:]:
            key = line.split("=", 1)[0].strip()
            text = re.sub(rf"(?m)^{key} = .*$", lambda _m, line=line: line, text, count=1)
    elif block.startswith("[[sources]]"):
        text = text[: text.index("[[sources]]")] + block + LOOPBACK + "\n"
    elif block.startswith("[[partners]]"):
        text += "\n" + block + LOOPBACK + "\n"
    else:
        raise AssertionError(f"a toml block this test does not know how to apply:\n{block}")
    config.write_text(text)


def test_the_readmes_first_source_works_as_written(tmp_path: Path) -> None:
    steps = _steps()
    assert len(steps) >= 8, "the walkthrough lost its steps"
    stories = [s for s in real_stories(150) if s.isascii()][:3]
    titles = [
        "Ferry timetable changes from Monday",
        "Library extends its opening hours",
        "Council publishes draft budget",
    ]
    preview_paths = [p.removeprefix(SITE) for _, b in steps for p in re.findall(rf"{SITE}/\S+/", b)]
    paths = [*preview_paths, "/2026/12/04/library-hours/", "/2026/12/03/draft-budget/"][:3]
    pages = {path: _article(t, s) for path, t, s in zip(paths, titles, stories, strict=True)}
    env = {k: v for k, v in os.environ.items() if k != "SYNDICATOR_CONFIG"}
    env["PYTHONPATH"] = str(ROOT)  # the commands run elsewhere: this tree's syndicator
    config = tmp_path / "data" / "syndicator.toml"
    with (
        sitemap_site("valley-news", pages) as site,
        WordPressReceiver(username="editor", app_password="abcd EFGH 1234 ijkl MNOP 5678") as wp,
    ):
        outputs: list[tuple[list[str], subprocess.CompletedProcess[str]]] = []
        for language, block in steps:
            block = block.replace(SITE, site.url).replace(PARTNER, wp.url)
            if language == "toml":
                _edit(config, block)
                continue
            for line in block.splitlines():
                if line.startswith("export "):
                    name, value = line.removeprefix("export ").split("=", 1)
                    env[name] = shlex.split(value)[0]
                    continue
                command = line[line.index(".venv/bin/syndicator") :].split("#")[0]
                args = shlex.split(command)[1:]
                result = subprocess.run(
                    [sys.executable, "-m", "syndicator", *args],
                    cwd=tmp_path,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=180,
                )
                assert result.returncode == 0, (args, result.stdout, result.stderr)
                outputs.append((args, result))
        said = {" ".join(args): result.stdout for args, result in outputs}
        assert config.exists() and "wrote data/syndicator.toml" in said["init"]
        preview = next(out for command, out in said.items() if command.startswith("preview"))
        assert titles[0] in preview
        assert "crawl finished; 3 new" in said["crawl"]
        assert said["publish --dry-run"].count("would create") == 3
        assert sorted(p["title"]["raw"] for p in wp.posts.values()) == sorted(titles)
        cron = next(result for args, result in outputs if args[0] == "run")
        assert cron.stdout == "" and cron.stderr == ""
        # the cron line again: nothing new is sent, nothing is said
        again = subprocess.run(
            [sys.executable, "-m", "syndicator", "run", "--quiet"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
        assert len(wp.posts) == 3
