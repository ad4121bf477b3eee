"""Lambda's JSON log format and log-level filtering, applied as a function's lines are written.

https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
With ``LoggingConfig.LogFormat = JSON``:
- system lines become platform events, ``{"time", "type", "record"}``: START -> ``platform.start``,
  END -> ``platform.runtimeDone``, REPORT -> ``platform.report`` with its metrics; they are INFO
  events, so a ``SystemLogLevel`` of WARN or above drops them;
- application lines that are JSON objects with a ``level`` are dropped below ``ApplicationLogLevel``
  (a missing or unknown level counts as INFO); the runtime itself writes its logging library's
  records as JSON (``AWS_LAMBDA_LOG_FORMAT``).
The Lambda service tells this registry each function's configuration before running it; lines of
log groups it was not told about are written as they come.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import orjson

LEVELS = {"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "WARNING": 3, "ERROR": 4, "FATAL": 5, "CRITICAL": 5}
_START = re.compile(r"^START RequestId: (\S+) Version: (\S+)")
_END = re.compile(r"^END RequestId: (\S+)")
_REPORT = re.compile(r"^REPORT RequestId: (\S+)\t")
_FIGURE = re.compile(r"(Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration): ([\d.]+)")
_METRIC_NAMES = {"Duration": "durationMs", "Billed Duration": "billedDurationMs", "Memory Size": "memorySizeMB",
                 "Max Memory Used": "maxMemoryUsedMB", "Init Duration": "initDurationMs"}
_STATUS = re.compile(r"Status: (\w+)")


@dataclass(frozen=True)
class Format:
    json: bool
    application_level: int = LEVELS["INFO"]
    system_level: int = LEVELS["INFO"]


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


class LogFormats:
    def __init__(self) -> None:
        self._by_group: dict[tuple[str, str, str], Format] = {}

    def configure(self, account: str, region: str, group: str, log_format: str, application_level: str | None,
                  system_level: str | None) -> None:
        key = (account, region, group)
        if log_format != "JSON":
            if key in self._by_group:
                del self._by_group[key]
            return  # Text: lines are written as they come (the common case costs one lookup)
        self._by_group[key] = Format(True, LEVELS.get((application_level or "INFO").upper(), 2),
                                     LEVELS.get((system_level or "INFO").upper(), 2))

    def apply(self, account: str, region: str, group: str, events: list[tuple[int, str]]) -> list[tuple[int, str]]:
        found = self._by_group.get((account, region, group))
        if found is None or not found.json:
            return events
        kept = []
        for ts, message in events:
            shown = self._line(found, ts, message)
            if shown is not None:
                kept.append((ts, shown))
        return kept

    def _line(self, fmt: Format, ts: int, message: str) -> str | None:
        if message.startswith(("START RequestId: ", "END RequestId: ", "REPORT RequestId: ")):
            if fmt.system_level > LEVELS["INFO"]:
                return None
            return orjson.dumps(_platform_event(ts, message.rstrip("\n"))).decode() + "\n"
        if message.startswith("{"):
            try:
                document = orjson.loads(message)
            except orjson.JSONDecodeError:
                return message
            if isinstance(document, dict):
                level = LEVELS.get(str(document.get("level", "INFO")).upper(), LEVELS["INFO"])
                if level < fmt.application_level:
                    return None
        elif fmt.application_level > LEVELS["INFO"]:
            return None  # plain text counts as INFO
        return message


def _platform_event(ts: int, line: str) -> dict[str, Any]:
    start = _START.match(line)
    if start:
        return {"time": _iso(ts), "type": "platform.start",
                "record": {"requestId": start.group(1), "version": start.group(2)}}
    end = _END.match(line)
    if end:
        return {"time": _iso(ts), "type": "platform.runtimeDone",
                "record": {"requestId": end.group(1), "status": "success"}}
    report = _REPORT.match(line)
    request_id = report.group(1) if report else ""
    metrics: dict[str, Any] = {}
    for name, figure in _FIGURE.findall(line):
        value = float(figure)
        metrics[_METRIC_NAMES[name]] = int(value) if name in ("Billed Duration", "Memory Size",
                                                              "Max Memory Used") else value
    status = _STATUS.search(line)
    return {"time": _iso(ts), "type": "platform.report",
            "record": {"requestId": request_id, "metrics": metrics,
                       "status": status.group(1) if status else "success"}}
