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
    # Root with cgroups: set favordynmods on the machine's cgroup2 mount (faster cold starts; see
    # lamina/engine/cgroups.py). Machine-wide, so it can be turned off.
    cgroup_favordynmods: bool = True
    # Asynchronous invocation: waits before the retries after a function error (Lambda: 1 and 2
    # minutes), and the first back-off after a throttle (Lambda: 1 second, doubling to 5 minutes).
    async_retry_delays: tuple[float, ...] = (60.0, 120.0)
    async_backoff_start: float = 1.0
    # Hot reload: Code.S3Bucket naming this bucket means "run the local folder in S3Key in place".
    hot_reload_bucket: str = "hot-reload"
    hot_reload: str = "auto"  # "auto": allowed when listening on loopback only; "on"; "off"
    hot_reload_roots: tuple[str, ...] = field(default_factory=lambda: (str(Path.home()),))
    # Temporary credentials (STS sessions, execution-role credentials) last their AWS duration times
    # this factor: tests shorten it to see tokens expire and be renewed without waiting an hour.
    credential_duration_scale: float = 1.0
    log_level: str = "info"
    # CloudWatch evaluates alarms every minute; data arriving for an alarm's metric is evaluated at once.
    alarm_evaluation_seconds: float = 60.0
    # SNS e-mail subscriptions are delivered through this SMTP server (no host: e-mail is refused).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "no-reply@sns.lamina.local"
    # How long API Gateway waits for a Lambda integration before answering 504 (AWS: 30 s for HTTP APIs).
    api_integration_timeout: float = 30.0
    # EventBridge schedules run on a clock this many times faster than real time (tests: 60 makes
    # rate(1 minute) fire every second). 1 is real time; use nothing else outside tests.
    schedule_time_scale: float = 1.0
    # EventBridge target retries: the first back-off (doubling, with jitter, up to 5 minutes).
    events_backoff_start: float = 1.0

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
            cgroup_favordynmods=_env_bool("LAMINA_CGROUP_FAVORDYNMODS", True),
            log_level=env.get("LAMINA_LOG_LEVEL", "info"),
            api_integration_timeout=float(env.get("LAMINA_API_INTEGRATION_TIMEOUT", 30.0)),
            async_retry_delays=tuple(float(x) for x in env.get("LAMINA_ASYNC_RETRY_DELAYS", "60,120").split(",")),
            async_backoff_start=float(env.get("LAMINA_ASYNC_BACKOFF_START", 1.0)),
            schedule_time_scale=float(env.get("LAMINA_SCHEDULE_TIME_SCALE", 1.0)),
            events_backoff_start=float(env.get("LAMINA_EVENTS_BACKOFF_START", 1.0)),
            hot_reload_bucket=env.get("LAMINA_HOT_RELOAD_BUCKET", "hot-reload"),
            hot_reload=env.get("LAMINA_HOT_RELOAD", "auto").lower(),
            alarm_evaluation_seconds=float(env.get("LAMINA_ALARM_EVALUATION_SECONDS", 60.0)),
            smtp_host=env.get("LAMINA_SMTP_HOST", ""),
            smtp_port=int(env.get("LAMINA_SMTP_PORT", 25)),
            smtp_sender=env.get("LAMINA_SMTP_SENDER", "no-reply@sns.lamina.local"),
            credential_duration_scale=float(env.get("LAMINA_CREDENTIAL_DURATION_SCALE", 1.0)),
        )
        if env.get("LAMINA_HOT_RELOAD_ROOTS"):
            settings.hot_reload_roots = tuple(p for p in env["LAMINA_HOT_RELOAD_ROOTS"].split(os.pathsep) if p)
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
    def hot_reload_enabled(self) -> bool:
        if self.hot_reload in ("on", "true", "1", "yes"):
            return True
        if self.hot_reload in ("off", "false", "0", "no"):
            return False
        return self.loopback_only

    @property
    def endpoint_url(self) -> str:
        """The URL clients on this machine use to reach the node."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"
