"""Related-story teasers on hand-built article pages, crawled from a local site.

Every page is an article of one made-up news site, "The Quayside Courier" (and its
foreign-language editions under /de/, /it/, ...), written the way news sites and
WordPress themes write pages: a header menu of sections, nested divs, cards with an
image link, a kicker, a headline link, a date and an excerpt, lazy images, data-
attributes, a sidebar of widgets, comments. The whole file is one ``syndicator
crawl`` of a sitemap listing them all, with default settings (``min_words`` 80:
every page has a real body). The rules are RULES.md of
``../shared/corpora/zyte-aeb/teasers/`` (the labels the teaser benchmark scores).

Blocks that must give teasers, exactly these, in page order:

- harbour-strike: a plain ``<section>`` recognisable only by its heading "Related
  stories" holds six cards; all six kept in order. Each card has an image link
  (lazy image), a section link ("World" -> /world/) or a label ("Explainer"), the
  headline link, a date and sometimes an excerpt: the title is the headline alone,
  the excerpt is the card's dek or nothing, never the date; the URL is as the card
  links it (RULES.md rule 9: resolved, ``#fragment`` dropped, its query kept; the
  republished copy links it without tracking parameters).
- lesen-sie-auch (German): "Lesen Sie auch", relative ``../`` links, a date beside
  each link.
- articoli-correlati (Italian): cards with a kicker (occhiello) and an excerpt.
- relacionadas (Spanish): the page has ``<base href>``; links resolve against it.
- sur-le-meme-sujet (French): the heading is a ``<p>``; links carry tracking
  parameters and fragments.
- zobacz-takze (Polish): the same story linked twice, once with a tracking
  parameter and another headline: one teaser, the first.
- chitayte-takzhe (Russian): one of the links is the page itself: not a teaser.
- you-may-also-like: WordPress theme cards where the headline link comes after
  an image link and a category link, with a date link to a day archive.
- more-on-this-story: the heading is a link to a topic page (not a teaser); the
  dates are never excerpts.
- theme-class-nobody-lists: ``div.c-story-list__more`` headed "Related coverage",
  whole cards inside one link.
- jetpack: Jetpack's related posts (must keep working); date and "In News" context
  are not excerpts; a post without an excerpt is republished with its title once,
  then "[…]".
- heading-decides: rule 5 both ways: a ``div.related-posts`` headed "Latest" is
  no teaser block; a ``widget_popular_posts`` headed "Related" is one.
- most-read-same-markup: a genuine "Related stories" block next to a "Most read"
  block with the very same card markup, and "Trending" and "Latest news" lists in
  the sidebar: only the related stories.
- image-only-cards: a ``div.related-posts`` whose image-only cards (alt text, no
  headline) are not teasers; its two headline cards are, though each shows a
  section link ("Science" -> /science/) before its headline and a date after it
  (neither the teaser's URL nor its excerpt).

Traps that must give no teaser at all (each also checked by its own links):

- wordpress-chrome: section menu ("Tech" -> /tech/), breadcrumb, share buttons,
  tag cloud, author box, previous/next post links, a multi-page post's pager,
  comments (with a pager and a commenter's link), a forum/login link list.
- offsite-widgets: "Promoted stories", "Around the web" and "You may like"
  recommendation widgets linking to other sites.
- read-also-in-body: a one-link "Read also:" paragraph between two body
  paragraphs; it is cut from the stored body as well, the paragraphs around it kept.
"""

from __future__ import annotations

import html as html_lib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html

from syndicator.demo.siteserver import Site
from syndicator.urls import normalize_url
from tests.conftest import query, syndicator, write_config

Teaser = tuple[str, str, str]  # (URL path, or the whole URL when off-site; title; excerpt)


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    title: str
    body: tuple[str, ...]
    expected: tuple[Teaser, ...] = ()
    lang: str = "en"
    in_body: dict[int, str] = field(default_factory=dict)  # HTML after body paragraph n
    after_body: str = ""  # inside the article, after its text
    before_article: str = ""
    after_article: str = ""
    sidebar: str = ""
    head: str = ""


# --- the site's chrome, on every page ---------------------------------------------------

SECTION_MENU = """
<nav id="site-navigation" class="main-navigation" aria-label="Sections">
  <button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Menu</button>
  <div class="menu-main-container"><ul id="primary-menu" class="menu nav-menu">
    <li class="menu-item menu-item-type-taxonomy"><a href="/news/">News</a></li>
    <li class="menu-item menu-item-type-taxonomy"><a href="/world/">World</a></li>
    <li class="menu-item menu-item-type-taxonomy"><a href="/business/">Business</a></li>
    <li class="menu-item menu-item-type-taxonomy current-post-ancestor"><a href="/tech/">Tech</a></li>
    <li class="menu-item menu-item-type-taxonomy"><a href="/science/">Science</a></li>
    <li class="menu-item menu-item-type-taxonomy"><a href="/sport/">Sport</a></li>
    <li class="menu-item menu-item-type-taxonomy"><a href="/opinion/">Opinion</a></li>
  </ul></div>
  <ul class="editions"><li><a href="/de/" hreflang="de">DE</a></li><li><a href="/it/" hreflang="it">IT</a></li>
    <li><a href="/es/" hreflang="es">ES</a></li><li><a href="/fr/" hreflang="fr">FR</a></li>
    <li><a href="/pl/" hreflang="pl">PL</a></li><li><a href="/ru/" hreflang="ru">RU</a></li></ul>
</nav>"""

FOOTER = """
<footer id="colophon" class="site-footer">
  <div class="footer-widgets"><section class="widget widget_nav_menu"><h2 class="widget-title">Sections</h2>
    <ul class="menu"><li><a href="/news/">News</a></li><li><a href="/business/">Business</a></li>
    <li><a href="/science/">Science</a></li><li><a href="/sport/">Sport</a></li></ul></section></div>
  <div class="site-info">© 2026 The Quayside Courier · <a href="/about/">About us</a> ·
    <a href="/privacy-policy/">Privacy</a> · <a href="/contact/">Contact</a></div>
</footer>"""

NEWSLETTER = """
<section id="custom_html-2" class="widget_text widget widget_custom_html">
  <h2 class="widget-title">Newsletter</h2><div class="textwidget custom-html-widget">
  <p>The day's news from the harbour, every morning at seven.</p>
  <form class="newsletter-form" action="/newsletter/" method="post"><input type="email" name="email">
  <button type="submit">Sign up</button></form></div></section>"""


def render(page: Page, site: str) -> str:
    """The page as the site serves it."""
    paragraphs = []
    for n, text in enumerate(page.body, start=1):
        paragraphs.append(f"<p>{html_lib.escape(text)}</p>")
        paragraphs.append(page.in_body.get(n, ""))
    return f"""<!DOCTYPE html>
<html lang="{page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html_lib.escape(page.title)} – The Quayside Courier</title>
<link rel="canonical" href="{site}{page.path}">
<meta property="og:type" content="article">
<meta property="og:title" content="{html_lib.escape(page.title)}">
<meta property="article:published_time" content="2026-03-12T08:30:00+00:00">
{page.head}
<script>window.dataLayer = window.dataLayer || [];</script>
</head>
<body class="post-template-default single single-post single-format-standard">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>
<header id="masthead" class="site-header">
  <div class="site-branding"><p class="site-title"><a href="/" rel="home">The Quayside Courier</a></p></div>
  {SECTION_MENU}
</header>
<div id="content" class="site-content"><div class="container"><div class="row">
<main id="primary" class="site-main col-lg-8">
{page.before_article}
<article id="post-{zlib.crc32(page.path.encode()) % 9000 + 1000}" class="post type-post status-publish format-standard has-post-thumbnail hentry">
  <header class="entry-header">
    <h1 class="entry-title">{html_lib.escape(page.title)}</h1>
    <div class="entry-meta"><span class="byline">By <span class="author vcard">Newsroom staff</span></span>
      <span class="posted-on"><time class="entry-date published" datetime="2026-03-12T08:30:00+00:00">March 12, 2026</time></span></div>
  </header>
  <div class="entry-content">
    {"".join(paragraphs)}
  </div>
  {page.after_body}
</article>
{page.after_article}
</main>
<aside id="secondary" class="widget-area col-lg-4">{page.sidebar}{NEWSLETTER}</aside>
</div></div></div>
{FOOTER}
</div>
</body>
</html>"""


# --- cards, as themes write them ------------------------------------------------------

PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="


def story_card(
    href: str,
    title: str,
    image: str,
    *,
    section: str = "",
    label: str = "",
    dek: str = "",
    date: str,
) -> str:
    """A news theme's card: image link, section link or label, headline link, excerpt, date."""
    kicker = (
        f'<a class="story-card__kicker" href="/{section.lower()}/">{section}</a>'
        if section
        else f'<span class="story-card__label">{label}</span>'
    )
    summary = f'<p class="story-card__dek">{html_lib.escape(dek)}</p>' if dek else ""
    return f"""
    <div class="story-card" data-story-id="{zlib.crc32(href.encode()) % 90000}" data-position="card">
      <a class="story-card__media" href="{href}" tabindex="-1" aria-hidden="true">
        <img class="story-card__img lazyload" src="{PIXEL}" data-src="{image}" alt="" width="640" height="360"></a>
      <div class="story-card__body">
        {kicker}
        <h3 class="story-card__headline"><a href="{href}">{html_lib.escape(title)}</a></h3>
        {summary}
        <p class="story-card__info"><time datetime="2026-03-01">{date}</time></p>
      </div>
    </div>"""


