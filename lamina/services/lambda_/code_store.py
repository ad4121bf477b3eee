"""Deployment packages on disk: zips content-addressed by SHA-256, each extracted once, read-only.

Functions (and versions) with the same zip share one extracted directory.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lamina.services.lambda_.zip_package import MAX_UNZIPPED_BYTES, extract_package, remove_tree
from lamina.store.blobs import BlobStore

PRESENCE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class CodeArtifact:
    digest: str  # hex SHA-256 of the zip (the blob's name), or of a hot-reload folder's content
    size: int  # bytes of the zip (CodeSize)
    unzipped_size: int
    path: str | None = None  # a hot-reload folder, run in place

    @property
    def sha256_b64(self) -> str:
        """Lambda's ``CodeSha256``: the base64 of the zip's SHA-256."""
        return base64.b64encode(bytes.fromhex(self.digest)).decode()

    def to_record(self) -> dict[str, Any]:
        """How a function, version or layer version keeps a reference to its code."""
        record: dict[str, Any] = {"digest": self.digest, "size": self.size, "unzipped": self.unzipped_size}
        if self.path:
            record["path"] = self.path
        return record


class CodeStore:
    def __init__(self, data_dir: Path) -> None:
        self.blobs = BlobStore(data_dir / "blobs")
        self.root = data_dir / "code"
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._present: dict[str, tuple[float, Path]] = {}  # digest -> when its directory was last seen there

    def code_dir(self, digest: str) -> Path:
        return self.root / digest

    async def add_zip(self, data: bytes, limit: int = MAX_UNZIPPED_BYTES) -> CodeArtifact:
        """Check and extract a zip (off the event loop), then keep it; refusals leave nothing behind."""
        return await asyncio.to_thread(self._add_zip, data, limit)

    def _add_zip(self, data: bytes, limit: int) -> CodeArtifact:
        digest = hashlib.sha256(data).hexdigest()
        target = self.code_dir(digest)
        with self._lock:
            size_file = self.root / f"{digest}.size"
            if target.exists() and size_file.exists():
                return CodeArtifact(digest, len(data), int(size_file.read_text()))
            if target.exists():
                remove_tree(target)  # a crash left it without its size: extract again
            unzipped = extract_package(data, target, limit)
            self.blobs.put_bytes(data)
            size_file.write_text(str(unzipped))
            return CodeArtifact(digest, len(data), unzipped)

    def ensure_extracted(self, digest: str) -> Path:
        """The code directory, extracted again from the kept zip if it went missing.

        Asked on every invoke: a directory seen in the last few seconds is not looked at again."""
        now = time.monotonic()
        seen = self._present.get(digest)
        if seen is not None and now - seen[0] < PRESENCE_SECONDS:
            return seen[1]
        target = self.code_dir(digest)
        if not target.exists() and self.blobs.exists(digest):
            self._add_zip(self.blobs.read(digest), MAX_UNZIPPED_BYTES * 8)
        if len(self._present) > 10_000:
            self._present.clear()
        self._present[digest] = (now, target)
        return target

    def zip_path(self, digest: str) -> Path:
        return self.blobs.path(digest)

    def remove(self, digest: str) -> None:
        with self._lock:
            self._present.pop(digest, None)
            remove_tree(self.code_dir(digest))
            (self.root / f"{digest}.size").unlink(missing_ok=True)
            self.blobs.delete(digest)
