"""The commands of an article's life after it is stored (:mod:`syndicator.lifecycle`):
``withdraw`` (a takedown, a kill notice), ``restore``, and ``history``.

Added to the ``syndicator`` group by :mod:`syndicator.cli`; they import no
crawl stack. A withdrawal or a restore is written to the store at once and
carried to the partners by the next ``publish`` (or ``run``).
"""

from __future__ import annotations

from typing import Any

import click

from syndicator.cli_context import (
    Context,
    ask_store,
    fail,
    find_stored,
    json_option,
    pass_context,
)


@click.command()
@click.argument("article")
@click.option("--reason", required=True, help="Why: kept, shown, and sent to the partners.")
@pass_context
def withdraw(ctx: Context, article: str, reason: str) -> None:
    """Withdraw ARTICLE (its id, a unique prefix of 6 digits or more, or its URL)
    from every partner: the next publish sets WordPress posts to draft or moves
    them to the trash (the partner's on_withdraw), sends webhooks a signed
    article.withdrawn event, and puts a tombstone in Atom feeds. It is never sent
    again until restored.

    \b
        syndicator withdraw 4555da47 --reason "legal: takedown request of 5 Dec"
        syndicator publish
    """
    from syndicator.lifecycle import withdraw as withdraw_article

    reason = " ".join(reason.split())
    if not reason:
        fail("--reason must say why")
    store, found = find_stored(ctx, article)
    try:
        if found.get("withdrawn_at"):
            fail(
                f"article {found['id']} was withdrawn already on {found['withdrawn_at']}: "
                f"{found['withdrawn_reason']}"
            )
        owed = withdraw_article(store, found["id"], reason, "withdraw")
    finally:
        store.close()
    if not ctx.quiet:
        click.echo(
            f"withdrew {found['id']} ({found.get('title') or found['url']}); the next publish "
            f"takes it down from {owed} partner{'s' * (owed != 1)} that have it"
        )


@click.command()
@click.argument("article")
@pass_context
def restore(ctx: Context, article: str) -> None:
    """Undo a withdrawal of ARTICLE: the next publish sends it again to every
    partner that takes its source (WordPress posts are published again, webhooks
    get article.restored, Atom feeds the entry back).

    \b
        syndicator restore 4555da47
    """
    from syndicator.lifecycle import restore as restore_article

    store, found = find_stored(ctx, article)
    try:
        if not found.get("withdrawn_at"):
            fail(f"article {found['id']} is not withdrawn: {found.get('title') or found['url']}")
        queued = restore_article(store, found["id"], "restore")
    finally:
        store.close()
    if not ctx.quiet:
        click.echo(
            f"restored {found['id']} ({found.get('title') or found['url']}); the next publish "
            f"sends it to {queued} partner{'s' * (queued != 1)}"
        )


@click.command()
@click.argument("article")
@json_option
@pass_context
def history(ctx: Context, article: str, as_json: bool) -> None:
    """Everything that happened to ARTICLE, oldest first: fetched, revised, held,
    released, sent, updated, withdrawn, restored; where, why and by which command.

    \b
        syndicator history 4555da47
        syndicator history https://example.org/2026/11/story/ --json
    """
    from syndicator.inspect import find_article
    from syndicator.lifecycle import history as article_history
    from syndicator.listing import print_history, print_json

    def question(store: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        found = find_article(store, article)
        return found, article_history(store, found["id"])

    found, rows = ask_store(ctx, question)
    if as_json:
        print_json(rows)
    else:
        print_history(found, rows)


COMMANDS = (withdraw, restore, history)
