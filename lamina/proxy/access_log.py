"""Access logs of API stages: one line per request in the stage's log group, formatted from
``$context`` variables (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html)."""

from __future__ import annotations

import re
from typing import Any

from lamina.services.logs.storage import LogStorage

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.]+)")


def log_group_of(destination_arn: str) -> str | None:
    """``arn:aws:logs:<region>:<account>:log-group:<name>[:*]`` → ``<name>``."""
    parts = destination_arn.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
        return None
    return parts[6]


def format_line(template: str, values: dict[str, Any]) -> str:
    """Variables without a value print as ``-``, as in AWS."""
    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        return "-" if found is None or found == "" else str(found)

    return _VARIABLE.sub(value, template)


def write_access_log(logs: LogStorage, account: str, region: str, settings: dict[str, Any] | None,
                     stream: str, timestamp_ms: int, values: dict[str, Any]) -> None:
    if not settings or not settings.get("DestinationArn") or not settings.get("Format"):
        return
    group = log_group_of(settings["DestinationArn"])
    if group is None:
        return
    logs.write(account, region, group, stream, [(timestamp_ms, format_line(settings["Format"], values))])
