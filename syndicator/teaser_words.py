"""What the words around a block of links say about it: the vocabulary of
related-story blocks, and of the lists that only look like them.

A reader tells a related-story block from a "most read" list by its heading,
so the heading decides (``../shared/corpora/zyte-aeb/teasers/RULES.md``, rule
5): :func:`heading_says` reads a heading in the languages news sites commonly
use. Where a block has no heading, its class and id words decide
(:func:`classes_say`). Link texts that are never headlines (``Read more``,
``12 comments``) and URL paths that are never articles (tags, authors,
pagers, logins) are here too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

RELATED, UNRELATED, NEUTRAL = "related", "unrelated", "neutral"

# Headings that present links as related to this article or as follow-up
# reading, in the languages news sites commonly use. Matched anywhere in a
# short heading, case- and accent-insensitively (see _fold).
_RELATED_HEADINGS = r"""
relat | related | more\ on\b | more\ from\b | more\ in\b | more\ about\b | more\ like\ this
| more\ (?:great\ )?(?:\w+\ )?(?:stories|news|articles|coverage|reading|posts)\b
| also\ (?:read|on|in|see)\b | read\ (?:also|next|more)\b | see\ also | next\ up | up\ next
| read\ th(?:is|ese)\ next | what\ to\ read | keep\ reading | further\ reading | dig\ deeper
| you\ (?:may|might|will|could)\ (?:also\ )?(?:like|enjoy|be\ interested|want) | also\ like
| recent\ from\b | recommend | editor'?s?'?\ picks? | picked\ for\ you | don'?t\ miss
| similar | storyline
| story\ timeline | in\ this\ series | more\ stories\ like | same\ topic | on\ the\ same
| ahnlich | verwandt | lesen\ sie\ auch | auch\ interessant | konnte\ sie\ (?:auch\ )?interessieren
| mehr\ zum\ thema | mehr\ (?:aus|zu|uber|von)\b
| weitere\ (?:beitrage|artikel|meldungen|nachrichten|texte)
| passend\ zum\ thema | zum\ thema | empfehl | empfohlen | weiterlesen | auch\ lesen
| sur\ le\ meme\ (?:sujet|theme) | a\ lire\ (?:aussi|egalement) | lire\ aussi | voir\ aussi
| a\ voir\ aussi | articles?\ (?:similaires|lies|connexes) | vous\ (?:aimerez|pourriez)
| dans\ la\ meme\ rubrique | plus\ d'articles | nos\ recommandations | a\ decouvrir
| relacionad | te\ puede\ interesar | tambien\ te\ puede | lee\ tambien | lea\ tambien
| lea\ mas | lee\ mas | mas\ (?:sobre|de|noticias|en)\b | te\ recomendamos | recomendad
| otras\ noticias | sigue\ leyendo | leia\ (?:tambem|mais) | veja\ (?:tambem|mais)
| voce\ pode\ gostar
| mais\ (?:sobre|de|noticias)\b | recomendamos | saiba\ mais
| correlat | leggi\ anche | potrebbe\ interessarti | ti\ potrebbe | altri\ articoli
| dello\ stesso | vedi\ anche | consigliat | approfondimenti
| gerelateerd | lees\ ook | meer\ over | ook\ interessant | meer\ nieuws\ over | aanbevolen
| zobacz\ (?:takze|tez|rowniez) | czytaj\ (?:takze|tez|rowniez|wiecej) | podobne
| powiazane | polecamy
| wiecej\ na\ ten\ temat | przeczytaj\ rowniez
| читайте\ (?:также|еще|ещё|також) | по\ теме | по\ темі | похож | схож | смотрите\ также
| вам\ (?:также\ )?(?:может|будет) | рекоменд | еще\ по\ теме | ещё\ по\ теме | связанн
| материалы\ по
| souvisej | mohlo\ by\ vas | ctete\ (?:take|dale) | suvisiac | precitajte\ si
| relaterat | las\ (?:ocksa|aven) | relatert | les\ ogsa | laes\ ogsa | relateret | laes\ ogsa
| lue\ myos | aiheeseen\ liittyv | kapcsolod | ajanljuk | citeste\ si | articole\ similare
| ilgili\ haber | benzer\ haber | ilginizi\ cek | σχετικ | διαβαστε\ επισης
| 関連 | あわせて読み | 合わせて読み | こちらもおすすめ | おすすめ記事 | 次に読み
| 相关 | 相關 | 延伸阅读 | 延伸閱讀 | 推荐阅读 | 推薦閱讀 | 猜你喜欢 | 猜你喜歡
| 관련\ ?기사 | 관련\ ?뉴스 | 추천\ ?기사 | 함께\ 볼 | 같이\ 볼
| ذات\ صلة | اقرأ\ أيضا | اقرأ\ ايضا | مقالات\ مشابهة | قد\ يعجبك
| संबंधित | ये\ भी\ पढ़ें | यह\ भी\ पढ़ें | और\ पढ़ें
| terkait | baca\ juga | lien\ quan | xem\ them | doc\ them | tin\ khac
| עוד\ בנושא | כתבות\ נוספות | כתבות\ קשורות
"""
# Recency, popularity, promotion and navigation: never related stories, even
# when the block's class says "related" (rule 5).
_UNRELATED_HEADINGS = r"""
\blatest\b | \bnewest\b | most\ (?:read|popular|viewed|shared|commented|emailed|watched|recent)
| \bpopular\b | \btrending\b | top\ (?:stories|news|headlines|\d+) | breaking | just\ in
| \brecent\ (?:posts|articles|news|stories|comments)\b | what'?s\ hot | hot\ right\ now
| sponsored | promoted | paid\ (?:content|post|for) | partner | from\ the\ web | around\ the\ web
| advert | \bads?\b | elsewhere\ on\ the\ web | from\ our\ partners | we\ like | newsletter
| \bfollow\ us | share\ this | \bcomments?\b | leave\ a\ reply | \btags?\b | \bcategor
| \barchives?\b | \bnavigation | \bmenu\b | \bsearch\b | trending\ now
| meistgelesen | am\ meisten | neueste | aktuell | beliebt | top\ artikel | anzeige
| les\ plus\ (?:lus|partages|commentes|vus) | derniers?\ articles | dernieres | a\ la\ une
| populaire
| lo\ mas\ (?:leido|visto) | mas\ leid | mas\ vist | ultimas | lo\ ultimo | popular
| mais\ lid | mais\ vist | ultimas\ noticias | populares
| piu\ lett | piu\ vist | ultime\ notizie | ultimi\ articoli | popolari
| meest\ gelezen | laatste\ nieuws | populair
| najczesciej | najnowsze | popularne | najpopularniejsze
| самое\ (?:читаемое|популярное) | популярн | последние\ новости | новое\ на\ сайте | самые
| en\ cok\ okunan | son\ dakika | nejctenejsi | nejnovejsi | mest\ last | mest\ lest
| 人気 | 最新 | 新着 | 最近の投稿 | ランキング | 热门 | 熱門 | 最新 | 排行 | 많이\ 본 | 인기 | 최신
| الأكثر\ قراءة | الأكثر | الأحدث | सबसे\ ज्यादा | terpopuler | terbaru | doc\ nhieu | moi\ nhat
"""
_SPACES = re.compile(r"\s+")


def _compile(words: str) -> re.Pattern[str]:
    # alternatives are separated by " | " or a line break ("|" with no spaces
    # around it is an alternation inside one of them)
    parts = [p.strip() for p in re.split(r"\s\|\s|\n", words) if p.strip(" |")]
    return re.compile("|".join(f"(?:{p.strip(' |')})" for p in parts), re.IGNORECASE)


RELATED_HEADING = _compile(_RELATED_HEADINGS)
UNRELATED_HEADING = _compile(_UNRELATED_HEADINGS)


def _bare_latin(char: str) -> str:
    """A Latin letter without its accents (ä -> a, ł -> l); any other as it is:
    Cyrillic й is a letter of its own, not и with a mark."""
    if "\u00c0" <= char <= "\u024f":
        decomposed = unicodedata.normalize("NFKD", char)
        return "".join(c for c in decomposed if not unicodedata.combining(c)) or char
    return char


def fold(text: str) -> str:
    """Lower case, Latin accents off (ä -> a, ł -> l, é -> e), one space,
    apostrophes plain: how headings are compared."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("’", "'").replace("‘", "'")
    bare = "".join(_bare_latin(c) for c in unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", bare).strip().casefold()


@lru_cache(maxsize=4096)
def heading_says(text: str) -> str:
    """What a block's heading says of its links: RELATED, UNRELATED or NEUTRAL
    (a section's name, a date: no say). Unrelated wins where both appear
    ("Most popular related stories" is a popularity list)."""
    folded = fold(text)
    if not folded:
        return NEUTRAL
    if UNRELATED_HEADING.search(folded):
        # "More from <author>" and "<author>'s most recent stories" name whose
        # stories they are: follow-up reading (rule 3), not a recency list
        if re.search(r"\b(?:more|recent)\ from\b|'s\ most\ recent", folded):
            return RELATED
        return UNRELATED
    return RELATED if RELATED_HEADING.search(folded) else NEUTRAL


# a label that stands between a heading and its links without being a heading
DECORATION = re.compile(
    r"^\W*(?:advertisements?|anzeige|werbung|publicit[eé]|publicidad|pubblicit[aà]|reklama"
    r"|реклама|ad|ads|sponsored content)\W*$",
    re.IGNORECASE,
)

# class and id words of blocks with no heading; matched against the words of
# class and id split at - _ and case changes
RELATED_CLASSES = re.compile(
    r"relat|recommend|similar|also|more-?(?:on|from|in|stories|news|articles|like)|read-?next"
    r"|next-?read|whats-?next|up-?next|next-?up|yarpp|crp|rp4wp|jp-relatedposts|you-?may"
    r"|further|storyline|recirc|in-?article-?links|more-?to-?read",
    re.IGNORECASE,
)
UNRELATED_CLASSES = re.compile(
    r"popular|trending|latest|newest|most-?read|mostread|top-?stories|sponsor|promot|taboola"
    r"|outbrain|revcontent|zergnet|nativo|partner|advert|\bads?\b|breadcrumb|pagination|pager"
    r"|nav\b|navbar|navigation|menu|tag-?cloud|tags|categor|comment|share|social|author-?box"
    r"|byline|footer-?links|sitemap|subscribe|newsletter|login|signup|prev-?next|post-?navigation",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def classes_say(names: str) -> str:
    """What the class and id of a block with no heading say: RELATED,
    UNRELATED or NEUTRAL."""
    if not names:
        return NEUTRAL
    if UNRELATED_CLASSES.search(names):
        return UNRELATED
    return RELATED if RELATED_CLASSES.search(names) else NEUTRAL


# link texts that are never a headline
NOT_HEADLINE = re.compile(
    r"^(?:read|see|view|show|load|watch|listen|continue|more|mehr|plus|leer|leia|leggi|czytaj"
    r"|читать|weiterlesen|lire|ver|vedi|zobacz)\b.{0,20}$|^\d+\s*(?:comments?|kommentare)"
    r"|^(?:comments?|share|tweet|email|print|next|previous|prev|back|home|subscribe|log ?in"
    r"|sign ?(?:in|up)|register|menu|search|top|advertisement)$",
    re.IGNORECASE,
)
# path segments of pages that are never articles: lists, people, accounts, pagers
NOT_ARTICLE_SEGMENT = re.compile(
    r"^(?:tags?|topics?|categor(?:y|ies)|kategorie|rubri[ck]|sections?|authors?|autor(?:en)?"
    r"|people|profiles?|users?|members?|search|suche|login|logout|signin|signup|register"
    r"|account|subscribe|newsletters?|forums?|community|threads?|contact|about|impressum"
    r"|privacy|terms|cookies?|feed|rss|page|seite|pagina|archives?|wp-login\.php|cart|shop"
    r"|help|faq|jobs|careers|advertise|events|weather|horoscopes?|games|crosswords?)$",
    re.IGNORECASE,
)


_GENERIC = re.compile(
    r"^(?:more|other|further)(?:\s+(?:great|top|good|blog|site|of\s+our))?(?:\s+(?:stories|news|articles|posts"
    r"|headlines|reads?|reading))?$"
)
# the editors' choice of the site: follow-up reading below the article, a
# generic list in a sidebar (rule 2)
_PICKS = re.compile(r"^(?:our\s+)?editor'?s?'?\s+(?:picks?|choice|selection)$|^picked\s+for\s+you$")
_MORE_FROM = re.compile(r"^more\s+(?:great\s+)?(?:from\s+|in\s+|on\s+|at\s+)?(?:the\s+)?(.+?)\s*$")
_KIND_WORDS = re.compile(r"\b(?:stories|news|articles|posts|headlines|reads?)\b")


def generic_heading(text: str, site_words: frozenset[str] | set[str]) -> bool:
    """Whether a heading offers just more of the site ("More stories", "More
    from the Daily Planet", "More Great Planet Stories"): follow-up reading at
    the end of an article, a generic list in a sidebar (rule 3). ``site_words``
    are the site's name and domain label, folded, without spaces."""
    folded = fold(text).strip(" :.!…-")
    if _GENERIC.match(folded) or _PICKS.match(folded):
        return True
    match = _MORE_FROM.match(folded)
    if not match:
        return False
    rest = _KIND_WORDS.sub("", match.group(1)).replace(" ", "").replace("'s", "")
    rest = re.sub(r"\W", "", rest)
    return bool(rest) and any(
        rest == word or (len(rest) >= 3 and word.startswith(rest)) for word in site_words if word
    )


_CASE_CHANGE = re.compile(r"([a-z])([A-Z])")
_WORD_SEPARATORS = re.compile(r"[\s\-_]+")


@lru_cache(maxsize=8192)
def class_words(names: str) -> frozenset[str]:
    """The words of class and id values: ``nav-menu__item`` -> nav, menu, item."""
    spaced = _CASE_CHANGE.sub(r"\1 \2", names)
    return frozenset(w for w in _WORD_SEPARATORS.split(spaced.casefold()) if w)


_NAVIGATION_WORDS = {
    "nav",
    "navbar",
    "navigation",
    "menu",
    "menus",
    "megamenu",
    "breadcrumb",
    "breadcrumbs",
    "masthead",
    "topbar",
    "pagination",
    "pager",
    "pagenav",
    "sitemap",
}
_PAGER_WORDS = {"prev", "previous", "sibling", "siblings", "pager", "pagination", "adjacent"}
_SIDE_WORDS = {"sidebar", "side", "secondary", "aside", "sidecol"}
_MAIN_WORDS = {"article", "story", "post", "entry", "main", "content", "body"}


def in_sidebar(names: list[tuple[str, str]]) -> bool:
    """Whether the nearest of these containers (tag, class and id; innermost
    first) that says where it is says "sidebar" rather than "the story's
    column". Layout class names mix both ("l-sidebar-fixed l-article-body"):
    the story's words win."""
    for tag, value in names:
        words = class_words(value)
        if words & _MAIN_WORDS or tag in ("article", "main"):
            return False
        if words & _SIDE_WORDS:
            return True  # (an <aside> is a story's box of related links as often as a sidebar)
    return False


def is_navigation(names: str) -> bool:
    return bool(class_words(names) & _NAVIGATION_WORDS)


def is_pager(names: str) -> bool:
    words = class_words(names)
    return bool(words & _PAGER_WORDS) or {"post", "navigation"} <= words
