"""`lamina coverage` is computed from the code, and the providers' member declarations are honest."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from botocore import xform_name

from lamina.coverage import all_coverage, render_markdown
from lamina.protocol.models import load_service_model
from lamina.services.catalog import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def _literals(package: Path) -> set[str]:
    source = "".join(path.read_text() for path in package.rglob("*.py"))
    return set(re.findall(r"[\"']([A-Za-z0-9]+)[\"']", source))


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.model)
def test_every_member_is_read_or_declared(entry) -> None:  # type: ignore[no-untyped-def]
    provider = entry.provider_class()
    package = ROOT / Path(*provider.__module__.split(".")[:3])
    mentioned = _literals(package)
    model = load_service_model(entry.model)
    unaccounted = []
    for name in model.operation_names:
        if not callable(getattr(provider, xform_name(name), None)):
            continue
        shape = model.operation_model(name).input_shape
        declared = set(provider.ignored_members.get(name, {})) | set(provider.unsupported_members.get(name, {}))
        for member in (shape.members if shape else {}):
            if member not in mentioned and member not in declared:
                unaccounted.append(f"{name}.{member}")
    assert unaccounted == [], "members neither used by the code nor declared ignored/unsupported"


def test_cli_agrees_with_the_provider() -> None:
    output = subprocess.run([sys.executable, "-m", "lamina", "coverage", "lambda"], capture_output=True,
                            text=True, check=True, cwd=ROOT).stdout
    provider = next(e for e in SERVICES if e.model == "lambda").provider_class()
    model = load_service_model("lambda")
    methods = {name for name in model.operation_names if callable(getattr(provider, xform_name(name), None))}
    implemented = set(re.search(r"implemented: (.*)", output).group(1).split(", "))
    assert implemented == methods
    assert output.startswith(f"lambda: {len(methods)} of {len(model.operation_names)} operations implemented")


def test_coverage_table_in_docs_is_current() -> None:
    assert (ROOT / "docs" / "coverage.md").read_text().strip() == render_markdown(all_coverage()).strip()
