"""Related-story teasers: the built-in selectors, a source's own, and the
guarantee that teaser text and body text never mix."""

from __future__ import annotations

from lxml import html as lxml_html

from syndicator.config import Publisher
from syndicator.extraction import extract_page
from syndicator.templates import SAMPLE_ARTICLE, Templates

PARAGRAPHS = [
    f"Paragraph {n} of the story tells readers about the harbour, the council and the long "
    f"winter ahead, in enough words that an extractor keeps it as article text number {n}."
    for n in range(1, 7)
]


def page(related: str, extra_body: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        "<html lang='en'><head><title>Story</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news/'>News</a></nav>"
        f"<article><h1>Story</h1><div class='entry-content'>{body}{extra_body}</div>"
        f"{related}</article><footer>© Site</footer></body></html>"
    )


JETPACK = """
<div id='jp-relatedposts' class='jp-relatedposts'><h3 class="jp-relatedposts-headline"><em>Related</em></h3>
<div class="jp-relatedposts-items jp-relatedposts-items-visual">
<div class="jp-relatedposts-post jp-relatedposts-post0" data-post-id="1">
<a class="jp-relatedposts-post-a" href="/2026/11/one/?utm_source=related"><img class="jp-relatedposts-post-img" src="/img/one.jpg" alt="One"></a>
<h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="/2026/11/one/">First related story</a></h4>
<p class="jp-relatedposts-post-excerpt">The first words of the first related story…</p>
<p class="jp-relatedposts-post-date">November 18, 2026</p><p class="jp-relatedposts-post-context">In "News"</p></div>
<div class="jp-relatedposts-post jp-relatedposts-post1" data-post-id="2">
<h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="/2026/11/two/">Second related story</a></h4>
<p class="jp-relatedposts-post-excerpt">The first words of the second one</p></div></div></div>
"""
YARPP = """
<div class='yarpp yarpp-related yarpp-related-website yarpp-template-list'>
<h3>Related posts:</h3><ol>
<li><a href="/news/alpha/" rel="bookmark" title="Alpha">Alpha headline</a> <small>Alpha excerpt words…</small></li>
<li><a href="/news/beta/" rel="bookmark" title="Beta">Beta headline</a> <small>Beta excerpt words…</small></li>
</ol></div>
"""
CRP = """
<div class="crp_related"><h3>Related Posts:</h3><ul><li><a href="/news/gamma/" class="crp_link post-42">
<figure><img src="/img/gamma.jpg" class="crp_thumb" alt="Gamma" /></figure><span class="crp_title">Gamma headline</span></a>
<span class="crp_excerpt"> Gamma excerpt words</span></li></ul></div>
"""
URL = "http://news.example/2026/11/story/"


def teasers_of(html: str, selectors: dict | None = None) -> list[dict]:
    return extract_page(html, URL, selectors)["teasers"]


def test_jetpack_teasers() -> None:
    result = extract_page(page(JETPACK), URL)
    assert result["teasers"] == [
        {
            "title": "First related story",
            "url": "http://news.example/2026/11/one/",
            "excerpt": "The first words of the first related story…",
            "image_url": "http://news.example/img/one.jpg",
        },
        {
            "title": "Second related story",
            "url": "http://news.example/2026/11/two/",
            "excerpt": "The first words of the second one",
            "image_url": None,
        },
    ]
    assert "related" not in result["body_text"].lower()
    assert all(p in result["body_text"] for p in PARAGRAPHS)


def test_yarpp_teasers() -> None:
    assert [(t["title"], t["url"], t["excerpt"]) for t in teasers_of(page(YARPP))] == [
        ("Alpha headline", "http://news.example/news/alpha/", "Alpha excerpt words…"),
        ("Beta headline", "http://news.example/news/beta/", "Beta excerpt words…"),
    ]


def test_contextual_related_posts_teasers() -> None:
    assert teasers_of(page(CRP)) == [
        {
            "title": "Gamma headline",
            "url": "http://news.example/news/gamma/",
            "excerpt": "Gamma excerpt words",
            "image_url": "http://news.example/img/gamma.jpg",
        }
    ]


def test_generic_related_aside_and_self_links() -> None:
    related = (
        "<aside class='related'><h3>More</h3><a href='/news/delta-ferry-timetable/'>Delta ferry"
        f" timetable changes</a><a href='{URL}'>This very story</a>"
        "<a href='/news/delta-ferry-timetable/#x'>Delta again</a></aside>"
    )
    assert [(t["title"], t["url"]) for t in teasers_of(page(related))] == [
        ("Delta ferry timetable changes", "http://news.example/news/delta-ferry-timetable/")
    ]


