"""Charts of what the store holds: articles per source and day, deliveries per
partner by outcome, drops by reason.

:mod:`syndicator.report.data` reads the numbers from the store (any sqlite3
connection, read-only is enough); :mod:`syndicator.report.render` draws them
as inline SVG with a data table beside each chart. The same fragment is shown
by ``syndicator serve`` (``/-/syndicator/charts``) and written into the
self-contained HTML file of ``syndicator report --html``.
"""

from syndicator.report.data import Chart, Report, read_report
from syndicator.report.render import render_charts, render_document

__all__ = ["Chart", "Report", "read_report", "render_charts", "render_document"]
