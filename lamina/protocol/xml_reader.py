"""Reading XML request bodies by shape (rest-xml), the inverse of ``xml_writer``.

Namespaces are ignored, as AWS's parsers ignore them. expat (behind
``xml.etree``) resolves no external entities and, from expat 2.4.1 on,
refuses entity-expansion bombs, so hostile bodies fail as parse errors.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from botocore.model import Shape

from lamina.protocol.text_values import TextValueError, read_text
from lamina.protocol.xml_writer import member_element_name

_NAMESPACE = re.compile(r"^\{[^}]*\}")


class XmlShapeError(ValueError):
    """The body is not XML, or a value in it does not have the model's type."""


def parse_document(body: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise XmlShapeError(f"The XML you provided was not well-formed: {exc}") from None


def _tag(element: ElementTree.Element) -> str:
    return _NAMESPACE.sub("", element.tag)


def read_xml(shape: Shape, element: ElementTree.Element) -> Any:
    """The parameter value for ``shape`` from ``element`` (for lists and maps: their wrapper)."""
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, element)
    if kind == "list":
        tag = shape.member.serialization.get("name", "member")
        return [read_xml(shape.member, child) for child in element if _tag(child) == tag]
    if kind == "map":
        return dict(_pair(shape, entry) for entry in element if _tag(entry) == "entry")
    return _scalar(shape, element.text or "", _tag(element))


def _structure(shape: Shape, element: ElementTree.Element) -> dict[str, Any]:
    children: dict[str, list[ElementTree.Element]] = {}
    for child in element:
        children.setdefault(_tag(child), []).append(child)
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        serialization = member.serialization
        if serialization.get("location"):
            continue
        if serialization.get("xmlAttribute"):
            attr = serialization.get("name", name)
            value = _attribute(element, attr)
            if value is not None:
                out[name] = _scalar(member, value, attr)
            continue
        found = children.get(member_element_name(name, member))
        if not found:
            continue
        if member.type_name == "list" and serialization.get("flattened"):
            out[name] = [read_xml(member.member, item) for item in found]
        elif member.type_name == "map" and serialization.get("flattened"):
            out[name] = dict(_pair(member, item) for item in found)
        else:
            out[name] = read_xml(member, found[0])
    return out


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    local = name.split(":", 1)[-1]
    for key, value in element.attrib.items():
        if key == name or _NAMESPACE.sub("", key) == local:
            return value
    return None


def _pair(shape: Shape, entry: ElementTree.Element) -> tuple[Any, Any]:
    key_tag = shape.key.serialization.get("name", "key")
    value_tag = shape.value.serialization.get("name", "value")
    key = value = None
    for child in entry:
        if _tag(child) == key_tag:
            key = read_xml(shape.key, child)
        elif _tag(child) == value_tag:
            value = read_xml(shape.value, child)
    return key, value


def _scalar(shape: Shape, text: str, where: str) -> Any:
    try:
        return read_text(shape, text)
    except TextValueError:
        raise XmlShapeError(f"Value '{text}' of {where} cannot be read as {shape.type_name}") from None