def story_package(heading: str, cards: str) -> str:
    anchor = "pkg-" + heading.lower().replace(" ", "-")
    return f"""
<section class="story-package" aria-labelledby="{anchor}">
  <div class="story-package__inner">
    <h2 id="{anchor}" class="story-package__heading">{heading}</h2>
    <div class="story-package__grid">{cards}
    </div>
  </div>
</section>"""


# --- positive pages ---------------------------------------------------------------------

HARBOUR_STRIKE = Page(
    name="harbour-strike",
    path="/world/2026/03/harbour-strike-enters-second-week/",
    title="Harbour strike enters its second week",
    body=(
        "Dock workers at Portmere's container terminal stayed off the job for an eighth day on Monday, leaving eleven ships waiting at anchor in the outer roads and pushing the backlog of unloaded boxes past four thousand, according to the port authority.",
        "The dispute began over a new rota that would move most crews onto twelve-hour night shifts. Union officials say the change was announced without consultation; the terminal's operator says it was discussed at three meetings last autumn and that the minutes prove it.",
        "Hauliers who normally collect from the quay have parked their lorries along the ring road, and two supermarket chains warned that fresh fruit deliveries to the region could be late by the weekend if no agreement is reached.",
        "Talks are due to resume on Wednesday at the offices of the conciliation service, which has asked both sides not to comment publicly until then.",
    ),
    after_article=story_package(
        "Related stories",
        story_card(
            "/world/2026/03/dockers-vote-on-pay-offer/",
            "Dockers to vote on revised pay offer",
            "/media/2026/03/dockers-640x360.jpg",
            section="World",
            dek="The union will announce the ballot result on Friday.",
            date="Mar 10, 2026",
        )
        + story_card(
            "/business/2026/03/terminal-operator-reports-record-profits/",
            "Terminal operator reports record profits",
            "/media/2026/03/terminal-640x360.jpg",
            section="Business",
            dek="Higher storage fees lifted earnings by a fifth last year.",
            date="Mar 6, 2026",
        )
        + story_card(
            "/world/2026/02/night-shift-rota-explained/",
            "What the new night-shift rota would change",
            "/media/2026/02/rota-640x360.jpg",
            label="Explainer",
            date="Feb 27, 2026",
        )
        + story_card(
            "/world/2026/02/ships-diverted-to-northbay/?utm_source=related&utm_medium=web",
            "Two cargo ships diverted to Northbay",
            "/media/2026/02/ships-640x360.jpg",
            section="World",
            dek="Both vessels were carrying refrigerated goods for local shops.",
            date="Feb 21, 2026",
        )
        + story_card(
            "/opinion/2026/03/the-port-needs-a-deal-not-a-fight/",
            "The port needs a deal, not a fight",
            "/media/2026/03/opinion-640x360.jpg",
            label="Opinion",
            date="Mar 9, 2026",
        )
        + story_card(
            "/world/2026/01/how-the-last-dock-strike-ended/#timeline",
            "How the last dock strike ended, in 1998",
            "/media/2026/01/1998-640x360.jpg",
            section="World",
            dek="A look back at the eleven-week stoppage and the deal that closed it.",
            date="Jan 30, 2026",
        ),
    ),
    expected=(
        (
            "/world/2026/03/dockers-vote-on-pay-offer/",
            "Dockers to vote on revised pay offer",
            "The union will announce the ballot result on Friday.",
        ),
        (
            "/business/2026/03/terminal-operator-reports-record-profits/",
            "Terminal operator reports record profits",
            "Higher storage fees lifted earnings by a fifth last year.",
        ),
        (
            "/world/2026/02/night-shift-rota-explained/",
            "What the new night-shift rota would change",
            "",
        ),
        (
            "/world/2026/02/ships-diverted-to-northbay/?utm_source=related&utm_medium=web",
            "Two cargo ships diverted to Northbay",
            "Both vessels were carrying refrigerated goods for local shops.",
        ),
        (
            "/opinion/2026/03/the-port-needs-a-deal-not-a-fight/",
            "The port needs a deal, not a fight",
            "",
        ),
        (
            "/world/2026/01/how-the-last-dock-strike-ended/",
            "How the last dock strike ended, in 1998",
            "A look back at the eleven-week stoppage and the deal that closed it.",
        ),
    ),
)

LESEN_SIE_AUCH = Page(
    name="lesen-sie-auch",
    path="/de/wirtschaft/2026/03/werft-erhaelt-grossauftrag/",
    title="Werft in Portmere erhält Großauftrag für drei Fähren",
    lang="de",
    body=(
        "Die Werft am Nordkai hat einen Auftrag über den Bau von drei Elektrofähren erhalten. Nach Angaben der Geschäftsführung hat der Vertrag einen Wert von rund 140 Millionen Euro und sichert die Arbeit von etwa 600 Beschäftigten bis mindestens Ende 2029.",
        "Die Schiffe sollen ab dem Sommer 2028 zwischen Portmere und den vorgelagerten Inseln verkehren. Jede Fähre bietet Platz für 400 Fahrgäste und sechzig Autos und wird im Hafen innerhalb von zwanzig Minuten geladen.",
        "Der Betriebsrat begrüßte die Entscheidung, mahnte aber zusätzliche Ausbildungsplätze an. Viele erfahrene Schweißer gingen in den kommenden Jahren in Rente, sagte eine Sprecherin, und ohne Nachwuchs sei der Zeitplan kaum zu halten.",
    ),
    after_body="""
<div class="article-box article-box--links" data-tracking-area="inline-links">
  <h3 class="article-box__title">Lesen Sie auch</h3>
  <ul class="article-box__list">
    <li class="article-box__item"><a href="../../02/hafengebuehren-steigen-ab-april/">Hafengebühren steigen ab April</a>
      <span class="article-box__date">24.02.2026</span></li>
    <li class="article-box__item"><a href="../neue-ausbildungswerkstatt-eroeffnet/">Neue Ausbildungswerkstatt am Nordkai eröffnet</a>
      <span class="article-box__date">05.03.2026</span></li>
    <li class="article-box__item"><a href="../../../../lokales/2026/03/inselfaehre-faellt-aus/">Inselfähre fällt bis Freitag aus</a>
      <span class="article-box__date">09.03.2026</span></li>
  </ul>
</div>""",
    expected=(
        (
            "/de/wirtschaft/2026/02/hafengebuehren-steigen-ab-april/",
            "Hafengebühren steigen ab April",
            "",
        ),
        (
            "/de/wirtschaft/2026/03/neue-ausbildungswerkstatt-eroeffnet/",
            "Neue Ausbildungswerkstatt am Nordkai eröffnet",
            "",
        ),
        ("/de/lokales/2026/03/inselfaehre-faellt-aus/", "Inselfähre fällt bis Freitag aus", ""),
    ),
)


def italian_item(href: str, kicker: str, title: str, summary: str) -> str:
    return f"""
    <article class="box-item">
      <a class="box-item__img" href="{href}"><img loading="lazy" src="/it/img/{href.rsplit("/", 2)[-2]}.jpg" alt=""></a>
      <span class="occhiello">{kicker}</span>
      <h4 class="box-item__titolo"><a href="{href}">{title}</a></h4>
      <p class="sommario">{summary}</p>
    </article>"""


ARTICOLI_CORRELATI = Page(
    name="articoli-correlati",
    path="/it/cronaca/2026/03/il-porto-chiude-per-nebbia/",
    title="Nebbia fitta, il porto chiude per sei ore",
    lang="it",
    body=(
        "Una nebbia insolitamente fitta ha costretto la capitaneria a chiudere il porto di Portmere dalle quattro alle dieci di mattina. Nessuna nave è stata autorizzata a entrare o a lasciare gli ormeggi, e tre traghetti diretti alle isole sono rimasti in banchina.",
        "I passeggeri hanno atteso nella stazione marittima, dove il personale ha distribuito caffè e coperte. Alcuni pendolari hanno rinunciato al viaggio e sono tornati a casa, mentre chi doveva prendere coincidenze aeree ha chiesto un rimborso.",
        "Secondo il servizio meteorologico regionale, fenomeni simili potrebbero ripetersi nei prossimi giorni a causa dell'aria calda sopra un mare ancora freddo. La capitaneria ha promesso avvisi con almeno dodici ore di anticipo.",
    ),
    after_article=f"""
<aside class="box-approfondimento" data-box="correlati">
  <div class="box-approfondimento__head"><h3>Articoli correlati</h3></div>
  <div class="box-approfondimento__list">
  {italian_item("/it/cronaca/2026/02/un-nuovo-radar-per-la-capitaneria/", "Sicurezza", "Un nuovo radar per la capitaneria", "Il sistema sostituisce quello installato nel 1994.")}
  {italian_item("/it/cronaca/2026/03/traghetti-ecco-gli-orari-estivi/", "Trasporti", "Traghetti, ecco gli orari estivi", "Dal primo giugno due corse in più al giorno verso le isole.")}
  {italian_item("/it/ambiente/2026/01/un-inverno-con-il-mare-piu-caldo/", "Ambiente", "Un inverno con il mare più caldo del solito", "Le boe hanno registrato due gradi sopra la media di gennaio.")}
  </div>
</aside>""",
    expected=(
        (
            "/it/cronaca/2026/02/un-nuovo-radar-per-la-capitaneria/",
            "Un nuovo radar per la capitaneria",
            "Il sistema sostituisce quello installato nel 1994.",
        ),
        (
            "/it/cronaca/2026/03/traghetti-ecco-gli-orari-estivi/",
            "Traghetti, ecco gli orari estivi",
            "Dal primo giugno due corse in più al giorno verso le isole.",
        ),
        (
            "/it/ambiente/2026/01/un-inverno-con-il-mare-piu-caldo/",
            "Un inverno con il mare più caldo del solito",
            "Le boe hanno registrato due gradi sopra la media di gennaio.",
        ),
    ),
)


