"""The runtime directory an environment sees as ``LAMBDA_RUNTIME_DIR`` (``/var/runtime``).

For Python it holds the bootstrap and, as in Lambda's Python runtimes, the AWS
SDK (boto3 and its pure-Python dependencies) copied from lamina's own
environment, so that every interpreter finds the same, read-only SDK without
seeing anything else of lamina's site-packages. For Node.js it holds the
bootstrap.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

_HERE = Path(__file__).parent

# boto3 and everything it imports; all pure Python, so one copy serves every interpreter.
SDK_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")


def _sdk_stamp() -> str:
    return "\n".join(f"{name}=={importlib.metadata.version(name)}" for name in ("boto3", "botocore", "urllib3"))


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _copy_sdk(target: Path) -> None:
    for name in SDK_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the AWS SDK package {name!r} is not installed alongside lamina")
        origin = Path(spec.origin)
        if origin.name == "__init__.py":
            shutil.copytree(origin.parent, target / name, copy_function=_link_or_copy,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            _link_or_copy(str(origin), str(target / origin.name))


def prepare(work_dir: Path, family: str) -> Path:
    """Build (once per SDK version) and return the runtime directory for a runtime family."""
    target = work_dir / "runtime" / family
    if family == "python":
        stamp = target / ".sdk-version"
        if not (stamp.exists() and stamp.read_text() == _sdk_stamp()):
            staging = target.with_name(f"{family}.staging-{os.getpid()}")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            _copy_sdk(staging)
            (staging / ".sdk-version").write_text(_sdk_stamp())
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
    else:
        target.mkdir(parents=True, exist_ok=True)
    # The bootstrap follows lamina's code, not the SDK: refresh it every start.
    for source in (_HERE / family).glob("bootstrap.*"):
        shutil.copyfile(source, target / source.name)
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def compile_for(runtime_dir: Path, executable: Path, version: str, modules: list[str]) -> None:
    """Write bytecode for what the zygote imports, once per interpreter, before the tree is mounted
    read-only (modules a function imports later compile in memory)."""
    stamp = runtime_dir / f".compiled-{version}"
    if stamp.exists():
        return
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    try:\n        importlib.import_module(name)\n" \
             "    except Exception:\n        pass\n"
    subprocess.run([str(executable), "-s", "-c", script, *modules], cwd=runtime_dir, check=False,
                   env={"PYTHONPATH": str(runtime_dir), "PATH": "/usr/bin:/bin"},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stamp.write_text("")
