"""A bad config stops every command with one line naming file, key and problem; exit 2."""

from __future__ import annotations

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
            "crawl.delay: Input should be greater than or equal to 0",
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
    assert "# " in target.read_text()
    again = syndicator("init", str(target))
    assert again.returncode == 1
    assert "exists already" in again.stderr


def test_sample_demo_config_is_valid() -> None:
    config = load_config(Path(__file__).parent.parent / "data" / "syndicator.toml")
    assert [s.name for s in config.sources] == ["riverside-herald", "northgate-gazette"]
