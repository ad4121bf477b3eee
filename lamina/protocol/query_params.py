"""Reading query-protocol parameters (``A.B``, ``Name.member.N``, ``Name.entry.N.key``) by shape.

The rules are the ones botocore's ``QuerySerializer`` writes, which are
AWS's query serialization rules:

- structure members are ``Prefix.Member`` (the member's ``locationName`` when set);
- lists are ``Prefix.member.N`` (``member`` replaced by the list member's
  ``locationName``), or ``Prefix.N`` when flattened, where a flattened list
  whose member has a ``locationName`` replaces the last part of the prefix
  with it; an empty list is sent as ``Prefix=``;
- maps are ``Prefix.entry.N.key`` / ``.value`` (or ``Prefix.N.key`` when
  flattened), with the key and value ``locationName``s replacing
  ``key``/``value``;
- booleans are ``true``/``false``, timestamps ISO 8601 unless the model
  says otherwise, blobs base64.
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from lamina.protocol.text_values import TextValueError, read_text


class QueryParamError(ValueError):
    """A parameter cannot be read as the model's type."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"Value '{value}' for parameter {name} is invalid: expected {expected}")


class _Node:
    """One dotted name part: the value sent for it, if any, and the parts below it."""

    __slots__ = ("value", "children")

    def __init__(self) -> None:
        self.value: str | None = None
        self.children: dict[str, _Node] = {}


def _tree(pairs: list[tuple[str, str]]) -> _Node:
    root = _Node()
    for key, value in pairs:
        node = root
        for part in key.split("."):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Node()
            node = child
        node.value = value
    return root


def read_query_params(shape: Shape, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The params dict for ``shape`` from decoded form pairs (``Action``/``Version`` are ignored)."""
    return _structure(shape, _tree(pairs), "")


def _indexed(node: _Node) -> list[_Node]:
    """Children named 1..N in numeric order; other names are not list items and are ignored."""
    items = [(int(name), child) for name, child in node.children.items() if name.isdigit()]
    items.sort(key=lambda pair: pair[0])
    return [child for _, child in items]


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _member_key(name: str, member: Shape) -> str:
    if member.type_name == "list" and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner:
            return inner
    return member.serialization.get("name", name)


def _structure(shape: Shape, node: _Node, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = _member_key(name, member)
        child = node.children.get(key)
        if child is None:
            continue
        value = _read(member, child, _join(prefix, key))
        if value is not None:
            out[name] = value
    return out


def _read(shape: Shape, node: _Node, name: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, node, name)
    if kind == "list":
        if not node.children:
            return [] if node.value is not None else None
        if shape.serialization.get("flattened"):
            container = node
        else:
            container = node.children.get(shape.member.serialization.get("name", "member"))
            if container is None:
                return []
        return [_read(shape.member, item, f"{name}.{index}")
                for index, item in enumerate(_indexed(container), 1)]
    if kind == "map":
        container = node if shape.serialization.get("flattened") else node.children.get("entry")
        if container is None:
            return {} if node.value is not None else None
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out: dict[str, Any] = {}
        for index, entry in enumerate(_indexed(container), 1):
            key_node = entry.children.get(key_name)
            if key_node is None or key_node.value is None:
                continue
            value_node = entry.children.get(value_name)
            entry_name = f"{name}.{index}"
            key = _read(shape.key, key_node, f"{entry_name}.{key_name}")
            out[key] = None if value_node is None else _read(shape.value, value_node,
                                                               f"{entry_name}.{value_name}")
        return out
    if node.value is None:
        return None
    return _read_scalar(shape, node.value, name)


def _read_scalar(shape: Shape, text: str, name: str) -> Any:
    """A scalar parameter from its query text."""
    try:
        return read_text(shape, text)
    except TextValueError as error:
        raise QueryParamError(name, text, error.expected) from None
