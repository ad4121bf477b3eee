"""Targets: what PutTargets accepts, and the input each target is sent
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import orjson

from lamina.services.events import input_paths
from lamina.services.events.errors import ValidationException

MAX_TARGETS = 5
# Services lamina delivers to; a target of another service is refused at PutTargets.
DELIVERABLE = ("lambda", "sqs", "sns", "events")
RESERVED = ("aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time", "aws.events.event",
            "aws.events.event.json")
_VARIABLE = re.compile(r"<([A-Za-z0-9_\-.]+)>")


def service_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[2] if len(parts) >= 6 and parts[0] == "arn" else None


def check(target: dict[str, Any]) -> str | None:
    """Why a target cannot be put (a per-entry failure message), or None. Request-wide problems raise."""
    given = [k for k in ("Input", "InputPath", "InputTransformer") if target.get(k) is not None]
    if len(given) > 1:
        raise ValidationException(f"Only one of Input, InputPath, or InputTransformer must be provided for target "
                                  f"{target['Id']}.")
    if target.get("Input") is not None:
        try:
            orjson.loads(target["Input"])
        except orjson.JSONDecodeError:
            raise ValidationException(f"Input for target {target['Id']} must be valid JSON text.") from None
    if target.get("InputPath") is not None and input_paths.steps(target["InputPath"]) is None:
        raise ValidationException(f"InputPath for target {target['Id']} is not a valid JSON path.")
    transformer = target.get("InputTransformer")
    if transformer is not None:
        for name, path in (transformer.get("InputPathsMap") or {}).items():
            if name in RESERVED:
                raise ValidationException(f"InputTransformer for target {target['Id']} must not define the reserved "
                                          f"variable {name}.")
            if input_paths.steps(path) is None:
                raise ValidationException(f"InputPathsMap value {path} for target {target['Id']} is not a valid "
                                          "JSON path.")
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dead_letter is not None and service_of(dead_letter) != "sqs":
        raise ValidationException("The ARN of the dead-letter queue must be an Amazon SQS queue ARN.")
    service = service_of(target["Arn"])
    if service is None:
        raise ValidationException(f"Parameter {target['Arn']} is not valid. Reason: Provided Arn is not in "
                                  "correct format.")
    if service not in DELIVERABLE:
        return f"lamina does not deliver to {service} targets (it delivers to {', '.join(DELIVERABLE)})."
    return None


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(target: dict[str, Any], event: dict[str, Any], rule: dict[str, Any], ingested: float) -> str:
    """The text the target receives for ``event``."""
    if target.get("Input") is not None:
        return target["Input"]
    if target.get("InputPath") is not None:
        value = input_paths.evaluate(target["InputPath"], event)
        return "null" if value is input_paths.ABSENT else orjson.dumps(value).decode()
    transformer = target.get("InputTransformer")
    if transformer is None:
        return orjson.dumps(event).decode()
    values: dict[str, Any] = {name: input_paths.evaluate(path, event)
                              for name, path in (transformer.get("InputPathsMap") or {}).items()}
    values["aws.events.rule-arn"] = rule["Arn"]
    values["aws.events.rule-name"] = rule["Name"]
    values["aws.events.event.ingestion-time"] = _iso(ingested)
    raw = {"aws.events.event": orjson.dumps({k: v for k, v in event.items() if k != "detail"}).decode(),
           "aws.events.event.json": orjson.dumps(event).decode()}
    return fill(transformer["InputTemplate"], values, raw)


def fill(template: str, values: dict[str, Any], raw: dict[str, str]) -> str:
    """Put variables into a template. Inside a JSON string a value goes in as text; elsewhere in a JSON
    template as JSON (a string keeps its quotes); in a plain-text template as text."""
    json_template = template.lstrip()[:1] in ("{", "[")
    out: list[str] = []
    in_string = False
    position = 0
    while position < len(template):
        char = template[position]
        found = _VARIABLE.match(template, position) if char == "<" else None
        if found is not None and (found.group(1) in values or found.group(1) in raw):
            name = found.group(1)
            if name in raw:
                out.append(raw[name])
            else:
                mode = "string" if in_string else "json" if json_template else "text"
                out.append(_value_text(values[name], mode))
            position = found.end()
            continue
        if char == "\\" and in_string:
            out.append(template[position:position + 2])
            position += 2
            continue
        if char == '"':
            in_string = not in_string
        out.append(char)
        position += 1
    return "".join(out)


def _value_text(value: Any, mode: str) -> str:
    """``mode``: "json" (a JSON value), "string" (inside a JSON string) or "text" (a plain-text template)."""
    if value is input_paths.ABSENT:
        return "null" if mode == "json" else ""
    if mode == "json":
        return orjson.dumps(value).decode()
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return orjson.dumps(text).decode()[1:-1] if mode == "string" else text
