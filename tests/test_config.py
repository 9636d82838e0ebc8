"""A bad config stops every command with one line naming file, key and problem; exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syndicator.config import ConfigError, load_config
from tests.conftest import syndicator

GOOD_SOURCE = """
[[sources]]
name = "herald"
feeds = ["https://herald.example/feed/"]
"""
PUBLISHER = """
[publisher]
name = "P"
contact_url = "https://p.example/contact"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            PUBLISHER + GOOD_SOURCE.replace('name = "herald"', 'name = "herald"\nfeeeds = []'),
            "sources[0] (herald).feeeds: unknown key",
        ),
        (
            PUBLISHER + GOOD_SOURCE.replace('"https://herald.example/feed/"', '"htp:/x"'),
            "sources[0] (herald).feeds[0]: not an http(s) URL: 'htp:/x'",
        ),
        (
            PUBLISHER + GOOD_SOURCE + "min_words = 'many'\n",
            "sources[0] (herald).min_words: Input should be a valid integer, unable to parse string"
            " as an integer (got 'many')",
        ),
        (
            GOOD_SOURCE.replace("[[sources]]", '[publisher]\nname = "P"\n\n[[sources]]'),
            "publisher.contact_url: required key is missing",
        ),
        (
            PUBLISHER + '[[sources]]\nname = "s"\nsections = ["https://s.example/news/"]\n',
            "sources[0] (s): sections need an article_pattern",
        ),
        (
            PUBLISHER + 'disclaimer_template = "<p>{{ publisher.name }</p>"\n' + GOOD_SOURCE,
            "publisher.disclaimer_template: template error on line 1: unexpected '}'",
        ),
        (
            PUBLISHER + 'attribution_template = "<p>{{ article.auther }}</p>"\n' + GOOD_SOURCE,
            "publisher.attribution_template: 'dict object' has no attribute 'auther'",
        ),
        (PUBLISHER + GOOD_SOURCE + GOOD_SOURCE, "sources: two sources are named 'herald'"),
        (
            PUBLISHER + "[crawl]\ndelay = -1\n" + GOOD_SOURCE,
            "crawl.delay: must be from 0 to 300 seconds (got -1)",
        ),
        ("[publisher\n", "not valid TOML"),
        (
            PUBLISHER + GOOD_SOURCE.replace("https://herald", "https://ed:hunter2@herald"),
            "sources[0] (herald).feeds[0]: a URL must not carry a user name or password",
        ),
        (
            PUBLISHER + GOOD_SOURCE + "[sources.teasers]\nblock = ['div[[x']\n",
            "sources[0] (herald).teasers: bad CSS selector 'div[[x'",
        ),
        (
            PUBLISHER + GOOD_SOURCE + "[sources.teasers]\nitem = '//div[@'\n",
            "sources[0] (herald).teasers: bad XPath selector '//div[@'",
        ),
    ],
)
def test_bad_config_names_file_key_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    line = str(caught.value)
    assert "\n" not in line
    assert "hunter2" not in line
    assert line.startswith(f"{path}: ")
    assert message in line


