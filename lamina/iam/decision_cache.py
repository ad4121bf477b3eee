"""Decisions remembered together with the context values they read.

Evaluating a request reads its principal, action and resource, the policies, and whichever context keys the
statements it came to look at (a condition's key, a policy variable). So an evaluation is run on a context that
notes each key it looks up and the value found; a later request with the same principal, action, resource and
policies, whose context holds the same values for those keys, gets the same decision without being evaluated.
Which keys were read may depend on their values (a failed condition stops a statement): every remembered
decision keeps its own list. Principals and compiled policies are immutable objects that change identity when
they change (``compile_policy`` caches by document text, the IAM directory rebuilds its sets after a write), so
they are keyed by id, and held by the entry: while it lives, no other object can have those ids.
"""

from __future__ import annotations

from typing import Any

from lamina.iam.context import Context
from lamina.iam.evaluation import Decision, Policies, Request, evaluate

MAX_REQUESTS = 4096  # distinct (principal, action, resource, policies) remembered, then forgotten all at once
MAX_VARIANTS = 8  # decisions per request, for contexts that differ in what was read (the time, a source address)

Reads = tuple[tuple[str, Any], ...]


class _NotingContext(dict[str, Any]):
    """A context that notes which keys were looked up, and what they held (None: absent)."""

    __slots__ = ("read",)

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.read: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        value = dict.get(self, key)
        self.read[key] = value
        return default if value is None else value


class DecisionCache:
    def __init__(self) -> None:
        self._requests: dict[tuple[Any, ...], tuple[tuple[object, ...], list[tuple[Reads, Decision]]]] = {}

    def decide(self, request: Request, policies: Policies, resource_required: bool = False) -> Decision:
        """``evaluate(request, policies, resource_required=...)``, remembered."""
        held = (request.principal, policies.identity, policies.resource, policies.session, policies.boundary)
        key = (*map(id, held), request.action, request.resource, request.resource_account, policies.resource_kind,
               resource_required)
        found = self._requests.get(key)
        # Ids suffice: the entry holds the objects, so no other object can have their ids meanwhile.
        if found is not None:
            context = request.context
            for reads, decision in found[1]:
                for name, value in reads:
                    if context.get(name) != value:
                        break
                else:
                    return decision
        else:
            if len(self._requests) >= MAX_REQUESTS:
                self._requests.clear()
            found = self._requests[key] = (held, [])
        noting = _NotingContext(request.context)
        decision = evaluate(Request(request.principal, request.action, request.resource, noting,
                                    request.resource_account), policies, resource_required=resource_required)
        variants = found[1]
        if len(variants) >= MAX_VARIANTS:
            del variants[0]
        variants.append((tuple(noting.read.items()), decision))
        return decision
