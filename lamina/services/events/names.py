"""ARNs of buses and rules, and reading a bus given by name or ARN."""

from __future__ import annotations

from typing import Any

from lamina.services.events.errors import ValidationException

DEFAULT_BUS = "default"
PAGE = 100


def bus_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:event-bus/{name}"


def rule_arn(region: str, account: str, bus: str, name: str) -> str:
    # A rule on the default bus has the short form (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rules.html).
    middle = name if bus == DEFAULT_BUS else f"{bus}/{name}"
    return f"arn:aws:events:{region}:{account}:rule/{middle}"


def bus_name(name_or_arn: str | None) -> str:
    """EventBusName members take a name or an ARN."""
    if not name_or_arn:
        return DEFAULT_BUS
    if name_or_arn.startswith("arn:"):
        resource = name_or_arn.split(":", 5)[-1]
        if not resource.startswith("event-bus/"):
            raise ValidationException(f"Parameter {name_or_arn} is not valid. Reason: Provided Arn is not in "
                                      "correct format.")
        return resource[len("event-bus/"):]
    return name_or_arn


def bus_of_arn(arn: str) -> tuple[str, str, str]:
    """(region, account, name) of an event bus ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "events" or not parts[5].startswith("event-bus/"):
        raise ValidationException(f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.")
    return parts[3], parts[4], parts[5][len("event-bus/"):]


def page(items: list[Any], token: str | None, limit: int | None) -> tuple[list[Any], str | None]:
    """A page of a sorted listing; the token is the offset of the next page."""
    size = limit or PAGE
    start = int(token) if token and token.isdigit() else 0
    if token and not token.isdigit():
        raise ValidationException("The NextToken provided is invalid.")
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)
