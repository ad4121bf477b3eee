"""Process wiring: the store, the engine, the services and the gateway of one lamina node."""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from pathlib import Path

from lamina.config import Settings
from lamina.credentials import RootCredentials, ensure_root_credentials
from lamina.engine import Engine, EngineSettings
from lamina.gateway.asgi import GatewayApp
from lamina.gateway.auth import Authenticator, RootKeyResolver
from lamina.gateway.chain import Chain
from lamina.gateway.downloads import SignedDownloads, load_or_create_secret
from lamina.gateway.handlers import Authenticate, Authorize, Dispatch, ParseRequest, ResolveService, SerializeResponse
from lamina.gateway.internal import InternalRoutes
from lamina.gateway.services import ServiceRegistry
from lamina.services.catalog import SERVICES
from lamina.services.logs.storage import LogStorage
from lamina.services.platform import Platform
from lamina.store.sqlite import SqliteStore

log = logging.getLogger("lamina")

SERVER_FILE = "server.json"


class Node:
    """One lamina process: everything it serves and runs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.internal = InternalRoutes()
        self.registry = ServiceRegistry()
        self.authorize = Authorize()
        self.store: SqliteStore | None = None
        self.engine: Engine | None = None
        self.root: RootCredentials | None = None
        self.authenticator: Authenticator | None = None
        self.logs: LogStorage | None = None
        self.chain = Chain([], settings.account_id, [self.internal])
        self.app = GatewayApp(self.chain, settings.max_request_bytes, on_startup=self.start,
                              on_shutdown=self.stop)

    async def start(self) -> None:
        settings = self.settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.root = ensure_root_credentials(settings.data_dir)
        self.store = SqliteStore(settings.data_dir / "lamina.db")
        logs = self.logs = LogStorage(self.store)
        self.engine = Engine(EngineSettings(
            work_dir=settings.data_dir / "engine", endpoint_url=settings.endpoint_url,
            idle_timeout_s=settings.idle_seconds, account_concurrency=settings.account_concurrency,
            favor_cgroup_moves=settings.cgroup_favordynmods),
            logs)
        await self.engine.start()
        downloads = SignedDownloads(load_or_create_secret(settings.data_dir / "download-secret"))
        self.internal.add(downloads.route, downloads.serve)
        self.authenticator = Authenticator(
            [RootKeyResolver(settings.account_id, self.root.access_key_id, self.root.secret_access_key)],
            enforce=settings.auth, account_id=settings.account_id)
        platform = Platform(settings, self.store, self.engine, downloads, self.internal, logs,
                            self.authenticator, self.authorize)
        for entry in SERVICES:
            endpoint = entry.build(platform)
            self.registry.add(endpoint)
            platform.peers[endpoint.name] = endpoint.provider
        self.chain.front_doors.extend(platform.front_doors)
        self.chain.observers.extend(platform.observers)
        self.chain.handlers = [
            ResolveService(self.registry, settings.default_region, settings.max_request_bytes),
            Authenticate(self.authenticator),
            ParseRequest(),
            self.authorize,
            Dispatch(),
            SerializeResponse(),
        ]
        for endpoint in self.registry.endpoints.values():
            await endpoint.provider.start()
        self.internal.health_details = lambda: {"services": sorted(self.registry.endpoints)}
        # What start built (botocore models, service state) lives as long as the process. Frozen, it is out of the
        # cyclic collector's sight: the full collections a steady request load triggers stop walking it
        # (profiled: 9 -> 2.5 us of collection per accepted async event).
        gc.collect()
        gc.freeze()
        self.internal.ready = True
        self._write_server_file()
        self._announce()

    async def stop(self) -> None:
        self.internal.ready = False
        for endpoint in self.registry.endpoints.values():
            try:
                await endpoint.provider.stop()
            except Exception:
                log.exception("stopping %s failed", endpoint.name)
        if self.engine is not None:
            await self.engine.stop()
        if self.logs is not None:
            self.logs.flush()
        if self.store is not None:
            self.store.close()
        (self.settings.data_dir / SERVER_FILE).unlink(missing_ok=True)

    def _write_server_file(self) -> None:
        path = self.settings.data_dir / SERVER_FILE
        path.write_text(json.dumps({"endpoint_url": self.settings.endpoint_url, "pid": os.getpid(),
                                    "region": self.settings.default_region}))

    def _announce(self) -> None:
        settings = self.settings
        lines = [
            f"lamina is listening on {settings.endpoint_url} (data in {settings.data_dir})",
            "Point boto3 and the AWS CLI at it with:",
            f'    eval "$(lamina env --data-dir {settings.data_dir})"',
        ]
        if not settings.auth:
            lines.insert(0, "WARNING: authentication is OFF (--auth off): any well-formed signature is "
                            "accepted. Use this only for local experiments.")
        print("\n".join(lines), file=sys.stderr, flush=True)


def serve(settings: Settings) -> int:
    import uvicorn

    from lamina.gateway.http_protocol import HttpProtocol

    node = Node(settings)
    # HttpProtocol: uvicorn's httptools protocol sending each response in one segment (http_protocol.py).
    # No proxy headers: a caller's address is its connection's, as in AWS, never an X-Forwarded-For it sent
    # (it is aws:SourceIp in policies and sourceIp in events); it also spares a middleware per request.
    config = uvicorn.Config(
        node.app, host=settings.host, port=settings.port, loop="uvloop", http=HttpProtocol,
        lifespan="on", log_level="warning", access_log=False, timeout_graceful_shutdown=5, proxy_headers=False,
        server_header=False)  # AWS's answers do not name their server; uvicorn's would say "uvicorn"
    server = uvicorn.Server(config)
    try:
        server.run()  # runs on the loop the config names (uvloop), unlike a bare asyncio.run
    except KeyboardInterrupt:
        pass
    return 0 if server.started else 1


def data_dir_server_info(data_dir: Path) -> dict | None:
    path = data_dir / SERVER_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