def spanish_item(href: str, title: str, date: str) -> str:
    return f"""
    <article class="noticia-mini">
      <figure class="noticia-mini__foto"><a href="{href}"><img data-lazy-src="/es/fotos/{href.rsplit("/", 2)[-2]}.jpg" src="{PIXEL}" alt=""></a></figure>
      <h2 class="noticia-mini__titulo"><a href="{href}">{title}</a></h2>
      <span class="noticia-mini__fecha">{date}</span>
    </article>"""


RELACIONADAS = Page(
    name="relacionadas",
    path="/es/sociedad/2026/03/el-puerto-amplia-su-horario/",
    title="El puerto amplía su horario de atención al público",
    lang="es",
    head="<base href='{SITE}/es/'>",
    body=(
        "La autoridad portuaria de Portmere abrirá sus oficinas de atención al público también por la tarde a partir del lunes. Hasta ahora, quienes necesitaban un permiso de amarre o una tarjeta de acceso al muelle solo podían tramitarlo entre las nueve y las dos.",
        "La medida responde a las quejas de los pescadores, que a esas horas suelen estar en el mar, y de los pequeños transportistas, que decían perder media jornada de trabajo en cada gestión.",
        "Además, la mayoría de los trámites podrá hacerse por internet antes del verano. La autoridad calcula que así se reducirán a la mitad las colas que se forman cada mañana frente a la ventanilla del edificio de aduanas.",
    ),
    after_article=f"""
<section class="bloque-noticias bloque-noticias--pie">
  <h4 class="bloque-noticias__titulo">Relacionadas</h4>
  {spanish_item("sociedad/2026/02/nuevo-carril-bici-en-el-paseo/", "Nuevo carril bici en el paseo marítimo", "20/02/2026")}
  {spanish_item("economia/2026/03/los-pescadores-piden-mas-cuota/", "Los pescadores piden más cuota de merluza", "04/03/2026")}
  {spanish_item("sociedad/2026/01/aduanas-se-traslada-al-muelle-sur/", "La oficina de aduanas se traslada al muelle sur", "15/01/2026")}
</section>""",
    expected=(
        (
            "/es/sociedad/2026/02/nuevo-carril-bici-en-el-paseo/",
            "Nuevo carril bici en el paseo marítimo",
            "",
        ),
        (
            "/es/economia/2026/03/los-pescadores-piden-mas-cuota/",
            "Los pescadores piden más cuota de merluza",
            "",
        ),
        (
            "/es/sociedad/2026/01/aduanas-se-traslada-al-muelle-sur/",
            "La oficina de aduanas se traslada al muelle sur",
            "",
        ),
    ),
)

SUR_LE_MEME_SUJET = Page(
    name="sur-le-meme-sujet",
    path="/fr/societe/2026/03/la-criee-change-d-horaires/",
    title="La criée change d'horaires pour l'été",
    lang="fr",
    body=(
        "À partir du 1er avril, la vente aux enchères du poisson à la criée de Portmere commencera à cinq heures du matin au lieu de six. Les mareyeurs l'ont demandé pour pouvoir livrer les restaurants de la côte avant l'arrivée des touristes.",
        "Les patrons de pêche sont partagés. Certains saluent une décision qui permettra de vendre plus tôt le poisson débarqué la nuit, d'autres craignent de devoir rentrer au port plus vite et de perdre une partie de la marée.",
        "La chambre de commerce, qui gère le bâtiment, promet un premier bilan à la fin de l'été. Si les prix baissent ou si les volumes vendus reculent, les anciens horaires pourraient être rétablis dès l'automne.",
    ),
    after_body="""
<section class="encart-liens" data-encart="fin-article">
  <p class="encart-liens__titre">Sur le même sujet</p>
  <ul class="encart-liens__liste">
    <li><a class="encart-liens__lien" href="/fr/economie/2026/03/le-prix-du-bar-s-envole/?utm_source=article&amp;utm_medium=encart">Le prix du bar s'envole sur les étals</a></li>
    <li><a class="encart-liens__lien" href="/fr/societe/2026/02/une-nouvelle-halle-a-maree/#xtor=AL-32280270">Une nouvelle halle à marée pour 2027</a></li>
    <li><a class="encart-liens__lien" href="/fr/societe/2026/01/les-mareyeurs-peinent-a-recruter/?utm_campaign=sujet#commentaires">Les mareyeurs peinent à recruter</a></li>
  </ul>
</section>""",
    expected=(
        (
            "/fr/economie/2026/03/le-prix-du-bar-s-envole/?utm_source=article&utm_medium=encart",
            "Le prix du bar s'envole sur les étals",
            "",
        ),
        (
            "/fr/societe/2026/02/une-nouvelle-halle-a-maree/",
            "Une nouvelle halle à marée pour 2027",
            "",
        ),
        (
            "/fr/societe/2026/01/les-mareyeurs-peinent-a-recruter/?utm_campaign=sujet",
            "Les mareyeurs peinent à recruter",
            "",
        ),
    ),
)

ZOBACZ_TAKZE = Page(
    name="zobacz-takze",
    path="/pl/kraj/2026/03/prom-wraca-na-trase/",
    title="Prom wraca na trasę po remoncie",
    lang="pl",
    body=(
        "Po trzech miesiącach w stoczni prom „Mewa” wraca na trasę między Portmere a wyspą Skarnia. Armator wymienił oba silniki, a także wyremontował pokład samochodowy, który od dawna budził zastrzeżenia inspektorów.",
        "Pierwszy rejs zaplanowano na sobotę rano. Bilety można kupować w kasie w porcie oraz w aplikacji armatora, a mieszkańcy wyspy zachowują prawo do zniżki na przejazdy w dni robocze.",
        "W czasie remontu połączenie obsługiwał mniejszy statek, który zabierał najwyżej dwadzieścia samochodów. Kierowcy skarżyli się na wielogodzinne kolejki, zwłaszcza w piątki po południu, kiedy na wyspę wracają osoby pracujące na lądzie.",
    ),
    after_article="""
<div class="box-linki">
  <h3 class="box-linki__naglowek">Zobacz także</h3>
  <ul>
    <li><a href="/pl/kraj/2026/02/stocznia-zatrudni-spawaczy/">Stocznia zatrudni kolejnych spawaczy</a></li>
    <li><a href="/pl/kraj/2026/01/nowy-rozklad-rejsow-na-skarnie/">Nowy rozkład rejsów na Skarnię</a></li>
    <li><a href="/pl/region/2026/03/piatkowe-kolejki-do-promu/">Piątkowe kolejki do promu. Kierowcy mają dość</a></li>
    <li><a href="/pl/kraj/2026/02/stocznia-zatrudni-spawaczy/?utm_source=zobacz">Stocznia szuka spawaczy</a></li>
  </ul>
</div>""",
    expected=(
        (
            "/pl/kraj/2026/02/stocznia-zatrudni-spawaczy/",
            "Stocznia zatrudni kolejnych spawaczy",
            "",
        ),
        ("/pl/kraj/2026/01/nowy-rozklad-rejsow-na-skarnie/", "Nowy rozkład rejsów na Skarnię", ""),
        (
            "/pl/region/2026/03/piatkowe-kolejki-do-promu/",
            "Piątkowe kolejki do promu. Kierowcy mają dość",
            "",
        ),
    ),
)

