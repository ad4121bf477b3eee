"""Settings of a lamina node, from command-line options and ``LAMINA_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 9060
DEFAULT_ACCOUNT_ID = "000000000000"
DEFAULT_REGION = "us-east-1"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lamina"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=default_data_dir)
    account_id: str = DEFAULT_ACCOUNT_ID
    default_region: str = DEFAULT_REGION
    # When False, any well-formed signature is accepted (local experiments only; said loudly at start).
    auth: bool = True
    # Largest request body read into memory; Lambda documents 70,167,211 bytes for CreateFunction.
    max_request_bytes: int = 70_167_211
    # Execution environments idle longer than this are reaped.
    idle_seconds: float = 300.0
    account_concurrency: int = 1000
    # Asynchronous invocation: waits before the retries after a function error (Lambda: 1 and 2
    # minutes), and the first back-off after a throttle (Lambda: 1 second, doubling to 5 minutes).
    async_retry_delays: tuple[float, ...] = (60.0, 120.0)
    async_backoff_start: float = 1.0
    # Temporary credentials (STS sessions, execution-role credentials) last their AWS duration times
    # this factor: tests shorten it to see tokens expire and be renewed without waiting an hour.
    credential_duration_scale: float = 1.0
    log_level: str = "info"

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        env = os.environ
        settings = cls(
            host=env.get("LAMINA_HOST", cls.host),
            port=int(env.get("LAMINA_PORT", DEFAULT_PORT)),
            data_dir=Path(env["LAMINA_DATA_DIR"]).expanduser() if env.get("LAMINA_DATA_DIR") else default_data_dir(),
            account_id=env.get("LAMINA_ACCOUNT_ID", DEFAULT_ACCOUNT_ID),
            default_region=env.get("LAMINA_REGION", DEFAULT_REGION),
            auth=_env_bool("LAMINA_AUTH", True),
            idle_seconds=float(env.get("LAMINA_IDLE_SECONDS", 300.0)),
            account_concurrency=int(env.get("LAMINA_ACCOUNT_CONCURRENCY", 1000)),
            log_level=env.get("LAMINA_LOG_LEVEL", "info"),
            async_retry_delays=tuple(float(x) for x in env.get("LAMINA_ASYNC_RETRY_DELAYS", "60,120").split(",")),
            async_backoff_start=float(env.get("LAMINA_ASYNC_BACKOFF_START", 1.0)),
            credential_duration_scale=float(env.get("LAMINA_CREDENTIAL_DURATION_SCALE", 1.0)),
        )
        for key, value in overrides.items():
            if value is not None:
                setattr(settings, key, value)
        settings.data_dir = Path(settings.data_dir).expanduser().resolve()
        return settings

    @property
    def loopback_only(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"

    @property
    def endpoint_url(self) -> str:
        """The URL clients on this machine use to reach the node."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"