# Every number in the config has a finite range; TOML's inf and nan are refused
# like any other number out of it (a delay of inf or 1e9 made a crawl that
# printed nothing and ignored SIGTERM).
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[crawl]\ndelay = inf\n", "crawl.delay: must be from 0 to 300 seconds (got inf)"),
        ("[crawl]\ndelay = nan\n", "crawl.delay: must be from 0 to 300 seconds (got nan)"),
        (
            "[crawl]\ndelay = 1e9\n",
            "crawl.delay: must be from 0 to 300 seconds (got 1000000000.0)",
        ),
        ("[crawl]\ntimeout = 0\n", "crawl.timeout: must be from 1 to 600 seconds (got 0)"),
        (
            "[crawl]\nmax_response_bytes = 1e12\n",
            "crawl.max_response_bytes: must be from 1,024 to 1,073,741,824 bytes",
        ),
        (
            "[crawl]\nconcurrency_per_domain = 1.5\n",
            "crawl.concurrency_per_domain: must be a whole number from 1 to 64 (got 1.5)",
        ),
        ("[dedup]\nthreshold = 0\n", "dedup.threshold: must be more than 0 and at most 1 (got 0)"),
        (
            "[[dedup.recheck]]\nmax_age_days = inf\nevery_hours = 1\n",
            "dedup.recheck[0].max_age_days: must be more than 0 and at most 3,650 days (got inf)",
        ),
        (
            "[extraction]\ntimeout = 1e9\n",
            "extraction.timeout: must be more than 0 and at most 600 seconds",
        ),
        (
            "[cluster]\nredis_url = 'redis://127.0.0.1:6379/0'\nwait_timeout = inf\n",
            "cluster.wait_timeout: must be more than 0 and at most 604,800 seconds (got inf)",
        ),
        (
            GOOD_SOURCE.strip() + "\nmax_articles_per_run = 0\n",
            "sources[0] (herald).max_articles_per_run: must be from 1 to 1,000,000 (got 0)",
        ),
        (
            GOOD_SOURCE.strip() + "\nmax_sitemaps_per_run = 100000\n",
            "sources[0] (herald).max_sitemaps_per_run: must be from 1 to 10,000 (got 100000)",
        ),
        (
            GOOD_SOURCE.strip() + "\nsitemap_depth = 0\n",
            "sources[0] (herald).sitemap_depth: must be from 1 to 10 (got 0)",
        ),
        (
            GOOD_SOURCE.strip() + '\nsitemaps = ["https://h.example/a", "https://h.example/b"]'
            "\nmax_sitemaps_per_run = 1\n",
            "sources[0] (herald): sitemaps lists 2 sitemaps, more than max_sitemaps_per_run (1)",
        ),
        (
            GOOD_SOURCE.strip() + "\n[sources.crawl]\ndelay = 301\n",
            "sources[0] (herald).crawl.delay: must be from 0 to 300 seconds (got 301)",
        ),
        (
            GOOD_SOURCE.strip() + '\nallow_networks = ["127.0.0.1/8"]\n',
            "sources[0] (herald).allow_networks[0]: '127.0.0.1/8' has host bits set; "
            "write the network, '127.0.0.0/8'",
        ),
        (
            GOOD_SOURCE.strip() + '\nallow_networks = ["fd00::1/8"]\n',
            "'fd00::1/8' has host bits set; write the network, 'fd00::/8'",
        ),
        (
            GOOD_SOURCE.strip() + '\nallow_networks = ["intranet"]\n',
            "sources[0] (herald).allow_networks[0]: not an IP network: 'intranet'",
        ),
        (
            GOOD_SOURCE + '[[partners]]\nname = "wp"\nkind = "wordpress"\n'
            'url = "https://wp.example"\nusername = "u"\npassword_env = "WP"\ntimeout = inf\n'
            'allow_networks = ["10.1.2.3/8"]\n',
            "partners[0] (wp).timeout: must be from 1 to 600 seconds (got inf) (and 1 more problem)",
        ),
    ],
)
def test_numbers_out_of_range_name_the_key_and_the_range(
    tmp_path: Path, text: str, message: str
) -> None:
    body = text if text.startswith("[[sources]]") or "\n[[sources]]" in text else text + GOOD_SOURCE
    path = write(tmp_path, PUBLISHER + body)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    line = str(caught.value)
    assert "\n" not in line
    assert line == f"{path}: {message}" or (message in line and line.startswith(f"{path}: "))


def test_every_number_has_a_finite_range() -> None:
    """No numeric key of any table is left without both bounds: each refuses
    a huge value (and so inf) with the same one-line message."""
    from pydantic import BaseModel

    from syndicator import config as module

    unbounded = []
    for model in vars(module).values():
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        for name, field in model.model_fields.items():
            annotation = str(field.annotation)
            if not ("int" in annotation or "float" in annotation) or "bool" in annotation:
                continue
            if "list" in annotation or "dict" in annotation:
                continue
            try:
                model.__pydantic_validator__.validate_assignment(
                    model.model_construct(), name, 10**30
                )
            except Exception as exc:
                if "must be" in str(exc):
                    continue
            unbounded.append(f"{model.__name__}.{name}")
    assert unbounded == []


