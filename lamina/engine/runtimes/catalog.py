"""Which Lambda runtimes this machine can run, and with which executable.

Python runtimes use every CPython of the right minor version found on PATH or
under pyenv; Node.js runtimes use a ``node`` of the right major version; the
OS-only runtimes (``provided*``) need nothing but the function's own
``bootstrap``.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PYTHON_RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13")
NODE_RUNTIMES = ("nodejs18.x", "nodejs20.x", "nodejs22.x")
PROVIDED_RUNTIMES = ("provided", "provided.al2", "provided.al2023")


@dataclass(frozen=True, slots=True)
class RuntimeInfo:
    name: str  # the Lambda runtime identifier, e.g. "python3.12"
    family: str  # "python" | "nodejs" | "provided"
    executable: Path | None  # the interpreter; None for provided runtimes
    # The AWS_EXECUTION_ENV value (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
    execution_env: str | None


def _pyenv_roots() -> list[Path]:
    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    roots.append(Path.home() / ".pyenv")
    return roots


def _python_candidates(minor: str) -> list[Path]:
    candidates: list[Path] = []
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        # pyenv shims are shell scripts that pick a version per directory; use the real interpreters.
        if directory and "/shims" not in directory:
            candidates.append(Path(directory) / f"python{minor}")
    for root in _pyenv_roots():
        for match in sorted(glob.glob(str(root / "versions" / f"{minor}.*" / "bin" / f"python{minor}")), reverse=True):
            candidates.append(Path(match))
    candidates += [Path(f"/usr/bin/python{minor}"), Path(f"/usr/local/bin/python{minor}")]
    return candidates


def _is_cpython(executable: Path, minor: str) -> bool:
    try:
        out = subprocess.run(
            [str(executable), "-c", "import sys,platform;print(platform.python_implementation(),*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=10,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return False
    return out == ["CPython", *minor.split(".")]


@cache
def _find_python(minor: str) -> Path | None:
    for candidate in _python_candidates(minor):
        if candidate.is_file() and os.access(candidate, os.X_OK) and _is_cpython(candidate, minor):
            return candidate.resolve()
    return None


@cache
def _find_node(major: str) -> Path | None:
    found = shutil.which("node")
    if found is None:
        return None
    try:
        version = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.fullmatch(r"v(\d+)\.\d+\.\d+", version)
    return Path(found).resolve() if match and match.group(1) == major else None


def find_runtime(name: str) -> RuntimeInfo | None:
    """The runtime's executable on this machine, or None when it cannot run here."""
    if name in PYTHON_RUNTIMES:
        executable = _find_python(name.removeprefix("python"))
        return RuntimeInfo(name, "python", executable, f"AWS_Lambda_{name}") if executable else None
    if name in NODE_RUNTIMES:
        executable = _find_node(name.removeprefix("nodejs").removesuffix(".x"))
        return RuntimeInfo(name, "nodejs", executable, f"AWS_Lambda_{name}") if executable else None
    if name in PROVIDED_RUNTIMES:
        return RuntimeInfo(name, "provided", None, None)
    return None


@dataclass(frozen=True, slots=True)
class PythonLayout:
    prefix: Path  # sys.base_prefix: the tree the interpreter needs at run time
    site_dirs: tuple[Path, ...]  # its own site-packages, hidden from functions


@cache
def python_layout(executable: Path) -> PythonLayout:
    out = subprocess.run(
        [str(executable), "-c", "import sys, site; print(sys.base_prefix); print(*site.getsitepackages(), sep='\\n')"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout.splitlines()
    return PythonLayout(Path(out[0]).resolve(), tuple(Path(line) for line in out[1:] if line))
