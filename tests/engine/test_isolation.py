"""Each isolation property, tried by a hostile function; each attempt contained, the engine healthy after.

These run with the engine's default isolation ("auto"); on this machine (root, cgroup v1) that is
namespaces + a uid per environment + cgroups + seccomp. The unprivileged (user namespace) mode has its
own test in test_unprivileged.py.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.engine.conftest import Harness

PROBE = {"app.py": """
    import json, os, signal, subprocess, time

    def attempt(action):
        try:
            return {"ok": True, "value": action()}
        except Exception as error:
            return {"ok": False, "error": type(error).__name__, "errno": getattr(error, "errno", None)}

    def handler(event, context):
        what = event["try"]
        if what == "read":
            return attempt(lambda: open(event["path"]).read())
        if what == "listdir":
            return attempt(lambda: sorted(os.listdir(event["path"])))
        if what == "write":
            return attempt(lambda: open(event["path"], "w").write("x"))
        if what in ("status", "init_status"):
            path = "/proc/1/status" if what == "init_status" else "/proc/self/status"
            fields = dict(line.split(":\\t", 1) for line in open(path).read().splitlines()
                          if ":\\t" in line)
            return {name: fields[name].strip() for name in ("Uid", "CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd",
                                                            "NoNewPrivs", "Seccomp")}
        if what == "mount":
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            result = libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)
            return {"result": result, "errno": ctypes.get_errno()}
        if what == "unshare":
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            return {"result": libc.unshare(0x10000000), "errno": ctypes.get_errno()}
        if what == "kill_init":
            outcome = attempt(lambda: os.kill(1, signal.SIGKILL))
            time.sleep(0.2)
            return {"parent": os.getppid(), "outcome": outcome}
        if what == "kill_everything":
            os.kill(-1, signal.SIGKILL)
            return "survived"
        if what == "fork_bomb":
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        signal.pause()
                        os._exit(0)
                    children += 1
            except OSError as error:
                return {"children": children, "error": type(error).__name__}
        if what == "fill_tmp":
            written = 0
            try:
                with open("/tmp/filler", "wb") as f:
                    while True:
                        f.write(b"\\0" * (1 << 20))
                        f.flush()
                        written += 1
            except OSError as error:
                return {"written_mb": written, "errno": error.errno}
        if what == "allocate":
            hoard = []
            while True:
                hoard.append(bytearray(16 << 20))
        if what == "outlive":
            subprocess.Popen(["/bin/sh", "-c", "exec sleep 1000 " + event["marker"]])
            time.sleep(30)
        if what == "secret":
            open("/tmp/secret", "w").write(event["value"])
            return "stored"
        return "unknown"
