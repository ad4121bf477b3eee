"""The base of every service provider."""

from __future__ import annotations

from typing import Any, ClassVar

Params = dict[str, Any]
Result = dict[str, Any] | None


class Provider:
    """A service's operations: ``async def <snake_case_operation>(self, ctx, params) -> dict``.

    The gateway finds the method by the operation's snake-case name (botocore's
    ``xform_name``); an operation without a method answers NotImplemented,
    naming it. ``service_name`` is the botocore model name.
    ``ignored_members`` and ``unsupported_members`` keep lamina honest about
    what it does with each member (checked against the code by a unit test).
    """

    service_name: ClassVar[str] = ""
    # Request members the model accepts that lamina does not act on: operation -> member -> why.
    # The first request using one logs a warning naming it; `lamina coverage` lists them.
    ignored_members: ClassVar[dict[str, dict[str, str]]] = {}
    # Request members lamina refuses because it cannot honour them: a 501 naming the member.
    unsupported_members: ClassVar[dict[str, dict[str, str]]] = {}
    # Names of string shapes whose model enum is narrower than what the service accepts: the gateway does
    # not check these enums and the provider answers unknown values with the service's own error.
    unchecked_enums: ClassVar[frozenset[str]] = frozenset()

    async def start(self) -> None:
        """Start background work (pollers, schedulers); called once the store is open."""

    async def stop(self) -> None:
        """Stop background work; called before the store closes."""
