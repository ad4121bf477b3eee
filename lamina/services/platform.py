"""What a service is built from: the node's shared parts, and its peers for in-process calls.

Services call each other through small interfaces (ARCHITECTURE.md §3), found
here by service name, never over HTTP to themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lamina.config import Settings
from lamina.engine.api import EngineInterface
from lamina.gateway.auth import Authenticator
from lamina.gateway.downloads import SignedDownloads
from lamina.gateway.handlers import Authorize
from lamina.gateway.internal import InternalRoutes
from lamina.services.logs.storage import LogStorage
from lamina.store import Store


@dataclass
class Platform:
    settings: Settings
    store: Store
    engine: EngineInterface
    downloads: SignedDownloads
    internal: InternalRoutes
    logs: LogStorage
    authenticator: Authenticator  # IAM adds its key resolvers here
    authorize: Authorize  # IAM adds its policy check here
    peers: dict[str, Any] = field(default_factory=dict)  # service name -> provider
    front_doors: list[Any] = field(default_factory=list)  # extra FrontDoors (function URLs, APIs)
    # Called after every API request with its RequestContext (EventBridge's CloudTrail-style events).
    observers: list[Any] = field(default_factory=list)

    def peer(self, name: str) -> Any | None:
        """Another service's provider, or None when this node does not serve it."""
        return self.peers.get(name)