CHITAYTE_TAKZHE = Page(
    name="chitayte-takzhe",
    path="/ru/obshchestvo/2026/03/parom-vozobnovlyaet-reysy/",
    title="Паром возобновляет рейсы на остров",
    lang="ru",
    body=(
        "Городская паромная компания Портмира с понедельника возобновляет ежедневные рейсы на остров Скарня. Сообщение было прервано на две недели из-за шторма, который повредил причал на острове и часть ограждения на пассажирской палубе.",
        "Ремонт причала обошёлся муниципалитету примерно в четыре миллиона рублей. Работы вели круглосуточно, чтобы жители острова могли как можно скорее вернуться к привычному расписанию и получать продукты без перебоев.",
        "В компании предупредили, что в первые дни паром будет ходить по сокращённому графику: три рейса вместо пяти. Полное расписание обещают восстановить к концу месяца, когда закончится проверка двигателей.",
    ),
    after_article="""
<div class="b-inject b-inject--bottom">
  <div class="b-inject__title">Читайте также</div>
  <div class="b-inject__list">
    <a class="b-inject__item" href="/ru/obshchestvo/2026/02/shtorm-povredil-prichal/"><span class="b-inject__text">Шторм повредил причал на острове Скарня</span></a>
    <a class="b-inject__item" href="/ru/ekonomika/2026/03/tarify-na-parom-ne-izmenyatsya/"><span class="b-inject__text">Тарифы на паром останутся прежними</span></a>
    <a class="b-inject__item" href="/ru/obshchestvo/2026/03/parom-vozobnovlyaet-reysy/?utm_source=inject"><span class="b-inject__text">Паром возобновляет рейсы на остров</span></a>
    <a class="b-inject__item" href="/ru/obshchestvo/2026/01/dlya-ostrova-postroyat-novyy-parom/"><span class="b-inject__text">Для острова построят новый паром</span></a>
  </div>
</div>""",
    expected=(
        (
            "/ru/obshchestvo/2026/02/shtorm-povredil-prichal/",
            "Шторм повредил причал на острове Скарня",
            "",
        ),
        (
            "/ru/ekonomika/2026/03/tarify-na-parom-ne-izmenyatsya/",
            "Тарифы на паром останутся прежними",
            "",
        ),
        (
            "/ru/obshchestvo/2026/01/dlya-ostrova-postroyat-novyy-parom/",
            "Для острова построят новый паром",
            "",
        ),
    ),
)


def post_card(href: str, title: str, day: str, excerpt: str) -> str:
    """A WordPress theme's grid card: image link, category link, headline link, date link."""
    slug = href.rsplit("/", 2)[-2]
    return f"""
      <article class="post-card col-md-4">
        <div class="post-card__thumb"><a href="{href}" aria-hidden="true" tabindex="-1">
          <img width="300" height="200" loading="lazy" src="/wp-content/uploads/2026/02/{slug}-300x200.jpg"
            srcset="/wp-content/uploads/2026/02/{slug}-300x200.jpg 300w, /wp-content/uploads/2026/02/{slug}-600x400.jpg 600w"
            sizes="(max-width: 300px) 100vw, 300px" alt=""></a></div>
        <div class="post-card__content">
          <a class="post-card__cat" href="/category/science/" rel="category tag">Science</a>
          <h3 class="post-card__title entry-title"><a href="{href}" rel="bookmark">{title}</a></h3>
          <div class="post-card__meta"><span class="posted-on"><a href="/2026/02/{day}/" rel="bookmark">
            <time class="entry-date published" datetime="2026-02-{day}T09:00:00+00:00">February {int(day)}, 2026</time></a></span></div>
          <div class="post-card__excerpt"><p>{excerpt}</p></div>
        </div>
      </article>"""


YOU_MAY_ALSO_LIKE = Page(
    name="you-may-also-like",
    path="/science/2026/03/seagrass-meadows-return-to-the-bay/",
    title="Seagrass meadows return to the bay",
    body=(
        "Divers surveying the sheltered southern end of Portmere Bay have found seagrass growing across nearly nine hectares of seabed, three times the area recorded five years ago, when the meadows were thought to be close to disappearing.",
        "Researchers from the regional marine station credit cleaner water since the old sewage outfall was closed, and a ban on anchoring in the shallows that came into force in 2022. Seahorses and juvenile cod have been filmed among the plants for the first time in decades.",
        "The station plans to replant a further two hectares this summer with seeds collected by volunteers, and is asking boat owners to keep using the visitor moorings rather than dropping anchor near the beach.",
    ),
    after_article=f"""
<div class="post-grid post-grid--after-content">
  <h2 class="section-title"><span>You may also like</span></h2>
  <div class="row">
    {post_card("/science/2026/02/marine-station-opens-its-doors/", "Marine station opens its doors to visitors", "14", "Guided tours of the labs and aquarium run every Saturday.")}
    {post_card("/science/2026/02/volunteers-collect-seagrass-seeds/", "Volunteers collect seagrass seeds by hand", "07", "More than two hundred people joined the autumn harvest.")}
    {post_card("/science/2026/02/anchoring-ban-extended/", "Anchoring ban extended to the north shore", "02", "Boat owners will be able to use twelve new visitor moorings.")}
  </div>
</div>""",
    expected=(
        (
            "/science/2026/02/marine-station-opens-its-doors/",
            "Marine station opens its doors to visitors",
            "Guided tours of the labs and aquarium run every Saturday.",
        ),
        (
            "/science/2026/02/volunteers-collect-seagrass-seeds/",
            "Volunteers collect seagrass seeds by hand",
            "More than two hundred people joined the autumn harvest.",
        ),
        (
            "/science/2026/02/anchoring-ban-extended/",
            "Anchoring ban extended to the north shore",
            "Boat owners will be able to use twelve new visitor moorings.",
        ),
    ),
)


def more_item(href: str, title: str, date: str) -> str:
    return f"""
    <li class="story-more__item"><a class="story-more__link" href="{href}"><span class="story-more__text">{title}</span></a>
      <span class="story-more__meta"><time datetime="2026-02-01">{date}</time></span></li>"""


MORE_ON_THIS_STORY = Page(
    name="more-on-this-story",
    path="/business/2026/03/energy-prices-what-the-new-cap-means/",
    title="Energy prices: what the new cap means for household bills",
    body=(
        "The regulator's new price cap, which takes effect on the first of next month, will lower the typical household's annual gas and electricity bill by about £90, although standing charges, the fixed daily fee paid regardless of use, will rise slightly.",
        "Households on prepayment meters will see a similar fall. Those on fixed deals are unaffected until their contracts end, and suppliers have begun to offer new fixed tariffs priced a little below the cap for the first time since the autumn.",
        "Charities that advise people in debt say the reduction is welcome but small, and that many families are still paying off arrears built up over the last two winters. They want the government to bring back a targeted discount for low-income homes.",
    ),
    after_article=f"""
<section class="story-more" data-component="links-block">
  <h2 class="story-more__title"><a href="/topics/energy-prices/">More on this story</a></h2>
  <ul class="story-more__list">
    {more_item("/business/2026/02/fixed-energy-deals-return/", "Fixed energy deals return as prices ease", "20 February 2026")}
    {more_item("/business/2026/01/why-standing-charges-keep-rising/", "Why standing charges keep going up", "29 January 2026")}
    {more_item("/news/2026/02/charities-warn-on-energy-debt/", "Charities warn energy debt is still rising", "11 February 2026")}
    {more_item("/business/2025/12/how-the-price-cap-is-set/", "How is the energy price cap worked out?", "3 December 2025")}
  </ul>
</section>""",
    expected=(
        (
            "/business/2026/02/fixed-energy-deals-return/",
            "Fixed energy deals return as prices ease",
            "",
        ),
        (
            "/business/2026/01/why-standing-charges-keep-rising/",
            "Why standing charges keep going up",
            "",
        ),
        (
            "/news/2026/02/charities-warn-on-energy-debt/",
            "Charities warn energy debt is still rising",
            "",
        ),
        (
            "/business/2025/12/how-the-price-cap-is-set/",
            "How is the energy price cap worked out?",
            "",
        ),
    ),
)


def story_list_entry(href: str, title: str, dek: str) -> str:
    return f"""
    <li class="c-story-list__entry"><a class="c-story-list__link" href="{href}" data-analytics-link="more">
      <div class="c-story-list__image"><img loading="lazy" src="/img/{href.rsplit("/", 2)[-2]}-400.webp" alt=""></div>
      <h3 class="c-story-list__title">{title}</h3>
      <p class="c-story-list__dek">{dek}</p></a></li>"""


THEME_CLASS_NOBODY_LISTS = Page(
    name="theme-class-nobody-lists",
    path="/science/2026/03/new-tide-gauge-installed/",
    title="New tide gauge installed at the harbour mouth",
    body=(
        "A tide gauge that reports the water level every minute has been installed on the end of the north breakwater, replacing a float gauge that had been read by hand since the 1950s and had stopped working reliably in heavy swell.",
        "The data will be published live on the harbour master's website, where skippers can already see wind speed and wave height. The new gauge also records water temperature, which the marine station will use in its long-term study of the bay.",
        "Engineers chose the breakwater because it is exposed to the open sea on one side, so readings there are less affected by the river. They expect the gauge to help forecasters warn earlier of the surges that flood the quayside road a few times each winter.",
    ),
    after_article=f"""
<div class="c-story-list c-story-list__more">
  <header class="c-story-list__header"><h2 class="c-story-list__heading">Related coverage</h2></header>
  <ul class="c-story-list__items">
    {story_list_entry("/science/2026/01/quayside-road-flooded-again/", "Quayside road flooded for the third time this winter", "Sandbags were handed out at the fish market car park.")}
    {story_list_entry("/science/2025/11/sharper-storm-surge-model/", "Forecasters get a sharper storm surge model", "The model now runs every hour instead of every six.")}
    {story_list_entry("/science/2025/10/thirty-years-of-measuring-the-bay/", "Thirty years of measuring Portmere Bay", "Inside the station's record of temperature, salinity and tides.")}
  </ul>
</div>""",
    expected=(
        (
            "/science/2026/01/quayside-road-flooded-again/",
            "Quayside road flooded for the third time this winter",
            "Sandbags were handed out at the fish market car park.",
        ),
        (
            "/science/2025/11/sharper-storm-surge-model/",
            "Forecasters get a sharper storm surge model",
            "The model now runs every hour instead of every six.",
        ),
        (
            "/science/2025/10/thirty-years-of-measuring-the-bay/",
            "Thirty years of measuring Portmere Bay",
            "Inside the station's record of temperature, salinity and tides.",
        ),
    ),
)


