"""Safe extraction of deployment packages (function code and layers) from hostile zips.

Lambda refuses packages it cannot unzip and packages whose unzipped size is
over 262,144,000 bytes (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
lamina also refuses entries that would land outside the package directory
(absolute paths, ``..``), symlinks that point outside it, and archives whose
entries lie about their size (zip bombs): bytes are counted as they are
written, not taken from the headers. On any refusal nothing is left on disk.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from lamina.services.lambda_.errors import InvalidParameterValueException

MAX_UNZIPPED_BYTES = 262_144_000
_CHUNK = 1 << 16

UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."


def unzipped_limit_message(limit: int = MAX_UNZIPPED_BYTES) -> str:
    return f"Unzipped size must be smaller than {limit} bytes"


class PackageRefused(InvalidParameterValueException):
    code = "InvalidParameterValueException"


def _safe_member_path(name: str) -> PurePosixPath:
    normalized = name.replace("\\", "/")
    path = PurePosixPath(normalized)
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        raise PackageRefused(f"{UNZIP_FAILED} The entry {name!r} has an absolute path.")
    if any(part == ".." for part in path.parts):
        raise PackageRefused(f"{UNZIP_FAILED} The entry {name!r} points outside the package.")
    return path


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _mode(info: zipfile.ZipInfo) -> int:
    # Keep the executable bits (a custom runtime's bootstrap needs them); everything is read-only.
    unix_mode = info.external_attr >> 16 if info.create_system == 3 else 0
    return 0o555 if unix_mode & 0o111 else 0o444


def extract_package(data: bytes, target: Path, limit: int = MAX_UNZIPPED_BYTES) -> int:
    """Extract ``data`` into the new directory ``target``; return the unzipped size in bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise PackageRefused(UNZIP_FAILED) from None
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=target.parent))
    try:
        total = _extract_all(archive, staging, limit)
        _seal(staging)
        os.replace(staging, target)
        return total
    except BaseException:
        remove_tree(staging)
        raise
    finally:
        archive.close()


def _extract_all(archive: zipfile.ZipFile, root: Path, limit: int) -> int:
    total = 0
    symlinks: list[tuple[Path, str]] = []
    try:
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise PackageRefused(UNZIP_FAILED) from None
    for info in infos:
        relative = _safe_member_path(info.filename)
        if not relative.parts:
            continue
        destination = root.joinpath(*relative.parts)
        if info.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if _is_symlink(info):
            link_target = archive.read(info).decode("utf-8", "replace")
            symlinks.append((destination, link_target))
            continue
        try:
            with archive.open(info) as source, open(destination, "wb") as out:
                while True:
                    chunk = source.read(_CHUNK)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > limit:
                        raise PackageRefused(unzipped_limit_message(limit))
                    out.write(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, zlib.error,
                RuntimeError):
            # Corrupt data, bad CRCs, unsupported compression or encrypted entries.
            raise PackageRefused(UNZIP_FAILED) from None
        os.chmod(destination, _mode(info))
    for link, link_target in symlinks:
        _place_symlink(root, link, link_target)
    return total


def _place_symlink(root: Path, link: Path, link_target: str) -> None:
    """Only relative links that resolve inside the package are kept."""
    if os.path.isabs(link_target):
        raise PackageRefused(f"{UNZIP_FAILED} The symlink {link.relative_to(root)} points outside the package.")
    resolved = os.path.normpath(os.path.join(os.path.dirname(link), link_target))
    if os.path.commonpath([resolved, str(root)]) != str(root):
        raise PackageRefused(f"{UNZIP_FAILED} The symlink {link.relative_to(root)} points outside the package.")
    if link.exists() or link.is_symlink():
        link.unlink()
    os.symlink(link_target, link)


def _seal(root: Path) -> None:
    for dirpath, dirnames, _ in os.walk(root):
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o555)
    os.chmod(root, 0o555)


def remove_tree(path: Path) -> None:
    """Delete an extracted (read-only) package directory."""
    if not path.exists():
        return
    for dirpath, _, _ in os.walk(path):
        os.chmod(dirpath, 0o755)
    shutil.rmtree(path)
