"""How much of each served service's model lamina implements, read from the code itself.

An operation is implemented when its provider has the method the gateway
dispatches to; members are reported from the provider's own declarations
(``ignored_members``, ``unsupported_members``), which a unit test keeps
honest against the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from botocore import xform_name

from lamina.protocol.models import load_service_model
from lamina.services.catalog import SERVICES, ServiceEntry


@dataclass
class ServiceCoverage:
    service: str
    implemented: list[str]
    missing: list[str]
    ignored: dict[str, dict[str, str]] = field(default_factory=dict)
    unsupported: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.implemented) + len(self.missing)


def coverage_of(entry: ServiceEntry) -> ServiceCoverage:
    model = load_service_model(entry.model)
    provider = entry.provider_class()
    implemented, missing = [], []
    for name in sorted(model.operation_names):
        (implemented if callable(getattr(provider, xform_name(name), None)) else missing).append(name)
    return ServiceCoverage(entry.model, implemented, missing, dict(provider.ignored_members),
                           dict(provider.unsupported_members))


def all_coverage(service: str | None = None) -> list[ServiceCoverage]:
    entries = [e for e in SERVICES if service is None or e.model == service]
    if not entries:
        raise KeyError(service)
    return [coverage_of(entry) for entry in entries]


def render_text(report: ServiceCoverage, verbose: bool = False) -> str:
    lines = [f"{report.service}: {len(report.implemented)} of {report.total} operations implemented"]
    if verbose:
        lines += [f"  implemented: {', '.join(report.implemented)}"]
    if report.missing:
        lines.append(f"  not implemented (answer 501 NotImplementedException): {', '.join(report.missing)}")
    for title, table in (("accepted but not acted on (a warning is logged)", report.ignored),
                         ("refused with 501", report.unsupported)):
        for operation, members in sorted(table.items()):
            for member, why in sorted(members.items()):
                lines.append(f"  {operation}.{member}: {title}: {why}")
    return "\n".join(lines)


def render_markdown(reports: list[ServiceCoverage]) -> str:
    lines = ["| service | implemented | of | not implemented | members accepted but not acted on | members refused |",
             "|---|---|---|---|---|---|"]
    for report in reports:
        ignored = ", ".join(f"{op}.{m}" for op, ms in sorted(report.ignored.items()) for m in sorted(ms))
        refused = ", ".join(f"{op}.{m}" for op, ms in sorted(report.unsupported.items()) for m in sorted(ms))
        lines.append(f"| {report.service} | {len(report.implemented)} | {report.total} | "
                     f"{', '.join(report.missing) or '-'} | {ignored or '-'} | {refused or '-'} |")
    return "\n".join(lines)
