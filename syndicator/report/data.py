"""The numbers behind the charts, read from the store.

Every query only reads, so it runs on a read-only connection: Datasette's
(``syndicator serve``) or one opened with ``mode=ro`` (``syndicator report``).
Times in the store are UTC ISO-8601 strings, so a window of days is a plain
string comparison on an indexed column, and a day is the first 10 characters.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# Delivery outcomes in the order a reader scans them: done, waiting, broken.
OUTCOMES = ("sent", "pending", "sending", "held", "failed", "skipped")


@dataclass(frozen=True)
class Chart:
    """Counts by category (a bar) and series (a segment of that bar)."""

    key: str
    title: str
    category_label: str
    value_label: str
    unit: tuple[str, str]  # singular, plural: "1 article", "2 articles"
    scope: str  # what is counted, for the summary line: "in the last 14 days"
    categories: list[str]
    series: list[str]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, category: str, series: str) -> int:
        return self.counts.get((category, series), 0)

    def total(self, category: str) -> int:
        return sum(self.count(category, s) for s in self.series)

    def series_total(self, series: str) -> int:
        return sum(self.count(c, series) for c in self.categories)

    @property
    def grand_total(self) -> int:
        return sum(self.counts.values())

    def amount(self, n: int) -> str:
        return f"{n} {self.unit[0] if n == 1 else self.unit[1]}"


@dataclass(frozen=True)
class Report:
    """The charts over the last ``days`` days (today, UTC, included); deliveries are
    counted over all time, by their current status."""

    first_day: date
    last_day: date
    generated_at: str
    charts: list[Chart]

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write: no migration, no WAL switch, no lock held."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def read_report(conn: sqlite3.Connection, days: int = 14, today: date | None = None) -> Report:
    """Count articles, deliveries and drops of the last ``days`` days."""
    if days < 1:
        raise ValueError("days must be at least 1")
    now = datetime.now(UTC)
    last = today or now.date()
    first = last - timedelta(days=days - 1)
    since = first.isoformat()
    window = f"in the last {days} days" if days > 1 else "today"
    return Report(
        first_day=first,
        last_day=last,
        generated_at=now.isoformat(timespec="seconds"),
        charts=[
            _articles(conn, first, last, since, window),
            _deliveries(conn),
            _drops(conn, since, window),
        ],
    )


def _by_total(counts: dict[tuple[str, str], int], index: int) -> list[str]:
    """Names at ``index`` of the count keys, largest total first (ties by name)."""
    totals: dict[str, int] = {}
    for key, n in counts.items():
        totals[key[index]] = totals.get(key[index], 0) + n
    return sorted(totals, key=lambda name: (-totals[name], name))


def _articles(conn: sqlite3.Connection, first: date, last: date, since: str, window: str) -> Chart:
    rows = conn.execute(
        # source by source, so the (source, first_seen_at) index answers it: no table scan
        """select substr(a.first_seen_at, 1, 10) as day, a.source, count(*)
           from sources s cross join articles a
           where a.source = s.name and a.first_seen_at >= ? group by day, a.source""",
        (since,),
    ).fetchall()
    counts = {(row[0], row[1]): row[2] for row in rows if row[0] <= last.isoformat()}
    # every day of the window, so a quiet day shows as a gap, not as nothing
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return Chart(
        key="articles",
        title="Articles stored per source per day",
        category_label="day (UTC)",
        value_label="articles stored",
        unit=("article", "articles"),
        scope=window,
        categories=days,
        series=_by_total(counts, 1),
        counts=counts,
    )


def _deliveries(conn: sqlite3.Connection) -> Chart:
    # Every delivery's current status: what a partner has had and is still owed. The
    # (partner, status, …) index covers this; a window on a time column would scan.
    rows = conn.execute(
        "select partner, status, count(*) from deliveries group by partner, status"
    ).fetchall()
    counts = {(row[0], row[1]): row[2] for row in rows}
    seen = {status for _, status in counts}
    return Chart(
        key="deliveries",
        title="Deliveries per partner by outcome",
        category_label="partner",
        value_label="deliveries, all time, by current status",
        unit=("delivery", "deliveries"),
        scope="so far, by current status",
        categories=sorted({partner for partner, _ in counts}),
        series=[s for s in OUTCOMES if s in seen] + sorted(seen - set(OUTCOMES)),
        counts=counts,
    )


def _drops(conn: sqlite3.Connection, since: str, window: str) -> Chart:
    rows = conn.execute(
        "select reason, source, count(*) from drops where at >= ? group by reason, source",
        (since,),
    ).fetchall()
    counts = {(row[0], row[1] or "(no source)"): row[2] for row in rows}
    return Chart(
        key="drops",
        title="Pages dropped by reason",
        category_label="reason",
        value_label="pages dropped",
        unit=("page dropped", "pages dropped"),
        scope=window,
        categories=_by_total(counts, 0),
        series=_by_total(counts, 1),
        counts=counts,
    )