def jetpack_post(n: int, href: str, title: str, excerpt: str, date: str) -> str:
    return f"""
  <div class="jp-relatedposts-post jp-relatedposts-post{n} jp-relatedposts-post-thumbs" data-post-id="{4310 + n}" data-post-format="false">
    <a class="jp-relatedposts-post-a" href="{href}" title="{title}" rel="nofollow" data-origin="4388" data-position="{n}">
      <img class="jp-relatedposts-post-img" loading="lazy" src="/wp-content/uploads/2025/11/jp-{n}.jpg?resize=350%2C200&amp;ssl=1" width="350" height="200" alt=""></a>
    <h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="{href}" title="{title}" rel="nofollow" data-origin="4388" data-position="{n}">{title}</a></h4>
    <p class="jp-relatedposts-post-excerpt">{excerpt}</p>
    <p class="jp-relatedposts-post-date">{date}</p>
    <p class="jp-relatedposts-post-context">In &quot;News&quot;</p>
  </div>"""


JETPACK = Page(
    name="jetpack",
    path="/news/2026/03/lifeboat-crew-honoured-for-night-rescue/",
    title="Lifeboat crew honoured for night rescue",
    body=(
        "Five volunteers from Portmere's lifeboat station have received bravery awards for rescuing three fishermen whose boat capsized on the Skarnia sandbank in a gale last November, more than two hours after sunset.",
        "The crew launched within eight minutes of the call and found the men clinging to the upturned hull in breaking waves. The helmsman took the lifeboat into water barely a metre deep to reach them, while the others hauled the fishermen aboard one at a time.",
        "All three men were treated for hypothermia and have since returned to sea. At the ceremony, the station's coxswain said the awards belonged to everyone who answers the pager, including the volunteers who stay ashore to run the radio and the launch tractor.",
    ),
    after_body=f"""
<div id='jp-relatedposts' class='jp-relatedposts' style="display: block;">
  <h3 class="jp-relatedposts-headline"><em>Related</em></h3>
  <div class="jp-relatedposts-items jp-relatedposts-items-visual jp-relatedposts-grid">
  {jetpack_post(0, "/news/2025/11/three-fishermen-rescued-off-skarnia/", "Three fishermen rescued off Skarnia", "Their boat overturned on the sandbank during Tuesday night's gale.", "November 19, 2025")}
  {jetpack_post(1, "/news/2026/01/lifeboat-station-appeals-for-volunteers/", "Lifeboat station appeals for volunteers", "", "January 8, 2026")}
  {jetpack_post(2, "/news/2025/08/new-lifeboat-arrives/", "A new lifeboat arrives in Portmere", "The Shannon-class boat can launch straight off the beach.", "August 2, 2025")}
  </div>
</div>""",
    expected=(
        (
            "/news/2025/11/three-fishermen-rescued-off-skarnia/",
            "Three fishermen rescued off Skarnia",
            "Their boat overturned on the sandbank during Tuesday night's gale.",
        ),
        (
            "/news/2026/01/lifeboat-station-appeals-for-volunteers/",
            "Lifeboat station appeals for volunteers",
            "",
        ),
        (
            "/news/2025/08/new-lifeboat-arrives/",
            "A new lifeboat arrives in Portmere",
            "The Shannon-class boat can launch straight off the beach.",
        ),
    ),
)

# rule 5: the heading decides, both ways
CLASS_RELATED_HEADED_LATEST = """
<div class="related-posts related-posts--strip">
  <h3 class="related-posts__title">Latest</h3>
  <ul class="related-posts__list">
    <li class="related-posts__item"><a href="/news/2026/03/bin-collection-days-change/">Bin collection days change next month</a></li>
    <li class="related-posts__item"><a href="/sport/2026/03/rowing-club-wins-spring-regatta/">Rowing club wins the spring regatta</a></li>
    <li class="related-posts__item"><a href="/news/2026/03/library-extends-opening-hours/">Library extends its opening hours</a></li>
  </ul>
</div>"""

CLASS_POPULAR_HEADED_RELATED = """
<section id="wpp-3" class="widget popular-posts widget_popular_posts">
  <h2 class="widget-title">Related</h2>
  <ul class="wpp-list">
    <li><a href="/news/2025/12/pier-survey-finds-corrosion/" class="wpp-post-title" target="_self">Pier survey finds corrosion under the deck</a>
      <span class="wpp-meta post-stats"><span class="wpp-views">1.2k views</span></span></li>
    <li><a href="/news/2026/01/council-sets-aside-money-for-pier/" class="wpp-post-title" target="_self">Council sets aside money for pier repairs</a>
      <span class="wpp-meta post-stats"><span class="wpp-views">860 views</span></span></li>
    <li><a href="/business/2026/02/pier-traders-ask-for-rent-cut/" class="wpp-post-title" target="_self">Pier traders ask for a rent cut</a>
      <span class="wpp-meta post-stats"><span class="wpp-views">540 views</span></span></li>
  </ul>
</section>"""

HEADING_DECIDES = Page(
    name="heading-decides",
    path="/news/2026/03/pier-repairs-delayed-again/",
    title="Pier repairs delayed again as costs rise",
    body=(
        "Repairs to Portmere's Victorian pleasure pier will not be finished before the summer, the council has admitted, after divers found that more of the iron columns beneath the deck were corroded than the original survey had shown.",
        "The estimated cost has risen from £3.1 million to £4.4 million. Councillors will be asked next week to approve the extra money from reserves, and the contractor has said it can keep working through the spring if the decision is made quickly.",
        "The pier has been closed since a section of railing fell into the sea during a storm two years ago. Traders at the landward end say their takings have halved since the closure, and some have asked for a reduction in their rent until the pier reopens.",
    ),
    after_article=CLASS_RELATED_HEADED_LATEST,
    sidebar=CLASS_POPULAR_HEADED_RELATED,
    expected=(
        (
            "/news/2025/12/pier-survey-finds-corrosion/",
            "Pier survey finds corrosion under the deck",
            "",
        ),
        (
            "/news/2026/01/council-sets-aside-money-for-pier/",
            "Council sets aside money for pier repairs",
            "",
        ),
        ("/business/2026/02/pier-traders-ask-for-rent-cut/", "Pier traders ask for a rent cut", ""),
    ),
)

# --- traps ------------------------------------------------------------------------------

MOST_READ_SAME_MARKUP = story_package(
    "Most read",
    story_card(
        "/sport/2026/03/portmere-town-reach-cup-semi-final/",
        "Portmere Town reach the cup semi-final",
        "/media/2026/03/cup-640x360.jpg",
        section="Sport",
        dek="A late header settled a tense tie at the Quay Ground.",
        date="Mar 11, 2026",
    )
    + story_card(
        "/news/2026/03/seafront-cafe-wins-national-award/",
        "Seafront café wins a national award",
        "/media/2026/03/cafe-640x360.jpg",
        section="News",
        dek="Judges praised its crab sandwiches and its sea view.",
        date="Mar 10, 2026",
    )
    + story_card(
        "/news/2026/03/roadworks-on-the-coast-road/",
        "Roadworks on the coast road until May",
        "/media/2026/03/roadworks-640x360.jpg",
        section="News",
        date="Mar 8, 2026",
    ),
)

TRENDING = """
<section id="trending-2" class="widget trending-widget">
  <h2 class="widget-title">Trending</h2>
  <ol class="trending-list">
    <li class="trending-list__item"><span class="trending-list__rank">1</span><a href="/news/2026/03/lost-dog-found-on-skarnia/">Lost dog found safe on Skarnia after five days</a></li>
    <li class="trending-list__item"><span class="trending-list__rank">2</span><a href="/news/2026/03/town-hall-clock-stops/">Town hall clock stops at twenty past four</a></li>
    <li class="trending-list__item"><span class="trending-list__rank">3</span><a href="/sport/2026/03/swimmers-brave-the-march-sea/">Swimmers brave the March sea for charity</a></li>
  </ol>
</section>"""

LATEST_NEWS = """
<section id="recent-posts-2" class="widget widget_recent_entries">
  <h2 class="widget-title">Latest news</h2>
  <ul>
    <li><a href="/news/2026/03/harbour-master-retires/">Harbour master retires after thirty years</a><span class="post-date">March 12, 2026</span></li>
    <li><a href="/news/2026/03/new-bus-route-to-the-hospital/">New bus route to the hospital</a><span class="post-date">March 12, 2026</span></li>
    <li><a href="/business/2026/03/fish-market-prices-steady/">Fish market prices hold steady</a><span class="post-date">March 11, 2026</span></li>
  </ul>
</section>"""

