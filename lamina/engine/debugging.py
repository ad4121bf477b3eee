"""Debug mode: an execution environment that waits for a debugger before it runs the function.

A function created with the environment variable ``LAMINA_DEBUG=1`` (``lamina dev --debug`` sets it)
gets, in each of its execution environments, a debugger listening on a loopback port of its own:
debugpy (the Debug Adapter Protocol, as VS Code and PyCharm speak it) for Python, Node's inspector
for Node.js. The runtime prints the port in the function's log stream and waits for a debugger to
attach before it loads the handler, so breakpoints in init code work too. The function's timeout
and the init timeout are not enforced in debug mode: a person stepping through code is not a hang.
"""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

from lamina.engine.api import FunctionSpec
from lamina.engine.runtimes.catalog import RuntimeInfo

DEBUG_VARIABLE = "LAMINA_DEBUG"
# Where debugpy is visible, read-only, inside the sandbox.
SANDBOX_DEBUGPY_ROOT = "/var/lamina/debug"
# What the runtime bootstraps read (removed from the environment before the function's code runs).
PORT_VARIABLE = "_LAMINA_DEBUG_PORT"
DEBUGPY_VARIABLE = "_LAMINA_DEBUGPY_PATH"


def requested(spec: FunctionSpec) -> bool:
    return spec.environment.get(DEBUG_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def free_loopback_port() -> int:
    """A port no one listens on now: each debugged environment gets its own, so two never clash."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def debugpy_package() -> Path | None:
    """The debugpy package lamina is installed with (a dependency), or None."""
    spec = importlib.util.find_spec("debugpy")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def host_debugpy_root(work_dir: Path) -> Path | None:
    """For unsandboxed runtimes: a directory holding only debugpy, to put on the function's sys.path
    (the site-packages it lives in would also expose lamina's own dependencies)."""
    package = debugpy_package()
    if package is None:
        return None
    root = work_dir / "debug"
    link = root / "debugpy"
    if not link.exists():
        root.mkdir(parents=True, exist_ok=True)
        link.symlink_to(package, target_is_directory=True)
    return root


def debug_variables(runtime: RuntimeInfo, port: int, debugpy_root: str | None) -> dict[str, str]:
    variables = {PORT_VARIABLE: str(port)}
    if runtime.family == "python" and debugpy_root:
        variables[DEBUGPY_VARIABLE] = debugpy_root
    return variables
