"""How ``search``, ``show``, ``drops`` and ``deliveries`` print: rich tables for
people, ``--json`` for scripts.

Every value from the store is printed as rich ``Text``, never as markup, so a
title like ``[/b] Breaking`` shows as written instead of breaking the output.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

HIGHLIGHT = "bold reverse"
_SPACES = re.compile(r"\s+")


def console() -> Console:
    # piped into a file or grep, a row per line reads better than rich's 80
    # columns; $COLUMNS still decides when set
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(width=160 if wide else None, highlight=False)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def short_time(value: str | None) -> str:
    """``2026-11-17T02:40:00+00:00`` -> ``2026-11-17 02:40`` (all store times are UTC)."""
    return value[:16].replace("T", " ") if value else "-"


def _text(value: Any) -> Text:
    if value is None:
        return Text("")
    if isinstance(value, Text):
        return value
    if isinstance(value, float):
        return Text(f"{value:.2f}")
    return Text(str(value))


def print_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    title: str,
    empty: str,
    limit: int | None = None,
) -> None:
    """One row per dict; ``columns`` are (key, header). Times are shortened."""
    out = console()
    if not rows:
        if empty:
            out.print(empty)
        return
    table = Table(title=title, title_justify="left")
    for _, header in columns:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(
            *(
                _text(short_time(row[key]) if key.endswith("_at") or key == "at" else row[key])
                for key, _ in columns
            )
        )
    out.print(table)
    if limit and len(rows) == limit:
        out.print(f"(the newest {limit} rows; --limit 0 shows all)")


def _marked(snippet: str, highlights: Iterable[Sequence[int]], plain: bool) -> Text:
    """The snippet with its matches highlighted; in [brackets] where there is no colour."""
    if plain:
        text, last = "", 0
        for start, end in highlights:
            text += f"{snippet[last:start]}[{snippet[start:end]}]"
            last = end
        return Text(text + snippet[last:])
    marked = Text(snippet)
    for start, end in highlights:
        marked.stylize(HIGHLIGHT, start, end)
    return marked


def print_drops(rows: Sequence[dict[str, Any]], limit: int | None) -> None:
    columns = [("at", "last dropped"), ("source", "source"), ("reason", "reason")]
    columns += [("detail", "detail"), ("times", "times"), ("url", "url")]
    print_table(rows, columns, "Drops, last dropped first", "no drops", limit)


def print_teaser_places(rows: Sequence[dict[str, Any]], everything: bool) -> None:
    columns = [("source", "source"), ("site", "site"), ("place", "place"), ("learned", "learned")]
    columns += [("pages", "pages"), ("confirmed", "confirmed"), ("varied", "varied")]
    columns += [("repeated", "repeated"), ("heading", "heading"), ("last_seen_at", "last seen")]
    rows = [{**row, "learned": row["learned"] or "no"} for row in rows]
    title = "Teaser places seen" if everything else "Teaser places learned"
    empty = "no teaser place seen yet" if everything else "no teaser place learned yet"
    print_table(rows, columns, title, empty)


def print_boilerplate(rows: Sequence[dict[str, Any]], everything: bool) -> None:
    columns = [("source", "source"), ("site", "site"), ("line", "line"), ("state", "state")]
    columns += [("pages", "pages"), ("edge", "at an edge"), ("last_seen_at", "last seen")]
    shown = [
        {
            **row,
            "state": f"pinned {row['pinned']}"
            if row["pinned"]
            else ("learned" if row["learned"] else "no"),
        }
        for row in rows
    ]
    title = "Repeated lines seen" if everything else "Boilerplate learned or pinned"
    empty = "no line seen again yet" if everything else "no boilerplate learned yet"
    print_table(shown, columns, title, empty)


def print_deliveries(rows: Sequence[dict[str, Any]], limit: int | None) -> None:
    columns = [("updated_at", "updated"), ("partner", "partner"), ("status", "status")]
    columns += [("attempts", "attempts"), ("title", "article"), ("where", "where")]
    columns += [("last_error", "last error")]
    rows = [{**row, "where": row["remote_url"] or row["remote_id"]} for row in rows]
    print_table(rows, columns, "Deliveries, last changed first", "no deliveries", limit)


def print_history(article: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    title = f"History of {article['id']}: {article.get('title') or article['url']}"
    if article.get("withdrawn_at"):
        title += f" (withdrawn: {article['withdrawn_reason']})"
    columns = [
        ("at", "when"),
        ("action", "what"),
        ("partner", "where"),
        ("reason", "why"),
        ("command", "by"),
    ]
    print_table(rows, columns, title, "nothing recorded")


def print_search(results: Sequence[dict[str, Any]], query: str) -> None:
    out = console()
    if not results:
        out.print(Text(f"no article matches {query!r}"))
        return
    plain = out.color_system is None
    for number, hit in enumerate(results, start=1):
        out.print(Text(f"{number}. ") + Text(hit["title"] or "(no title)", style="bold"))
        meta = [hit["source"], short_time(hit["published_at"]), hit["id"]]
        if hit["duplicate_of"]:
            meta.append(f"copy of {hit['duplicate_of']}")
        # indented as a block, so a long snippet wraps under itself
        details = Text(" · ".join(meta) + f"\n{hit['url']}\n")
        details.stylize("dim")
        details.append_text(_marked(hit["snippet"], hit["highlights"], plain))
        for line in details.wrap(out, out.width - 3):
            out.print(Text("   ") + line)
        out.print()


class _TextOfHtml(HTMLParser):
    """Readable text of sanitised HTML: a blank line between blocks, "- " before list items."""

    BLOCKS = frozenset(
        {"p", "div", "section", "article", "aside", "header", "footer", "blockquote", "pre"}
        | {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "figure", "figcaption"}
        | {"table", "tr", "hr", "br"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n" if tag in ("br", "li", "tr") else "\n\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        # runs of whitespace become one space, kept at the edges: "by <a>The Herald</a> on"
        self.parts.append(_SPACES.sub(" ", data))


def html_to_text(html: str | None) -> str:
    parser = _TextOfHtml()
    parser.feed(html or "")
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    # runs of blank lines (nested blocks) become one
    return "\n\n".join(p for p in "\n".join(lines).split("\n\n") if p.strip()).strip()


def _facts(pairs: Iterable[tuple[str, Any]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in pairs:
        if value not in (None, "", []):
            grid.add_row(label, _text(value))
    return grid


def print_article(detail: dict[str, Any]) -> None:
    out = console()
    out.print(Text(detail["title"] or "(no title)", style="bold"))
    source = detail["source"] + (f" ({detail['source_title']})" if detail["source_title"] else "")
    earlier = len(detail["revisions"])
    copy = (
        detail["duplicate_of"]
        and f"{detail['duplicate_of']} (similarity {detail['similarity']:.2f})"
    )
    out.print(
        _facts(
            [
                ("id", detail["id"]),
                ("source", source),
                ("url", detail["url"]),
                (
                    "canonical",
                    detail["canonical_url"] if detail["canonical_url"] != detail["url"] else None,
                ),
                ("author", detail["author"]),
                ("published", short_time(detail["published_at"])),
                ("modified", detail["modified_at"] and short_time(detail["modified_at"])),
                ("language", detail["language"]),
                ("tags", ", ".join(detail["tags"])),
                ("words", detail["word_count"]),
                (
                    "revision",
                    f"{detail['revision']} ({earlier} earlier kept)"
                    if earlier
                    else detail["revision"],
                ),
                ("first seen", short_time(detail["first_seen_at"])),
                ("last seen", short_time(detail["last_seen_at"])),
                ("changed", short_time(detail["changed_at"])),
                ("copy of", copy),
                ("copies", ", ".join(f"{c['id']} ({c['source']})" for c in detail["copies"])),
                ("rights", detail.get("rights")),
                ("held", detail.get("hold")),
                (
                    "withdrawn",
                    detail.get("withdrawn_at")
                    and f"{short_time(detail['withdrawn_at'])}: {detail['withdrawn_reason']}",
                ),
            ]
        )
    )
    sections = (
        ("Teasers", detail["teasers"], [("position", "#"), ("title", "title"), ("url", "url")]),
        (
            "Earlier revisions",
            detail["revisions"],
            [
                ("revision", "revision"),
                ("title", "title"),
                ("first_seen_at", "first seen"),
                ("replaced_at", "replaced"),
            ],
        ),
        (
            "Deliveries",
            [
                {
                    **d,
                    "up_to_date": {True: "yes", False: "update owed", None: "-"}[d["up_to_date"]],
                    "where": d["remote_url"] or d["remote_id"],
                }
                for d in detail["deliveries"]
            ],
            [
                ("partner", "partner"),
                ("status", "status"),
                ("attempts", "attempts"),
                ("up_to_date", "has this revision"),
                ("sent_at", "sent"),
                ("where", "where"),
                ("last_error", "last error"),
            ],
        ),
    )
    for title, rows, columns in sections:
        out.print()
        print_table(rows, columns, title, f"{title}: none")
    out.print()
    out.rule("Republished text", align="left")
    out.print(Text(html_to_text(detail["republish_html"])))


def print_preview(shown: Any, html_path: Any) -> None:
    """``syndicator preview``: the verdict, the facts, then the copy as text."""
    out = console()
    article = shown.article
    if shown.dropped:
        verdict = Text(f"would not be stored: {shown.dropped}", style="bold red")
    elif shown.hold:
        verdict = Text(f"would be held, not sent: {shown.hold}", style="bold yellow")
    else:
        verdict = Text("would be sent to partners", style="bold green")
    out.print(Text(article.get("title") or "(no title)", style="bold"))
    out.print(
        _facts(
            [
                ("verdict", verdict),
                ("source", shown.source),
                ("url", article.get("url")),
                ("author", article.get("author")),
                ("published", article.get("published_local") or article.get("published_at")),
                ("language", article.get("language")),
                ("tags", ", ".join(article.get("tags") or [])),
                ("words", article.get("word_count")),
                ("teasers", len(article.get("teasers") or []) or None),
                ("already stored", shown.stored_as),
                ("as a page", str(html_path)),
            ]
        )
    )
    out.print()
    out.print(Text(html_to_text(article.get("republish_html") or article.get("body_html"))))