MOST_READ_PAGE = Page(
    name="most-read-same-markup",
    path="/world/2026/03/ferry-fares-frozen-for-a-year/",
    title="Ferry fares frozen for a year",
    body=(
        "Fares on the three ferry routes out of Portmere will stay at their current level until next March, the operator said on Tuesday, after the regional transport board agreed to cover most of the rise in fuel and insurance costs.",
        "A return ticket to Skarnia for a car and two adults will remain at £46. Island residents, who pay a reduced rate, had been warned in January that their fares could rise by as much as twelve per cent from the spring.",
        "The board's chair said the freeze was meant to give families and island businesses a year of certainty while a longer-term funding deal is negotiated. Opposition members said they welcomed it but asked why it could not have been announced before the winter.",
    ),
    after_article=story_package(
        "Related stories",
        story_card(
            "/news/2026/01/island-fares-could-rise/",
            "Island fares could rise by twelve per cent",
            "/media/2026/01/fares-640x360.jpg",
            section="News",
            dek="Residents were told the increase would apply from April.",
            date="Jan 14, 2026",
        )
        + story_card(
            "/news/2026/02/transport-board-agrees-budget/",
            "Transport board agrees its budget",
            "/media/2026/02/board-640x360.jpg",
            section="News",
            dek="Fuel and insurance are the largest new costs.",
            date="Feb 18, 2026",
        )
        + story_card(
            "/business/2026/02/ferry-operator-fuel-bill-doubles/",
            "Ferry operator's fuel bill doubles in two years",
            "/media/2026/02/fuel-640x360.jpg",
            section="Business",
            date="Feb 3, 2026",
        ),
    )
    + MOST_READ_SAME_MARKUP,
    sidebar=TRENDING + LATEST_NEWS,
    expected=(
        (
            "/news/2026/01/island-fares-could-rise/",
            "Island fares could rise by twelve per cent",
            "Residents were told the increase would apply from April.",
        ),
        (
            "/news/2026/02/transport-board-agrees-budget/",
            "Transport board agrees its budget",
            "Fuel and insurance are the largest new costs.",
        ),
        (
            "/business/2026/02/ferry-operator-fuel-bill-doubles/",
            "Ferry operator's fuel bill doubles in two years",
            "",
        ),
    ),
)

IMAGE_ONLY_CARDS = """
<div class="related-posts">
  <h3 class="related-posts__heading">Related posts</h3>
  <div class="related-posts__grid">
    <div class="related-post"><a class="related-post__thumb" href="/science/2025/09/record-seal-pups-on-the-sandbank/">
        <img src="/wp-content/uploads/2025/09/pup.jpg" alt="A grey seal pup on wet sand" width="300" height="200"></a>
      <a class="related-post__section" href="/science/">Science</a>
      <h4 class="related-post__name"><a href="/science/2025/09/record-seal-pups-on-the-sandbank/">Record number of seal pups born on the sandbank</a></h4>
      <p class="related-post__when">Sep 14, 2025</p></div>
    <div class="related-post related-post--photo"><a class="related-post__thumb" href="/science/2025/08/drone-pilots-wanted/">
        <img src="/wp-content/uploads/2025/08/drone.jpg" alt="A drone above the estuary at dawn" width="300" height="200"></a></div>
    <div class="related-post"><a class="related-post__thumb" href="/science/2025/06/kayakers-asked-to-keep-clear/">
        <img src="/wp-content/uploads/2025/06/kayak.jpg" alt="Kayaks pulled up on the beach" width="300" height="200"></a>
      <a class="related-post__section" href="/science/">Science</a>
      <h4 class="related-post__name"><a href="/science/2025/06/kayakers-asked-to-keep-clear/">Kayakers asked to keep clear of moulting seals</a></h4>
      <p class="related-post__when">Jun 3, 2025</p></div>
    <div class="related-post related-post--photo"><a class="related-post__thumb" href="/science/2025/05/the-estuary-from-above/">
        <img src="/wp-content/uploads/2025/05/estuary.jpg" alt="Aerial view of the Mere estuary at low tide" width="300" height="200"></a></div>
  </div>
</div>"""

IMAGE_ONLY_PAGE = Page(
    name="image-only-cards",
    path="/science/2026/03/harbour-seals-counted-from-the-air/",
    title="Harbour seals counted from the air",
    body=(
        "A drone survey of the sandbanks at the mouth of the Mere estuary has counted 412 harbour seals, the highest number since counts began in 2009 and almost double the total recorded in the first year of the survey.",
        "The flights are made at low tide in late summer, when the seals haul out to moult and spend most of the day on the sand. Each photograph is checked twice by volunteers, who mark every animal and note whether it is an adult or a pup.",
        "Wardens have asked kayakers and paddleboarders to stay at least a hundred metres from the sandbanks between June and September. Seals that are disturbed during the moult can lose condition, and mothers sometimes abandon pups when people come too close.",
    ),
    after_article=IMAGE_ONLY_CARDS,
    expected=(
        (
            "/science/2025/09/record-seal-pups-on-the-sandbank/",
            "Record number of seal pups born on the sandbank",
            "",
        ),
        (
            "/science/2025/06/kayakers-asked-to-keep-clear/",
            "Kayakers asked to keep clear of moulting seals",
            "",
        ),
    ),
)

CHROME_PATH = "/tech/2026/03/council-tests-smart-parking-sensors/"

BREADCRUMB = """
<nav class="breadcrumbs" aria-label="Breadcrumb"><ol itemscope itemtype="https://schema.org/BreadcrumbList">
  <li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a itemprop="item" href="/"><span itemprop="name">Home</span></a></li>
  <li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a itemprop="item" href="/tech/"><span itemprop="name">Tech</span></a></li>
  <li><span>Council tests smart parking sensors on Harbour Road</span></li></ol></nav>"""

SHARE_BUTTONS = f"""
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing">
  <h3 class="sd-title">Share this:</h3>
  <div class="sd-content"><ul>
    <li class="share-facebook"><a rel="nofollow noopener noreferrer" data-shared="sharing-facebook-5120" class="share-facebook sd-button share-icon" href="{CHROME_PATH}?share=facebook" target="_blank" title="Click to share on Facebook"><span>Facebook</span></a></li>
    <li class="share-x"><a rel="nofollow noopener noreferrer" class="share-x sd-button share-icon" href="https://social.example/intent/post?url=https%3A%2F%2Fcourier.example{CHROME_PATH}&amp;text=Council%20tests%20smart%20parking%20sensors" target="_blank"><span>Post</span></a></li>
    <li class="share-email"><a rel="nofollow noopener noreferrer" class="share-email sd-button share-icon" href="mailto:?subject=Council%20tests%20smart%20parking%20sensors&amp;body={CHROME_PATH}"><span>Email</span></a></li>
    <li class="share-print"><a rel="nofollow noopener noreferrer" class="share-print sd-button share-icon" href="{CHROME_PATH}#print" target="_blank"><span>Print</span></a></li>
  </ul></div></div></div>"""

TAG_CLOUD = """
<section id="tag_cloud-2" class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2>
  <div class="tagcloud">
    <a href="/tag/parking/" class="tag-cloud-link tag-link-14 tag-link-position-1" style="font-size: 18pt;" aria-label="parking (12 items)">parking</a>
    <a href="/tag/harbour-road/" class="tag-cloud-link tag-link-22 tag-link-position-2" style="font-size: 11pt;" aria-label="Harbour Road (4 items)">Harbour Road</a>
    <a href="/tag/smart-city/" class="tag-cloud-link tag-link-31 tag-link-position-3" style="font-size: 14pt;" aria-label="smart city (7 items)">smart city</a>
    <a href="/tag/council/" class="tag-cloud-link tag-link-5 tag-link-position-4" style="font-size: 22pt;" aria-label="council (31 items)">council</a>
  </div></section>"""

ENTRY_TAGS = """
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/category/tech/" rel="category tag">Tech</a></span>
  <span class="tags-links">Tagged <a href="/tag/parking/" rel="tag">parking</a>, <a href="/tag/smart-city/" rel="tag">smart city</a></span></footer>"""

AUTHOR_BOX = """
<div class="author-info author-box">
  <div class="author-avatar"><img alt="" src="/wp-content/uploads/avatars/jo-marsh-96x96.jpg" class="avatar avatar-96 photo" height="96" width="96" loading="lazy"></div>
  <div class="author-description">
    <h2 class="author-title"><span class="author-heading">Author:</span> Jo Marsh</h2>
    <p class="author-bio">Jo Marsh covers transport and technology for the Courier, and has reported from Portmere since 2015.</p>
    <a class="author-link" href="/author/jo-marsh/" rel="author">View all posts by Jo Marsh</a>
  </div>
</div>"""

PAGE_LINKS = f"""
<div class="page-links"><span class="page-links-title">Pages:</span> <span class="post-page-numbers current" aria-current="page">1</span>
  <a href="{CHROME_PATH}2/" class="post-page-numbers">2</a> <a href="{CHROME_PATH}3/" class="post-page-numbers">3</a></div>"""

