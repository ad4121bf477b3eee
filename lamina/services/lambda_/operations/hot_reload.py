"""Hot-reload functions and layers: watching their folders and retiring warm environments on a change."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from lamina.services.lambda_ import configuration, hot_reload
from lamina.services.lambda_.layers import LayerTable
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.triggers.folder_watcher import FolderWatcher

log = logging.getLogger("lamina.hot_reload")


class HotReloadOperations(LambdaBase):
    _watcher: FolderWatcher | None = None

    def watch_folder(self, folder: str) -> None:
        if self._watcher is None:
            self._watcher = FolderWatcher(self.folder_changed)
        self._watcher.watch(folder)

    async def watch_known_folders(self) -> None:
        """At start: watch every folder a function or layer runs from."""
        for record in await self.functions.all():
            if record.code.get("path"):
                self.watch_folder(record.code["path"])
            for reference in record.code.get("layers", ()):
                if reference.startswith(hot_reload.PREFIX):
                    self.watch_folder(reference[len(hot_reload.PREFIX):])

    async def stop_watching(self) -> None:
        if self._watcher is not None:
            await self._watcher.stop()

    def folder_for_download(self, name: str) -> bytes | None:
        try:
            folder = Path(hot_reload.decode_folder(name))
        except (ValueError, UnicodeDecodeError):
            return None
        return hot_reload.zip_folder(folder) if folder.is_dir() else None

    async def folder_changed(self, folder: str) -> None:
        """A file under ``folder`` changed: the functions running it get fresh environments."""
        digest, size = await asyncio.to_thread(hot_reload.folder_digest, Path(folder))
        layer_reference = hot_reload.PREFIX + folder
        for record in await self.functions.all():
            uses_code = record.code.get("path") == folder
            if not uses_code and layer_reference not in record.code.get("layers", ()):
                continue
            if uses_code:
                record.code.update(digest=digest, size=size, unzipped=size)
                record.config.update(CodeSha256=hot_reload.code_sha256(digest), CodeSize=size,
                                     LastModified=configuration.last_modified_now())
            record.code["generation"] = record.code.get("generation", 0) + 1
            await self.functions.save(record)
            self.engine.retire(record.arn)
            log.info("%s changed: %s runs the new code from its next invocation", folder, record.name)
        await LayerTable(self.store).refresh_folder(folder, digest, size)
