"""Where namespaces are unavailable (or isolation is off), functions still run, as plain child processes
with rlimits, and the engine says once, clearly, that isolation is reduced."""

from __future__ import annotations

import json
import logging

import pytest

from lamina.engine.api import EngineError
from tests.engine.conftest import Harness


def test_isolation_off_runs_functions_and_says_so_once(make_harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="lamina.engine"):
        harness: Harness = make_harness(isolation="off")
    assert harness.engine.isolation.mode == "off"
    warnings = [record for record in caplog.records if "isolation REDUCED" in record.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    spec = harness.function({"app.py": "import os\ndef handler(e, c):\n    return os.environ['LAMBDA_TASK_ROOT']\n"})
    # Without a mount namespace the code stays at its own path.
    assert json.loads(harness.invoke(spec).payload) == str(spec.code_dir)
    harness.invoke(spec)
    assert len([r for r in caplog.records if "isolation REDUCED" in r.getMessage()]) == 1


def test_sandboxed_mode_is_described_in_the_log(make_harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="lamina.engine"):
        harness: Harness = make_harness()
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("lamina.engine")]
    assert any("isolation: mount/PID/IPC/UTS namespaces" in message for message in messages), messages
    assert any(harness.engine.isolation.describe() in message for message in messages)


def test_without_namespaces_a_network_of_its_own_is_refused_by_name(make_harness) -> None:
    harness: Harness = make_harness(isolation="off")
    assert harness.engine.own_network_available() is False  # what the Lambda API refuses such functions by
    spec = harness.function({"app.py": "def handler(e, c):\n    return 1\n"}, network_isolated=True)
    with pytest.raises(EngineError) as refused:
        harness.invoke(spec)
    assert "LAMINA_NETWORK=none" in refused.value.message and "isolation is off" in refused.value.message