POST_NAVIGATION = """
<nav class="navigation post-navigation" aria-label="Posts">
  <h2 class="screen-reader-text">Post navigation</h2>
  <div class="nav-links">
    <div class="nav-previous"><a href="/tech/2026/03/library-starts-lending-laptops/" rel="prev"><span class="meta-nav" aria-hidden="true">Previous</span>
      <span class="screen-reader-text">Previous post:</span> <span class="post-title">Library starts lending laptops</span></a></div>
    <div class="nav-next"><a href="/tech/2026/03/bus-stops-get-live-departure-screens/" rel="next"><span class="meta-nav" aria-hidden="true">Next</span>
      <span class="screen-reader-text">Next post:</span> <span class="post-title">Bus stops get live departure screens</span></a></div>
  </div>
</nav>"""

COMMENTS = f"""
<div id="comments" class="comments-area">
  <h2 class="comments-title">2 thoughts on &ldquo;Council tests smart parking sensors on Harbour Road&rdquo;</h2>
  <ol class="comment-list">
    <li id="comment-211" class="comment even thread-even depth-1">
      <article id="div-comment-211" class="comment-body">
        <footer class="comment-meta"><div class="comment-author vcard"><img alt="" src="/avatar/211.png" class="avatar" height="48" width="48" loading="lazy">
          <b class="fn">harbourdad</b> <span class="says">says:</span></div>
          <div class="comment-metadata"><a href="{CHROME_PATH}#comment-211"><time datetime="2026-03-12T09:14:00+00:00">March 12, 2026 at 9:14 am</time></a></div></footer>
        <div class="comment-content"><p>About time. I spent twenty minutes looking for a space last Saturday and gave up.</p></div>
        <div class="reply"><a rel="nofollow" class="comment-reply-link" href="{CHROME_PATH}?replytocom=211#respond" data-commentid="211" aria-label="Reply to harbourdad">Reply</a></div>
      </article>
    </li>
    <li id="comment-214" class="comment odd alt thread-odd depth-1">
      <article id="div-comment-214" class="comment-body">
        <footer class="comment-meta"><div class="comment-author vcard"><b class="fn"><a href="https://quaysideblog.example/" rel="external nofollow ugc" class="url">Mel at the Quay</a></b> <span class="says">says:</span></div>
          <div class="comment-metadata"><a href="{CHROME_PATH}#comment-214"><time datetime="2026-03-12T11:02:00+00:00">March 12, 2026 at 11:02 am</time></a></div></footer>
        <div class="comment-content"><p>I tried the app this morning. Wrote up how it went here: <a href="https://quaysideblog.example/2026/03/i-tried-the-parking-app/" rel="nofollow ugc">I tried the parking app</a></p>
          <p>See also the older piece on <a href="/tech/2025/10/parking-charges-rise/">parking charges</a>.</p></div>
        <div class="reply"><a rel="nofollow" class="comment-reply-link" href="{CHROME_PATH}?replytocom=214#respond" data-commentid="214">Reply</a></div>
      </article>
    </li>
  </ol>
  <nav class="navigation comment-navigation" aria-label="Comments"><div class="nav-links">
    <div class="nav-previous"><a href="{CHROME_PATH}comment-page-2/#comments">Older comments</a></div></div></nav>
  <div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
    <p class="must-log-in">You must be <a href="/wp-login.php?redirect_to=%2Ftech%2F">logged in</a> to post a comment.</p></div>
</div>"""

FORUM_AND_LOGIN = """
<section id="meta-2" class="widget widget_meta"><h2 class="widget-title">Community</h2>
  <ul>
    <li><a href="/forum/">Reader forum</a></li>
    <li><a href="/forum/topic/parking-sensors-on-harbour-road/">Discuss the parking sensors in the forum</a></li>
    <li><a href="/forum/topic/best-place-to-park-for-the-ferry/">Where do you park for the ferry?</a></li>
    <li><a href="/wp-login.php">Log in</a></li>
    <li><a href="/account/register/">Create an account</a></li>
  </ul>
</section>"""

WORDPRESS_CHROME = Page(
    name="wordpress-chrome",
    path=CHROME_PATH,
    title="Council tests smart parking sensors on Harbour Road",
    body=(
        "Sensors set into the surface of forty parking bays on Harbour Road will tell drivers through a phone app which spaces are free, in a six-month trial that the council hopes will cut the time people spend circling the seafront looking for somewhere to stop.",
        "Each sensor is the size of a hockey puck and runs on a battery meant to last eight years. The data is anonymous, the council says: the devices detect a vehicle above them but cannot read number plates or identify who is parked there.",
        "If the trial works, the scheme could be extended to the multi-storey car parks by the station and the hospital. Shopkeepers on Harbour Road have asked that the first hour of parking stay free whatever the outcome.",
    ),
    before_article=BREADCRUMB,
    after_body=PAGE_LINKS + SHARE_BUTTONS + ENTRY_TAGS + AUTHOR_BOX,
    after_article=POST_NAVIGATION + COMMENTS,
    sidebar=TAG_CLOUD + FORUM_AND_LOGIN,
)

OFFSITE_WIDGETS = """
<div id="taboola-below-article-thumbnails" class="trc_related_container trc_spotlight_widget tbl-feed-container" data-placement-name="Below Article Thumbnails">
  <div class="trc_rbox_container"><div class="trc_rbox_header trc_rbox_border_elm"><span class="trc_rbox_header_span">Promoted Stories</span></div>
  <div class="trc_rbox_outer">
    <div class="videoCube trc_spotlight_item origin-default syndicatedItem" data-item-id="~~V1~~-51245">
      <a href="https://offers.adpartner.example/solar/landing?tblci=GiA4x" title="Homeowners are switching to this cheap solar setup" target="_blank" rel="sponsored noopener">
        <span class="thumbBlock_holder"><span class="thumbBlock" style="background-image: url(&quot;https://img.adpartner.example/solar.jpg&quot;);"></span></span>
        <span class="video-label video-title trc_ellipsis">Homeowners are switching to this cheap solar setup</span>
        <span class="branding">SunSaver Deals</span></a></div>
    <div class="videoCube trc_spotlight_item origin-default syndicatedItem" data-item-id="~~V1~~-51246">
      <a href="https://www.mattress-reviews.example/best-2026/?utm_source=taboola" title="The mattress everyone on the coast is talking about" target="_blank" rel="sponsored noopener">
        <span class="video-label video-title trc_ellipsis">The mattress everyone on the coast is talking about</span>
        <span class="branding">SleepWell</span></a></div>
  </div></div>
</div>
<div class="OUTBRAIN" data-src="https://courier.example/news/2026/03/new-ferry-named-after-local-teacher/" data-widget-id="AR_2">
  <div class="ob-widget ob-feed-layout AR_2">
    <div class="ob-widget-header"><span class="ob-widget-text">Around the web</span>
      <a class="ob_what" href="https://recs.example/what-is/" rel="nofollow" target="_blank">Recommended by</a></div>
    <div class="ob-widget-items-container">
      <div class="ob-dynamic-rec-container ob-p"><a class="ob-dynamic-rec-link" href="https://paid.recs.example/click?u=travel-pillows" rel="nofollow sponsored" target="_blank">
        <span class="ob-rec-image-container"><img class="ob-rec-image" src="https://images.recs.example/pillow.jpg" alt=""></span>
        <span class="ob-rec-text">The best travel pillows of the year, tested</span><span class="ob-rec-source">TravelGear</span></a></div>
      <div class="ob-dynamic-rec-container ob-p"><a class="ob-dynamic-rec-link" href="https://paid.recs.example/click?u=retire-abroad" rel="nofollow sponsored" target="_blank">
        <span class="ob-rec-text">Where retirees are moving this year</span><span class="ob-rec-source">MoneyWise</span></a></div>
    </div>
  </div>
</div>
<section class="partner-feed" data-provider="network">
  <h3 class="partner-feed__title">You may like</h3>
  <ul class="partner-feed__list">
    <li><a href="https://www.northbay-gazette.example/news/2026/03/northbay-ferry-terminal-reopens/" rel="noopener" target="_blank">Northbay ferry terminal reopens after refit</a><span class="partner-feed__source">Northbay Gazette</span></li>
    <li><a href="https://www.valley-times.example/2026/03/08/river-boats-return/" rel="noopener" target="_blank">River boats return for the season</a><span class="partner-feed__source">Valley Times</span></li>
  </ul>
  <span class="partner-feed__ad">Ad</span>
</section>"""

OFFSITE_PAGE = Page(
    name="offsite-widgets",
    path="/news/2026/03/new-ferry-named-after-local-teacher/",
    title="New ferry named after local teacher",
    body=(
        "The first of the three electric ferries being built at the Nordkai yard will be named after Agnes Holm, who taught at Skarnia's island school for forty-one years and rowed her pupils to the mainland for exams when the winter service was cancelled.",
        "The name was chosen from more than 1,300 suggestions sent in by readers and island residents. A panel of pupils from the island school, which now has nineteen children, made the final choice from a shortlist of five.",
        "Her granddaughter will name the ship at a ceremony at the yard in the autumn. The ferry is due to enter service the following summer, when it will take over the early morning crossing that island children still call the school boat.",
    ),
    after_article=OFFSITE_WIDGETS,
)

READ_ALSO_LINE = (
    '<p><strong>Read also:</strong> <a href="/news/2026/01/storm-surge-floods-island-school/">'
    "Storm surge floods island school</a></p>"
)

