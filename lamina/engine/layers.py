"""The ``/opt`` a function sees: its layers merged in order, a later layer's file winning
(https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def merged_opt(work_dir: Path, layer_dirs: tuple[Path, ...]) -> Path | None:
    """A read-only tree of the layers merged (hard links where possible), built once per layer list."""
    if not layer_dirs:
        return None
    digest = hashlib.sha256("\0".join(str(path) for path in layer_dirs).encode()).hexdigest()[:32]
    target = work_dir / "opt" / digest
    if target.exists():
        return target
    staging = target.with_name(f"{digest}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for layer in layer_dirs:
        for root, dirs, files in os.walk(layer):
            relative = Path(root).relative_to(layer)
            (staging / relative).mkdir(exist_ok=True)
            # os.walk lists symlinked directories without entering them: keep them as links.
            linked = [name for name in dirs if (Path(root) / name).is_symlink()]
            for name in linked:
                dirs.remove(name)
            for name in files + linked:
                destination = staging / relative / name
                if destination.exists() or destination.is_symlink():
                    destination.unlink()
                source = Path(root) / name
                if source.is_symlink():
                    os.symlink(os.readlink(source), destination)
                else:
                    _link_or_copy(str(source), str(destination))
    staging.rename(target)
    return target
