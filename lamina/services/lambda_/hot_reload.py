"""Code run in place from a local folder: ``Code={"S3Bucket": "hot-reload", "S3Key": "/abs/folder"}``.

The convention Lambda developers know from other local tools. The folder is
never copied: it is mounted read-only as /var/task (or under /opt for a
layer), and a change under it retires the function's warm environments. It is
allowed only where the settings allow it (on by default when lamina listens
on loopback only) and only under the allowed roots, so a function can never
read host paths otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path

from lamina.config import Settings
from lamina.services.lambda_.errors import InvalidParameterValueException

PREFIX = "hot:"  # how a folder is named among a function's code references


def is_hot_reload(code: dict, settings: Settings) -> bool:
    return code.get("S3Bucket") == settings.hot_reload_bucket


def checked_folder(key: str | None, settings: Settings) -> Path:
    """The folder a request names, if the settings allow it; InvalidParameterValueException otherwise."""
    if not settings.hot_reload_enabled:
        raise InvalidParameterValueException(
            "Hot reload from a local folder is disabled on this lamina: it is off by default when lamina "
            "listens on a non-loopback address (set LAMINA_HOT_RELOAD=on to allow it).")
    if not key or not os.path.isabs(key):
        raise InvalidParameterValueException(
            f"S3Key must be the absolute path of a local folder when S3Bucket is {settings.hot_reload_bucket!r}.")
    folder = Path(os.path.realpath(key))
    roots = [Path(os.path.realpath(root)) for root in settings.hot_reload_roots]
    if not any(folder == root or root in folder.parents for root in roots):
        raise InvalidParameterValueException(
            f"The folder {key} is not under an allowed hot-reload root ({', '.join(map(str, roots))}); "
            "set LAMINA_HOT_RELOAD_ROOTS to allow it.")
    if not folder.is_dir():
        raise InvalidParameterValueException(f"The hot-reload folder {key} does not exist or is not a folder.")
    return folder


def folder_digest(folder: Path) -> tuple[str, int]:
    """A stable SHA-256 over the folder's files (relative paths and contents), and their total size."""
    digest = hashlib.sha256()
    total = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if not os.path.isfile(path):
                continue
            relative = os.path.relpath(path, folder)
            file_hash = hashlib.sha256()
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 16), b""):
                    file_hash.update(chunk)
                    total += len(chunk)
            digest.update(relative.encode() + b"\0" + file_hash.digest())
    return digest.hexdigest(), total


def code_sha256(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def code_reference(code: dict) -> str:
    """How a function names a layer's content: its digest, or ``hot:<folder>`` for a hot-reload layer."""
    return PREFIX + code["path"] if code.get("path") else code["digest"]


def zip_folder(folder: Path) -> bytes:
    """The folder as a deployment package (GetFunction's Code.Location of a hot-reload function)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if os.path.isfile(path):
                    archive.write(path, os.path.relpath(path, folder))
    return buffer.getvalue()


def encode_folder(folder: str) -> str:
    return base64.urlsafe_b64encode(folder.encode()).decode().rstrip("=")


def decode_folder(name: str) -> str:
    return base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