def test_a_sources_own_selectors_come_first() -> None:
    related = (
        "<div class='more-from-us'><div class='card'><a href='/x/'><span class='hed'>X head</span>"
        "</a><p class='dek'>X dek</p></div></div>"
    )
    selectors = {"block": [".more-from-us"], "item": ".card", "title": ".hed", "excerpt": ".dek"}
    assert teasers_of(page(related), selectors) == [
        {"title": "X head", "url": "http://news.example/x/", "excerpt": "X dek", "image_url": None}
    ]
    assert teasers_of(page(related)) == []
    xpath = {"block": ["//div[@class='more-from-us']"], "item": "//div[@class='card']"}
    assert [t["title"] for t in teasers_of(page(related), xpath)] == ["X head"]


def test_a_related_class_on_the_article_itself_is_not_a_teaser_block() -> None:
    html = page("").replace("<div class='entry-content'>", "<div class='entry-content related'>")
    result = extract_page(html, URL)
    assert result["teasers"] == []
    assert all(p in result["body_text"] for p in PARAGRAPHS)


def test_inline_related_box_inside_the_body_leaves_the_body() -> None:
    inline = (
        "<aside class='related-posts'><h4>Related</h4><a href='/news/epsilon-ferry-route-opens/'>"
        "Epsilon ferry route opens</a></aside>"
    )
    result = extract_page(page("", extra_body=inline), URL)
    assert [t["title"] for t in result["teasers"]] == ["Epsilon ferry route opens"]
    assert "Epsilon" not in result["body_text"]


def test_a_teaser_without_an_excerpt_shows_its_title_once_then_the_ellipsis_link() -> None:
    with_excerpt = {
        "position": 0,
        "title": "Ferry timetable changes",
        "url": "https://news.example.org/ferry/",
        "excerpt": "From Monday the first boat leaves at six",
        "image_url": None,
    }
    bare = [
        {**with_excerpt, "position": n, "title": title, "url": url, "excerpt": excerpt}
        for n, (title, url, excerpt) in enumerate(
            [
                ("Council approves the harbour budget", "https://news.example.org/budget/", ""),
                ("Bridge closes for repairs", "https://news.example.org/bridge/", None),
            ],
            start=1,
        )
    ]
    article = {**SAMPLE_ARTICLE, "teasers": [with_excerpt, *bare]}
    publisher = Publisher(name="P", contact_url="https://publisher.example/contact")
    page = Templates(publisher).render(article, {"name": "s", "title": "S", "licence": None}).page
    shown = lxml_html.fromstring(page).xpath("//p[@class='syndicator-teaser']")
    texts = [" ".join(" ".join(p.itertext()).split()) for p in shown]
    assert texts == [
        "Ferry timetable changes From Monday the first boat leaves at six […]",
        "Council approves the harbour budget […]",
        "Bridge closes for repairs […]",
    ]
    for p, teaser in zip(shown, [with_excerpt, *bare], strict=True):
        assert p.xpath("string(a[last()])") == "[…]"
        assert p.xpath("a[last()]/@href") == [teaser["url"]]


def test_a_teaser_without_excerpt_shows_the_first_words_of_a_stored_story(tmp_path) -> None:
    """The page shows no excerpt, the related story is in the store: the copy
    shows its first words (issue: the excerpt, else the story's start, else the
    title alone)."""
    from pipelines.render import RenderPipeline
    from syndicator.config import load_config
    from syndicator.items import ArticleItem
    from syndicator.store import Store, article_id
    from tests.conftest import write_config

    config = load_config(write_config(tmp_path / "c.toml", [{"name": "s", "feeds": [URL]}]))
    store = Store(tmp_path / "store.db")
    related = "http://news.example/2026/11/harbour-ferry-timetable-changes/"
    store.save_article(
        {
            "id": article_id(related),
            "source": "s",
            "url": related,
            "canonical_url": related,
            "content_hash": "x",
            "body_text": "Ferries will leave the harbour twenty minutes earlier from Monday, "
            "the operator said.",
        },
        [],
    )
    store.flush()
    item = ArticleItem(url=URL, source="s", title="Story", body_html="<p>Body.</p>")
    item.teasers = [
        {
            "title": "Harbour ferry timetable changes",
            "url": related + "?utm_source=rel",
            "excerpt": "",
        },
        {
            "title": "A story nobody stored",
            "url": "http://news.example/2026/11/elsewhere-story/",
            "excerpt": "",
        },
    ]
    copy = RenderPipeline(config, store).process_item(item).republish_html
    assert "Ferries will leave the harbour twenty minutes earlier" in copy
    assert "utm_source" not in copy
    assert copy.count("A story nobody stored") == 1
    store.close()
