"""Engine-level benchmarks: the figures of issue 3 measured at the engine API (no HTTP, no signing).

Run (as root for the full sandbox; any user gets the user-namespace sandbox):

    PYTHONPATH=. python bench/engine_bench.py            # everything
    PYTHONPATH=. python bench/engine_bench.py cold warm  # some sections

Sections: primitives (fork of an interpreter loaded as each Python zygote is, fork + namespaces), cold (first invoke of a
new environment, no imports / import boto3), warm (sequential round trips), throughput (32 concurrent
callers), burst (1,000 concurrent invocations of a 1-second sleep; where a cgroup v1 cpuacct hierarchy
exists, also the CPU time this process and everything it started used per environment), uss (memory of
idle warm environments). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import uvloop

from lamina.engine import Engine, EngineSettings
from lamina.engine.api import FunctionSpec, Invocation
from lamina.engine.sandbox import PYTHON_PRELOAD, PYTHON_SDK_PRELOAD

RUNTIME = os.environ.get("LAMINA_BENCH_RUNTIME") or f"python{sys.version_info[0]}.{sys.version_info[1]}"


class NullSink:
    def write(self, account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(name: str, value: str) -> None:
    print(f"{name:<58} {value}", flush=True)


class Bench:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.engine = Engine(EngineSettings(work_dir=base / "work", account_concurrency=2000,
                                            memory_budget_mb=1 << 20), NullSink())
        self.cpu_group: Path | None = None

    def function(self, code: str, **fields) -> FunctionSpec:
        name = f"bench-{uuid.uuid4().hex[:8]}"
        code_dir = self.base / "functions" / name
        code_dir.mkdir(parents=True)
        (code_dir / "app.py").write_text(code)
        arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
        return FunctionSpec(key=f"{arn}:{uuid.uuid4().hex}", function_name=name, function_arn=arn,
                            version="$LATEST", runtime=fields.pop("runtime", RUNTIME), handler="app.handler",
                            code_dir=code_dir, **fields)

    async def invoke(self, spec: FunctionSpec, payload: bytes = b"{}"):
        return await self.engine.invoke(spec, Invocation(request_id=str(uuid.uuid4()), payload=payload,
                                                         invoked_function_arn=spec.function_arn))


NOOP = "def handler(event, context):\n    return None\n"
WITH_BOTO3 = "import boto3\n\ndef handler(event, context):\n    return None\n"
SLEEP = "import time\n\ndef handler(event, context):\n    time.sleep(1)\n    return 'slept'\n"


def primitives() -> None:
    """The floor: what a fork of each Python zygote's interpreter costs, and a fork into new namespaces. Each
    is measured in a fresh interpreter that imported what that zygote preloads (lamina/engine/sandbox.py)."""
    for label, preload in (("lean zygote", PYTHON_PRELOAD), ("SDK zygote, boto3 loaded", PYTHON_PRELOAD + PYTHON_SDK_PRELOAD)):
        child = subprocess.run([sys.executable, str(Path(__file__).with_name("fork_floor.py")), json.dumps(preload)],
                               capture_output=True, text=True, check=True)
        for name, value in json.loads(child.stdout).items():
            report(f"primitive: {name} ({label}), p50", f"{value:.2f} ms")


async def cold(bench: Bench) -> None:
    await bench.engine.prepare_runtime(RUNTIME)  # the zygotes are started once per engine, not measured
    for label, code in (("no imports", NOOP), ("import boto3", WITH_BOTO3)):
        totals, inits = [], []
        for _ in range(60):
            spec = bench.function(code)
            started = time.perf_counter()
            result = await bench.invoke(spec)
            totals.append((time.perf_counter() - started) * 1000)
            inits.append(result.init_duration_ms or 0.0)
            bench.engine.retire(spec.function_arn)
        report(f"cold start, {label}: end to end p50 / p99", f"{percentile(totals, .5):.2f} / "
                                                              f"{percentile(totals, .99):.2f} ms")
        report(f"cold start, {label}: Init Duration p50", f"{percentile(inits, .5):.2f} ms")


async def warm(bench: Bench) -> None:
    spec = bench.function(NOOP)
    for _ in range(200):
        await bench.invoke(spec)
    samples = []
    for _ in range(5000):
        started = time.perf_counter()
        await bench.invoke(spec)
        samples.append((time.perf_counter() - started) * 1000)
    report("warm invoke at the engine API: p50 / p99", f"{percentile(samples, .5):.3f} / "
                                                        f"{percentile(samples, .99):.3f} ms")


async def throughput(bench: Bench) -> None:
    spec = bench.function(NOOP)
    clients, seconds = 32, 5.0
    await asyncio.gather(*(bench.invoke(spec) for _ in range(clients)))  # 32 warm environments
    done = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await bench.invoke(spec)
            done += 1

    started = time.perf_counter()
    cpu = time.process_time()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    report("invokes per second at the engine API, 32 concurrent callers", f"{done / elapsed:,.0f}/s")
    report("  engine process CPU while doing so", f"{(time.process_time() - cpu) / elapsed * 100:.0f}% of a core")


CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def cpu_group() -> Path | None:
    """A cgroup v1 cpuacct group holding this process, so that the zygotes and environments it starts
    (their CPU time goes nowhere else) are counted with it; None where there is no such hierarchy."""
    if not (CPUACCT / "cpuacct.usage").exists():
        return None
    group = CPUACCT / f"lamina-bench-{os.getpid()}"
    group.mkdir(exist_ok=True)
    (group / "cgroup.procs").write_text(str(os.getpid()))
    return group


def leave_cpu_group(group: Path) -> None:
    (CPUACCT / "cgroup.procs").write_text(str(os.getpid()))
    deadline = time.monotonic() + 10
    while (group / "cgroup.procs").read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.05)  # environments still dying after the engine stopped: the group goes once they are gone
    try:
        group.rmdir()
    except OSError as error:
        print(f"could not remove {group}: {error}", file=sys.stderr)


async def burst(bench: Bench) -> None:
    # The runtime's zygotes are started once per engine, not per burst: before, not measured (as in ``cold``).
    await bench.engine.prepare_runtime(RUNTIME)
    spec = bench.function(SLEEP, timeout_s=30)
    cpu_before = int((bench.cpu_group / "cpuacct.usage").read_text()) if bench.cpu_group else None
    started = time.perf_counter()
    results = await asyncio.gather(*(bench.invoke(spec) for _ in range(1000)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    if bench.cpu_group is not None and cpu_before is not None:
        used_ns = int((bench.cpu_group / "cpuacct.usage").read_text()) - cpu_before
        report("1,000 concurrent invocations of a 1 s sleep: CPU per environment (engine, zygotes, environments)",
               f"{used_ns / 1e6 / 1000:.2f} ms")
    succeeded = sum(1 for result in results if not isinstance(result, BaseException)
                    and result.function_error is None and result.payload == b'"slept"')
    report("1,000 concurrent invocations of a 1 s sleep: succeeded", f"{succeeded}/1000")
    report("1,000 concurrent invocations of a 1 s sleep: wall time", f"{elapsed:.2f} s")
    bench.engine.retire(spec.function_arn)


def uss_kb(pid: int) -> int:
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def environment_pids(init_pid: int) -> list[int]:
    """The environment's init and every process in its PID namespace (its runtime is the zygote's child)."""
    namespace = os.readlink(f"/proc/{init_pid}/ns/pid")
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/ns/pid") == namespace:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


async def uss(bench: Bench) -> None:
    spec = bench.function(NOOP)
    await asyncio.gather(*(bench.invoke(spec) for _ in range(20)))
    for _ in range(3):
        await bench.invoke(spec)
    pool = bench.engine.pools[spec.key]
    figures = []
    for environment in pool.environments:
        pids = environment_pids(environment.process.pid) if bench.engine.isolation.mode != "off" \
            else [environment.process.pid]
        figures.append(sum(uss_kb(pid) for pid in pids))
    report(f"USS of an idle warm environment ({len(figures)} measured, init + runtime): p50 / max",
           f"{statistics.median(figures) / 1024:.2f} / {max(figures) / 1024:.2f} MB")


async def main(sections: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="lamina-bench-") as directory:
        base = Path(directory)
        base.chmod(0o755)
        bench = Bench(base)
        bench.cpu_group = cpu_group() if "burst" in sections else None
        await bench.engine.start()
        report("isolation", bench.engine.isolation.describe())
        report("runtime", RUNTIME)
        try:
            for name in sections:
                await {"cold": cold, "warm": warm, "throughput": throughput, "burst": burst, "uss": uss}[name](bench)
        finally:
            await bench.engine.stop()
            if bench.cpu_group is not None:
                leave_cpu_group(bench.cpu_group)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sections", nargs="*", default=["primitives", "cold", "warm", "throughput", "uss", "burst"])
    arguments = parser.parse_args()
    if "primitives" in arguments.sections:
        primitives()
    engine_sections = [name for name in arguments.sections if name != "primitives"]
    if engine_sections:
        # On the event loop lamina serves on (lamina/server.py), so the engine's figures are those it has there.
        uvloop.run(main(engine_sections))
