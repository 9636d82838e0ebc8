"""What a publish run did, per partner, and its one-line summary."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PartnerReport:
    name: str
    kind: str
    new: int = 0
    updated: int = 0
    retrying: int = 0
    failed: int = 0
    withdrawn: int = 0  # copies taken down on the partner (syndicator.lifecycle)
    conflicts: int = 0  # updates not sent: the partner edited its copy
    waiting: int = 0
    failed_before: int = 0  # failed in earlier runs, not re-queued (`syndicator retry`)
    errors: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.retrying or self.failed or self.failed_before or self.errors)


@dataclass
class PublishReport:
    partners: list[PartnerReport]
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.partners)

    def total(self, attribute: str) -> int:
        return sum(getattr(p, attribute) for p in self.partners)

    @property
    def nothing_done(self) -> bool:
        return not any(
            p.new
            or p.updated
            or p.withdrawn
            or p.conflicts
            or p.retrying
            or p.failed
            or p.failed_before
            or p.errors
            or p.planned
            for p in self.partners
        )


def summary_line(report: PublishReport, seconds: float) -> str:
    if report.dry_run:
        planned = sum(len(p.planned) for p in report.partners)
        return f"publish dry run: {planned} planned action{'s' * (planned != 1)}; nothing was sent"
    sent = report.total("new") + report.total("updated")
    head = "publish finished" if report.ok else "publish finished with failures"
    line = (
        f"{head}; {sent} sent ({report.total('new')} new, {report.total('updated')} "
        f"updates), {report.total('retrying')} to retry, {report.total('failed')} failed, "
        + (f"{report.total('withdrawn')} withdrawn, " if report.total("withdrawn") else "")
        + f"to {len(report.partners)} partner{'s' * (len(report.partners) != 1)} "
        f"in {seconds:.1f}s"
    )
    conflicts = [p for p in report.partners if p.conflicts]
    if conflicts:
        line += "; edited on the partner, so not updated: " + ", ".join(
            f"{p.conflicts} on {p.name} (syndicator publish --overwrite --partner {p.name})"
            for p in conflicts
        )
    earlier = [p for p in report.partners if p.failed_before]
    if earlier:
        line += "; failed in earlier runs: " + ", ".join(
            f"{p.failed_before} to {p.name} (syndicator retry --partner {p.name})" for p in earlier
        )
    errors = [e for p in report.partners for e in p.errors]
    if errors:
        line += (
            "; "
            + "; ".join(errors[:3])
            + (f" (+{len(errors) - 3} more)" if len(errors) > 3 else "")
        )
    return line
