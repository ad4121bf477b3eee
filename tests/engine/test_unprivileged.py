"""The engine run by an unprivileged user: sandboxes through user namespaces, limits through rlimits.

The engine runs in a child process as ``nobody``, under the OS's python3.X (``nobody`` cannot reach
this interpreter under /root, mode 0700), with the packages lamina imports hard-linked where it can
read them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

NOBODY = 65534
ENGINE_PACKAGES = ("orjson", "httptools", "boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six",
                   "urllib3")
REPOSITORY = Path(__file__).resolve().parents[2]
OS_PYTHON = Path(f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}")


def _link_tree(source: Path, target: Path) -> None:
    for root, dirs, files in os.walk(source):
        if "__pycache__" in dirs:
            dirs.remove("__pycache__")
        relative = Path(root).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(root) / name, target / relative / name)


@pytest.fixture(scope="module")
def unprivileged_python() -> Iterator[tuple[Path, Path, Path]]:
    if os.geteuid() != 0:
        pytest.fail("this test starts the engine as another user: run the tests as root")
    assert OS_PYTHON.exists(), f"{OS_PYTHON} (the same minor version as the tests' python) is needed"
    base = Path(tempfile.mkdtemp(prefix="lamina-unprivileged-"))
    base.chmod(0o755)
    site = base / "site-packages"
    site.mkdir()
    for name in ENGINE_PACKAGES:
        origin = Path(importlib.util.find_spec(name).origin)
        if origin.name == "__init__.py":
            _link_tree(origin.parent, site / name)
        else:
            os.link(origin, site / origin.name)
        for info in origin.parent.parent.glob(f"{name}-*.dist-info") if origin.name == "__init__.py" else ():
            _link_tree(info, site / info.name)
    work = base / "work"
    work.mkdir()
    os.chown(work, NOBODY, NOBODY)
    try:
        yield OS_PYTHON, site, base
    finally:
        shutil.rmtree(base, ignore_errors=True)


RUNNER = """
import asyncio, json, logging, sys
from pathlib import Path
from lamina.engine import Engine, EngineSettings
from lamina.engine.api import FunctionSpec, Invocation

class Sink:
    def write(self, account, region, group, stream, events):
        pass

async def main(work, code):
    engine = Engine(EngineSettings(work_dir=Path(work)), Sink())
    await engine.start()
    spec = FunctionSpec(key="k", function_name="probe", function_arn="arn:aws:lambda:us-east-1:000000000000:function:probe",
                        version="$LATEST", runtime="python{minor}", handler="app.handler", code_dir=Path(code),
                        memory_mb=256, timeout_s=20)
    results = []
    for event in ({{"try": "status"}}, {{"try": "status"}}, {{"try": "fork_bomb"}}):
        result = await engine.invoke(spec, Invocation(request_id="r", payload=json.dumps(event).encode(),
                                                      invoked_function_arn=spec.function_arn))
        results.append({{"payload": json.loads(result.payload), "environment": result.environment_id}})
    print(json.dumps({{"mode": engine.isolation.mode, "results": results}}))
    await engine.stop()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""

PROBE = """
import os, signal

def handler(event, context):
    if event["try"] == "fork_bomb":
        children = 0
        try:
            while children < 5000:
                if os.fork() == 0:
                    signal.pause()
                    os._exit(0)
                children += 1
        except OSError as error:
            return {"children": children, "error": type(error).__name__}
        return {"children": children}
    status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
    return {"uid": os.getuid(), "cap_eff": status["CapEff"].strip(), "seccomp": status["Seccomp"].strip(),
            "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), "host": os.listdir("/.host"),
            "task_writable": os.access("/var/task", os.W_OK)}
"""


def test_sandbox_through_user_namespaces(unprivileged_python: tuple[Path, Path, Path]) -> None:
    python, site, base = unprivileged_python
    code = base / "function"
    code.mkdir(exist_ok=True)
    (code / "app.py").write_text(PROBE)
    (code / "app.py").chmod(0o644)
    runner = base / "runner.py"
    runner.write_text(textwrap.dedent(RUNNER.format(minor=f"{sys.version_info[0]}.{sys.version_info[1]}")))
    finished = subprocess.run(
        [str(python), str(runner), str(base / "work"), str(code)], user=NOBODY, group=NOBODY, extra_groups=[],
        env={"PATH": "/usr/bin:/bin", "HOME": str(base / "work"), "PYTHONPATH": f"{REPOSITORY}:{site}"},
        capture_output=True, text=True, timeout=120, cwd=base,
    )
    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report["mode"] == "userns", finished.stderr
    first, second, bomb = (entry["payload"] for entry in report["results"])
    assert first["uid"] == 993 and int(first["cap_eff"], 16) == 0 and first["seccomp"] == "2"
    assert first["pids"] == [1, 2] and first["host"] == [] and first["task_writable"] is False
    assert report["results"][0]["environment"] == report["results"][1]["environment"]
    # No pids cgroup without root: the per-user process limit stops the bomb.
    assert bomb.get("error") in ("BlockingIOError", "OSError") and bomb["children"] < 1024
