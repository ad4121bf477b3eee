"""Writing result values as XML by shape (query and rest-xml responses).

The element names follow the rules botocore's XML parsers read back: a
member's ``locationName`` names its element; a flattened list repeats the
member's element (named by the list member's ``locationName`` when it has
one) without a wrapper; a map is ``<entry><key/><value/></entry>`` unless
flattened; ``xmlAttribute`` members become attributes of their structure's
element. Strings are built directly (no DOM) because responses are on the
hot path.
"""

from __future__ import annotations

import base64
from typing import Any

from botocore.model import Shape

from lamina.protocol.timestamps import format_timestamp

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\r": "&#xD;", "\n": "&#xA;", "\t": "&#x9;"})


def escape_text(text: str) -> str:
    # A bare CR would be normalised to LF by every XML parser; the character reference keeps it.
    return text.translate(_TEXT_ESCAPES)


def escape_attr(text: str) -> str:
    return text.translate(_ATTR_ESCAPES)


def member_element_name(name: str, member: Shape) -> str:
    """The element a structure member is written as (botocore's ``_member_key_name``)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner:
            return inner
    return member.serialization.get("name", name)


def scalar_text(shape: Shape, value: Any, ts_format: str = "iso8601") -> str:
    """The text of a scalar value as XML and query protocols write it."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return str(format_timestamp(value, shape.serialization.get("timestampFormat", ts_format)))
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode()
    if kind in ("float", "double"):
        number = float(value)
        if number != number:
            return "NaN"
        if number in (float("inf"), float("-inf")):
            return "Infinity" if number > 0 else "-Infinity"
        return repr(number)
    if kind in ("integer", "long"):
        return str(int(value))
    return str(value)


class XmlWriter:
    """Accumulates XML text for one document."""

    def __init__(self, ts_format: str = "iso8601") -> None:
        self.parts: list[str] = []
        self.ts_format = ts_format

    def text(self) -> str:
        return "".join(self.parts)

    def raw(self, text: str) -> None:
        self.parts.append(text)

    def element(self, name: str, shape: Shape, value: Any, namespace: str | None = None) -> None:
        """Write ``value`` as element ``name`` (lists and maps as their wrapper element)."""
        kind = shape.type_name
        if kind == "structure":
            self._structure(name, shape, value, namespace)
        elif kind == "list":
            self._open(name, namespace, "")
            member = shape.member
            tag = member.serialization.get("name", "member")
            for item in value:
                if item is not None:
                    self.element(tag, member, item)
            self.parts.append(f"</{name}>")
        elif kind == "map":
            self._open(name, namespace, "")
            for key, item in value.items():
                self.parts.append("<entry>")
                self._map_pair(shape, key, item)
                self.parts.append("</entry>")
            self.parts.append(f"</{name}>")
        else:
            self._open(name, namespace, "")
            self.parts.append(escape_text(scalar_text(shape, value, self.ts_format)))
            self.parts.append(f"</{name}>")

    def members(self, shape: Shape, value: dict[str, Any]) -> None:
        """Write a structure's body members (not headers, not attributes) in model order."""
        for name, member, tag, layout in _plan(shape):
            item = value.get(name)
            if item is None:
                continue
            if layout == _FLAT_LIST:
                element_shape = member.member
                for element in item:
                    if element is not None:
                        self.element(tag, element_shape, element)
            elif layout == _FLAT_MAP:
                for key, entry in item.items():
                    self.parts.append(f"<{tag}>")
                    self._map_pair(member, key, entry)
                    self.parts.append(f"</{tag}>")
            else:
                self.element(tag, member, item)

    def _structure(self, name: str, shape: Shape, value: dict[str, Any], namespace: str | None) -> None:
        attributes = []
        for member_name, member in shape.members.items():
            if member.serialization.get("xmlAttribute") and value.get(member_name) is not None:
                attr = member.serialization.get("name", member_name)
                attributes.append(f' {attr}="{escape_attr(scalar_text(member, value[member_name]))}"')
                if attr.startswith("xsi:"):
                    attributes.append(' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')
        self._open(name, namespace or _shape_namespace(shape), "".join(attributes))
        self.members(shape, value)
        self.parts.append(f"</{name}>")

    def _map_pair(self, shape: Shape, key: Any, value: Any) -> None:
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        self.element(key_tag, shape.key, key)
        if value is not None:
            self.element(value_tag, shape.value, value)

    def _open(self, name: str, namespace: str | None, attributes: str) -> None:
        if namespace:
            self.parts.append(f'<{name} xmlns="{escape_attr(namespace)}"{attributes}>')
        else:
            self.parts.append(f"<{name}{attributes}>")


_NESTED, _FLAT_LIST, _FLAT_MAP = 0, 1, 2


def _plan(shape: Shape) -> list[tuple[str, Shape, str, int]]:
    """A structure's body members with their element names, worked out once per shape."""
    plan = getattr(shape, "_lamina_xml_plan", None)
    if plan is None:
        plan = []
        for name, member in shape.members.items():
            serialization = member.serialization
            if serialization.get("location") or serialization.get("xmlAttribute"):
                continue
            flattened = serialization.get("flattened")
            layout = _NESTED
            if flattened and member.type_name == "list":
                layout = _FLAT_LIST
            elif flattened and member.type_name == "map":
                layout = _FLAT_MAP
            plan.append((name, member, member_element_name(name, member), layout))
        shape._lamina_xml_plan = plan  # type: ignore[attr-defined]
    return plan


def _shape_namespace(shape: Shape) -> str | None:
    namespace = shape.serialization.get("xmlNamespace")
    if isinstance(namespace, dict) and not namespace.get("prefix"):
        return namespace.get("uri")
    return None