def test_bad_config_exits_2_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, PUBLISHER + GOOD_SOURCE.replace('"https://herald.example/feed/"', '"x"'))
    for command in (["crawl"], ["status"]):
        result = syndicator(*command, config=path)
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            f"syndicator: error: {path}: sources[0] (herald).feeds[0]: not an http(s) URL: 'x'\n"
        )
        assert result.stdout == ""


def test_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    result = syndicator("crawl", config=tmp_path / "nope.toml")
    assert result.returncode == 2
    assert "config file not found (write one with `syndicator init`)" in result.stderr


def test_config_from_environment_variable(tmp_path: Path) -> None:
    path = write(tmp_path, PUBLISHER + GOOD_SOURCE + "bogus = 1\n")
    result = syndicator("status", env={"SYNDICATOR_CONFIG": str(path)})
    assert result.returncode == 2
    assert f"{path}: sources[0] (herald).bogus: unknown key" in result.stderr


def test_init_writes_a_valid_commented_config(tmp_path: Path) -> None:
    target = tmp_path / "new.toml"
    result = syndicator("init", str(target))
    assert result.returncode == 0, result.stderr
    config = load_config(target)
    assert config.sources[0].name == "example-news"
    text = target.read_text()
    assert "# " in text
    # as complete as the demo's: the author in the attribution, a word on
    # allow_networks, and every commented example valid once uncommented
    assert "article.author" in text and "allow_networks" in text
    uncommented = tmp_path / "uncommented.toml"
    uncommented.write_text(re.sub(r"(?m)^# ((\[|[a-z_]+ = ).*)$", r"\1", text))
    full = load_config(uncommented)
    assert [p.kind for p in full.partners] == ["wordpress", "webhook", "atom"]
    assert full.sources[0].gate.language == "en" and full.cluster is not None
    again = syndicator("init", str(target))
    assert again.returncode == 1
    assert "exists already" in again.stderr


def test_sample_demo_config_is_valid() -> None:
    config = load_config(Path(__file__).parent.parent / "data" / "demo" / "syndicator.toml")
    assert [s.name for s in config.sources] == ["riverside-herald", "northgate-gazette"]


def test_an_unknown_source_or_partner_is_exit_1_not_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, PUBLISHER + GOOD_SOURCE)
    for args, named in (
        (("crawl", "--source", "heral"), "no source named 'heral' (known: herald)"),
        (("publish", "--partner", "wp"), "no partner named 'wp' (known: none)"),
        (("retry", "--partner", "wp"), "no partner named 'wp' (known: none)"),
    ):
        result = syndicator(*args, config=path)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and named in result.stderr


def test_config_after_the_command_name_is_the_config(tmp_path: Path) -> None:
    path = write(tmp_path, PUBLISHER + GOOD_SOURCE + "bogus = 1\n")
    for args in (("status", "--config", str(path)), ("status", f"--config={path}")):
        result = syndicator(*args)
        assert result.returncode == 2, result.stderr
        assert f"{path}: sources[0] (herald).bogus: unknown key" in result.stderr


def test_the_groups_options_after_the_command_name_are_the_groups() -> None:
    from syndicator.cli import hoist_config

    # as cron lines are written: `syndicator run --quiet`
    assert hoist_config(["run", "--quiet"]) == ["--quiet", "run"]
    assert hoist_config(["crawl", "-vv", "--source", "x", "--log-format", "json"]) == [
        "-vv",
        "--log-format",
        "json",
        "crawl",
        "--source",
        "x",
    ]
    assert hoist_config(["-q", "status", "--log-format=json"]) == [
        "-q",
        "--log-format=json",
        "status",
    ]
    # after `--` everything is the command's
    assert hoist_config(["search", "--", "-q"]) == ["search", "--", "-q"]