"""}


def run(harness: Harness, spec, **event):
    result = harness.invoke(spec, event)
    return result, json.loads(result.payload)


def healthy(harness: Harness) -> None:
    spec = harness.function({"app.py": "def handler(e, c):\n    return 'still fine'\n"})
    assert harness.invoke(spec).payload == b'"still fine"'


def test_cannot_read_another_functions_code(harness: Harness) -> None:
    victim = harness.function({"app.py": "SECRET = 'victim code'\ndef handler(e, c):\n    return 1\n"})
    attacker = harness.function(PROBE)
    _, outcome = run(harness, attacker, **{"try": "read", "path": str(victim.code_dir / "app.py")})
    assert outcome["ok"] is False and outcome["error"] == "FileNotFoundError"
    # Nothing of the host's file system is left in reach: not the data dir, not the host root.
    _, outcome = run(harness, attacker, **{"try": "listdir", "path": "/.host"})
    assert outcome == {"ok": True, "value": []}
    _, outcome = run(harness, attacker, **{"try": "listdir", "path": "/var/task"})
    assert outcome["value"] == ["app.py"]
    healthy(harness)


def test_code_is_read_only(harness: Harness) -> None:
    spec = harness.function(PROBE)
    for path in ("/var/task/app.py", "/var/task/new.py", "/var/runtime/bootstrap.py", "/etc/passwd", "/new"):
        _, outcome = run(harness, spec, **{"try": "write", "path": path})
        assert outcome["ok"] is False, path
    assert (spec.code_dir / "app.py").read_text().startswith("\nimport json")


def test_tmp_is_private_to_each_environment(harness: Harness) -> None:
    first = harness.function(PROBE)
    second = harness.function(PROBE)
    run(harness, first, **{"try": "secret", "value": "s3cr3t"})
    _, outcome = run(harness, second, **{"try": "read", "path": "/tmp/secret"})
    assert outcome["ok"] is False
    _, outcome = run(harness, first, **{"try": "read", "path": "/tmp/secret"})
    assert outcome == {"ok": True, "value": "s3cr3t"}


def test_cannot_see_host_processes(harness: Harness) -> None:
    spec = harness.function(PROBE)
    _, outcome = run(harness, spec, **{"try": "listdir", "path": "/proc"})
    pids = sorted(int(name) for name in outcome["value"] if name.isdigit())
    # Only the environment's own init and runtime.
    assert pids == [1, 2]
    assert str(os.getpid()) not in outcome["value"]


def test_runs_unprivileged_without_capabilities_under_seccomp(harness: Harness) -> None:
    spec = harness.function(PROBE)
    _, status = run(harness, spec, **{"try": "status"})
    assert status["Uid"].split()[0] != "0"
    assert int(status["CapEff"], 16) == int(status["CapPrm"], 16) == int(status["CapBnd"], 16) == 0
    assert status["NoNewPrivs"] == "1" and status["Seccomp"] == "2"
    _, mounted = run(harness, spec, **{"try": "mount"})
    assert mounted == {"result": -1, "errno": 1}  # EPERM
    _, unshared = run(harness, spec, **{"try": "unshare"})
    assert unshared == {"result": -1, "errno": 1}


def test_its_init_holds_no_capabilities(harness: Harness) -> None:
    # PID 1 (zygote/init_program.py) runs as root when lamina does, but without a capability in any set.
    spec = harness.function(PROBE)
    _, status = run(harness, spec, **{"try": "init_status"})
    sets = ("CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd")
    assert {name: int(status[name], 16) for name in sets} == dict.fromkeys(sets, 0)


def test_cannot_kill_its_init_or_see_its_parent(harness: Harness) -> None:
    spec = harness.function(PROBE)
    result, outcome = run(harness, spec, **{"try": "kill_init"})
    # PID 1 is the environment's init: a signal from inside its namespace does not reach it. The runtime's
    # parent (the zygote that forked it, zygote/inits.py) is outside the namespace: not even visible.
    assert outcome["parent"] == 0 and result.function_error is None
    assert harness.invoke(spec, {"try": "status"}).environment_id == result.environment_id
    healthy(harness)


def test_kill_minus_one_reaches_no_one(harness: Harness) -> None:
    spec = harness.function(PROBE)
    result, document = run(harness, spec, **{"try": "kill_everything"})
    # kill(-1) signals every process the caller may signal but init and itself: in its namespace, no one.
    assert document["errorType"] == "ProcessLookupError"
    assert harness.invoke(spec, {"try": "status"}).environment_id == result.environment_id
    healthy(harness)


def test_fork_bomb_is_capped_at_1024_processes(harness: Harness) -> None:
    spec = harness.function(PROBE, memory_mb=2048, timeout_s=30)
    result, outcome = run(harness, spec, **{"try": "fork_bomb"})
    assert outcome["error"] in ("BlockingIOError", "OSError")
    assert 900 <= outcome["children"] < 1024
    harness.engine.retire(spec.function_arn)
    healthy(harness)


def test_tmp_is_limited_to_the_ephemeral_storage(harness: Harness) -> None:
    spec = harness.function(PROBE, ephemeral_mb=16, memory_mb=256)
    _, outcome = run(harness, spec, **{"try": "fill_tmp"})
    assert outcome["errno"] == 28  # ENOSPC
    assert 14 <= outcome["written_mb"] <= 16


def test_allocating_past_memory_is_runtime_out_of_memory(harness: Harness) -> None:
    if harness.engine.isolation.cgroups is None:
        pytest.fail(f"this test needs the memory cgroup; isolation is: {harness.engine.isolation.describe()}")
    spec = harness.function(PROBE, memory_mb=128, timeout_s=20)
    result, document = run(harness, spec, **{"try": "allocate"})
    assert result.function_error == "Unhandled"
    assert document["errorType"] == "Runtime.OutOfMemory"
    assert document["errorMessage"].endswith("Runtime exited with error: signal: killed")
    assert "Error Type: Runtime.OutOfMemory" in result.log_tail.decode()
    healthy(harness)


def test_nothing_outlives_the_timeout(harness: Harness) -> None:
    spec = harness.function(PROBE, timeout_s=1)
    marker = f"lamina-marker-{os.getpid()}-{id(spec)}"
    result, document = run(harness, spec, **{"try": "outlive", "marker": marker})
    assert document["errorType"] == "Sandbox.Timedout"
    environment = next(env for pool in harness.engine.pools.values() for env in pool.environments) \
        if any(pool.environments for pool in harness.engine.pools.values()) else None
    assert environment is None or environment.id != result.environment_id
    # The sleep the function started died with its environment (the namespace's init was killed).
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    survivors.append(pid)
        except OSError:
            pass
    assert survivors == []
    healthy(harness)


def test_cgroup_moves_do_not_wait_for_rcu(harness: Harness) -> None:
    """As root with cgroups, the engine sets favordynmods on the machine's cgroup2 mount (cgroups.py)."""
    if harness.engine.isolation.cgroups is None:
        pytest.fail(f"this test needs cgroups; isolation is: {harness.engine.isolation.describe()}")
    with open("/proc/self/mountinfo") as f:
        cgroup2 = [line.split(" - ")[1].split() for line in f if " - cgroup2 " in line]
    if not cgroup2:
        pytest.fail("this machine mounts no cgroup2 file system: nothing for the engine to set")
    assert all("favordynmods" in fields[2].split(",") for fields in cgroup2)


NETWORK_PROBE = {"app.py": """
    import socket
    def handler(event, context):
        try:
            socket.create_connection(("127.0.0.1", event["port"]), timeout=2).close()
            host = "reached"
        except OSError as error:
            host = type(error).__name__
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=2).close()
        server.close()
        return {"host": host, "loopback": "works"}
"""}


def test_a_function_may_have_a_network_of_its_own(harness: Harness) -> None:
    # Off by default: functions reach lamina and the outside as Lambda functions do. Asked for (the Lambda
    # provider sets it from LAMINA_NETWORK=none), a network namespace whose only interface is a working
    # loopback: a port listening on the machine is out of reach.
    import socket

    assert harness.engine.own_network_available() is True

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        shared = json.loads(harness.invoke(harness.function(NETWORK_PROBE), {"port": port}).payload)
        own = harness.function(NETWORK_PROBE, network_isolated=True)
        isolated = [json.loads(harness.invoke(own, {"port": port}).payload) for _ in range(2)]  # cold, warm
    finally:
        listener.close()
    assert shared == {"host": "reached", "loopback": "works"}
    assert isolated == [{"host": "ConnectionRefusedError", "loopback": "works"}] * 2