READ_ALSO_PAGE = Page(
    name="read-also-in-body",
    path="/news/2026/03/island-school-reopens-after-flood-repairs/",
    title="Island school reopens after flood repairs",
    body=(
        "Skarnia's island school reopened on Monday, four months after a winter storm surge flooded its two classrooms and the hall with almost half a metre of seawater, forcing its nineteen pupils to take lessons in the community centre.",
        "The repairs replaced the floors, the heating and most of the furniture. The county council paid for the work, and a fundraising appeal run by parents raised enough to buy new books for the library corner and a set of tablets for the older children.",
        "Pupils returned to find a new mural on the playground wall, painted during the holidays by an artist who grew up on the island. It shows the school boat crossing to the mainland, with every child's name written along the side of the hull.",
        "The head teacher said the children had coped well with the disruption but were glad to be back in their own building. A flood barrier for the school's doors is due to be fitted before next winter.",
    ),
    in_body={2: READ_ALSO_LINE},
)

PAGES = (
    HARBOUR_STRIKE,
    LESEN_SIE_AUCH,
    ARTICOLI_CORRELATI,
    RELACIONADAS,
    SUR_LE_MEME_SUJET,
    ZOBACZ_TAKZE,
    CHITAYTE_TAKZHE,
    YOU_MAY_ALSO_LIKE,
    MORE_ON_THIS_STORY,
    THEME_CLASS_NOBODY_LISTS,
    JETPACK,
    HEADING_DECIDES,
    MOST_READ_PAGE,
    IMAGE_ONLY_PAGE,
    WORDPRESS_CHROME,
    OFFSITE_PAGE,
    READ_ALSO_PAGE,
)

# trap -> (its page, its HTML): none of the trap's links may be stored as a teaser
TRAPS: dict[str, tuple[Page, str]] = {
    "section menu (Tech -> /tech/)": (WORDPRESS_CHROME, SECTION_MENU),
    "breadcrumb": (WORDPRESS_CHROME, BREADCRUMB),
    "share buttons": (WORDPRESS_CHROME, SHARE_BUTTONS),
    "tag cloud": (WORDPRESS_CHROME, TAG_CLOUD + ENTRY_TAGS),
    "author box": (WORDPRESS_CHROME, AUTHOR_BOX),
    "previous/next post links": (WORDPRESS_CHROME, POST_NAVIGATION),
    "multi-page pager": (WORDPRESS_CHROME, PAGE_LINKS),
    "comments": (WORDPRESS_CHROME, COMMENTS),
    "forum and login links": (WORDPRESS_CHROME, FORUM_AND_LOGIN),
    "footer section list": (WORDPRESS_CHROME, FOOTER),
    "most read, same card markup as the related block": (MOST_READ_PAGE, MOST_READ_SAME_MARKUP),
    "trending list": (MOST_READ_PAGE, TRENDING),
    "latest news list": (MOST_READ_PAGE, LATEST_NEWS),
    "class says related, heading says latest": (HEADING_DECIDES, CLASS_RELATED_HEADED_LATEST),
    "off-site recommendation widgets": (OFFSITE_PAGE, OFFSITE_WIDGETS),
    # only the image-only cards: the two cards with a headline are teasers
    "section link inside a related card": (IMAGE_ONLY_PAGE, '<a href="/science/">Science</a>'),
    "image-only cards": (
        IMAGE_ONLY_PAGE,
        '<a href="/science/2025/08/drone-pilots-wanted/"></a>'
        '<a href="/science/2025/05/the-estuary-from-above/"></a>',
    ),
    "read also line in the body": (READ_ALSO_PAGE, READ_ALSO_LINE),
    "heading link to the topic page": (
        MORE_ON_THIS_STORY,
        '<a href="/topics/energy-prices/">More on this story</a>',
    ),
}


# --- the crawl --------------------------------------------------------------------------


PAGES_BY_NAME = {page.name: page for page in PAGES}


def serve(pages: tuple[Page, ...]) -> Site:
    site = Site("courier", [])
    rendered: dict[str, bytes] = {}

    def hook(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{site.url}{page.path}</loc></url>" for page in pages)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if not rendered:
            for page in pages:
                text = render(page, site.url).replace("{SITE}", site.url)
                rendered[page.path] = text.encode("utf-8")
        if path in rendered:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, rendered[path]
        return None

    site.hook = hook
    return site.start()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("teaser-traps")
    site = serve(PAGES)
    try:
        config = write_config(
            tmp / "c.toml", [{"name": "courier", "sitemaps": [f"{site.url}/sitemap.xml"]}]
        )
        result = syndicator("crawl", config=config)
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr
    db = tmp / "store.db"
    articles = {
        urlsplit(row["url"]).path: row
        for row in query(db, "select id, url, body_text, republish_html from articles")
    }
    yield {"site": site.url, "db": db, "articles": articles}


def stored_teasers(crawl: dict[str, Any], page: Page) -> list[Teaser]:
    """The page's stored teasers in position order, URLs on the site as paths."""
    assert page.path in crawl["articles"], f"{page.name}: the page was not stored"
    rows = query(
        crawl["db"],
        "select url, title, excerpt from teasers where article_id = ? order by position",
        (crawl["articles"][page.path]["id"],),
    )
    site = crawl["site"]
    return [
        (
            row["url"][len(site) :] if row["url"].startswith(site + "/") else row["url"],
            row["title"],
            row["excerpt"] or "",
        )
        for row in rows
    ]


def trap_links(page: Page, fragment: str, site: str) -> set[str]:
    """The trap's links as stored teaser URLs would be written: normalised, site paths."""
    tree = lxml_html.fragment_fromstring(fragment, create_parent="div")
    links = set()
    for href in tree.xpath("//a/@href"):
        url = normalize_url(urljoin(site + page.path, href))
        links.add(url[len(site) :] if url.startswith(site + "/") else url)
    return links


# --- the tests --------------------------------------------------------------------------


def test_every_page_is_stored(crawl: dict[str, Any]) -> None:
    missing = [page.name for page in PAGES if page.path not in crawl["articles"]]
    assert not missing, f"pages not stored: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_exactly_the_related_stories_are_stored(crawl: dict[str, Any], page: Page) -> None:
    assert stored_teasers(crawl, page) == list(page.expected), page.name


@pytest.mark.parametrize("trap", list(TRAPS))
def test_a_trap_gives_no_teaser(crawl: dict[str, Any], trap: str) -> None:
    page, fragment = TRAPS[trap]
    links = trap_links(page, fragment, crawl["site"])
    taken = [teaser for teaser in stored_teasers(crawl, page) if teaser[0] in links]
    assert not taken, f"{trap} on page {page.name} stored as teasers: {taken}"


def test_a_read_also_line_in_the_body_is_cut_from_the_body(crawl: dict[str, Any]) -> None:
    body = " ".join(crawl["articles"][READ_ALSO_PAGE.path]["body_text"].split())
    for text in READ_ALSO_PAGE.body:
        assert text in body, f"read-also-in-body: body paragraph lost: {text[:40]}…"
    assert "Storm surge floods island school" not in body, "read-also-in-body: link kept in body"
    assert "Read also" not in body, "read-also-in-body: 'Read also:' kept in the body"


def test_lazy_card_images_are_the_real_images(crawl: dict[str, Any]) -> None:
    rows = query(
        crawl["db"],
        "select image_url from teasers where article_id = ? order by position",
        (crawl["articles"][HARBOUR_STRIKE.path]["id"],),
    )
    images = [urlsplit(row["image_url"] or "").path for row in rows]
    assert images == [
        "/media/2026/03/dockers-640x360.jpg",
        "/media/2026/03/terminal-640x360.jpg",
        "/media/2026/02/rota-640x360.jpg",
        "/media/2026/02/ships-640x360.jpg",
        "/media/2026/03/opinion-640x360.jpg",
        "/media/2026/01/1998-640x360.jpg",
    ], "harbour-strike: lazy images (data-src) behind a placeholder"


def test_a_teaser_without_excerpt_is_republished_with_its_title_once(
    crawl: dict[str, Any],
) -> None:
    page = crawl["articles"][JETPACK.path]["republish_html"]
    related = lxml_html.fromstring(page).xpath("//*[@class='syndicator-teaser']")
    texts = [" ".join(" ".join(p.itertext()).split()) for p in related]
    assert "Lifeboat station appeals for volunteers […]" in texts, f"jetpack: {texts}"
    assert page.count("Lifeboat station appeals for volunteers") == 1, "jetpack: title twice"


def test_the_republished_copy_links_teasers_without_tracking_parameters(
    crawl: dict[str, Any],
) -> None:
    """The store keeps a teaser's URL as the page links it; what reaches a
    partner links it without the source's tracking parameters."""
    page = PAGES_BY_NAME["harbour-strike"]
    stored = [url for url, _, _ in stored_teasers(crawl, page)]
    assert "/world/2026/02/ships-diverted-to-northbay/?utm_source=related&utm_medium=web" in stored
    copy = crawl["articles"][page.path]["republish_html"]
    links = lxml_html.fromstring(copy).xpath("//a/@href")
    assert any(h.endswith("/world/2026/02/ships-diverted-to-northbay/") for h in links), links
    assert not any("utm_" in h for h in links), links
