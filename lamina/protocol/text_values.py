"""Scalar values written as text (URI labels, query strings, headers, form fields, XML text)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from botocore.model import Shape

from lamina.protocol.timestamps import to_datetime

EXPECTED = {
    "integer": "an integer", "long": "an integer", "float": "a number", "double": "a number",
    "boolean": "true or false", "timestamp": "a timestamp", "blob": "base64 text",
}


class TextValueError(ValueError):
    """The text cannot be read as the shape's type; ``expected`` says what it should be."""

    def __init__(self, kind: str) -> None:
        super().__init__(EXPECTED.get(kind, kind))
        self.expected = EXPECTED.get(kind, kind)


def read_text(shape: Shape, text: str) -> Any:
    """The value of a scalar shape written as text; strings come back unchanged."""
    kind = shape.type_name
    if kind == "string":
        return text
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "boolean":
            lowered = text.lower()
            if lowered not in ("true", "false"):
                raise ValueError(text)
            return lowered == "true"
        if kind == "timestamp":
            return to_datetime(text)
        if kind == "blob":
            return base64.b64decode(text, validate=True)
    except (ValueError, OverflowError, OSError, binascii.Error):
        raise TextValueError(kind) from None
    return text
