"""What a provider knows about the call it serves: never the HTTP request itself."""

from __future__ import annotations

from dataclasses import dataclass

from lamina.iam.principal import Principal


@dataclass(slots=True)
class CallContext:
    service: str
    operation: str
    region: str
    account_id: str
    request_id: str
    principal: Principal
    base_url: str  # how the caller reached lamina, e.g. "http://127.0.0.1:9060" (for URLs in results)
    source_ip: str = ""
