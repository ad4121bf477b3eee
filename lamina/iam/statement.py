"""Compiled policies: each statement's Action, Resource, Principal and Condition as matchers.

A policy is compiled once (``compile_policy`` caches by document text) and
then answers, per request, which of its statements apply. Statements are
indexed by action so that a request only looks at the statements that can
name its action.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from lamina.iam.conditions import Test, compile_conditions
from lamina.iam.context import Context
from lamina.iam.document import PolicyDocument, PolicyKind, Statement, parse_policy
from lamina.iam.principal import Principal
from lamina.iam.principals import Grant
from lamina.iam.variables import has_variables, substitute
from lamina.iam.wildcards import Matcher, any_arn_matcher, any_glob_matcher, arn_matcher

_ACTION_CACHE_LIMIT = 512


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    statement: Statement
    allow: bool
    action: Matcher
    resource: Callable[[str, Context], bool] | None  # None: no Resource element (trust policies)
    condition: Test | None

    def applies(self, resource: str, context: Context) -> bool:
        """Resource and Condition hold (the action was matched already)."""
        if self.resource is not None and not self.resource(resource, context):
            return False
        return self.condition is None or self.condition(context)

    def grant(self, who: Principal) -> Grant | None:
        """How the Principal element names ``who`` (statements without one name everybody)."""
        spec = self.statement.principal
        if spec is None:
            return Grant.DIRECT
        if self.statement.not_principal:
            return None if spec.names_every_layer(who) else Grant.DIRECT
        return spec.match(who)


def _resource_test(patterns: tuple[str, ...], negated: bool, variables: bool) -> Callable[[str, Context], bool]:
    if variables and any(map(has_variables, patterns)):
        def dynamic(resource: str, context: Context) -> bool:
            hit = False
            for pattern in patterns:
                found = substitute(pattern, context)
                if found is not None and arn_matcher(found)(resource):
                    hit = True
                    break
            return hit != negated
        return dynamic
    matcher = any_arn_matcher(patterns)
    if negated:
        return lambda resource, context: not matcher(resource)
    return lambda resource, context: matcher(resource)


def compile_statement(statement: Statement, variables: bool) -> CompiledStatement:
    actions = any_glob_matcher(statement.actions, ignore_case=True)
    action = (lambda name: not actions(name)) if statement.not_action else actions
    resource = None
    if statement.resources is not None:
        resource = _resource_test(statement.resources, statement.not_resource, variables)
    return CompiledStatement(statement, statement.effect == "Allow", action, resource,
                             compile_conditions(statement.conditions, variables))


@dataclass(slots=True)
class CompiledPolicy:
    document: PolicyDocument
    statements: tuple[CompiledStatement, ...]
    uses_resource_tags: bool = False  # whether evaluating it needs the resource's tags (aws:ResourceTag/...)
    _by_action: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict)

    def for_action(self, action: str) -> tuple[CompiledStatement, ...]:
        """The statements whose Action/NotAction covers ``action`` (cached per action)."""
        key = action.lower()
        found = self._by_action.get(key)
        if found is None:
            if len(self._by_action) >= _ACTION_CACHE_LIMIT:
                self._by_action.clear()
            found = self._by_action[key] = tuple(s for s in self.statements if s.action(action))
        return found


class PolicySet:
    """Policies evaluated together (a principal's identity-based policies): their statements that name
    an action, merged across the policies once per action."""

    __slots__ = ("policies", "uses_resource_tags", "_by_action")

    def __init__(self, policies: Sequence[CompiledPolicy]) -> None:
        self.policies = tuple(policies)
        self.uses_resource_tags = any(p.uses_resource_tags for p in self.policies)
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}

    def __iter__(self) -> Iterator[CompiledPolicy]:
        return iter(self.policies)

    def __len__(self) -> int:
        return len(self.policies)

    def for_action(self, action: str) -> tuple[CompiledStatement, ...]:
        key = action.lower()
        found = self._by_action.get(key)
        if found is None:
            if len(self._by_action) >= _ACTION_CACHE_LIMIT:
                self._by_action.clear()
            found = self._by_action[key] = tuple(s for p in self.policies for s in p.for_action(action))
        return found


def statements_for(policies: Sequence[CompiledPolicy] | PolicySet, action: str) -> tuple[CompiledStatement, ...]:
    if isinstance(policies, PolicySet):
        return policies.for_action(action)
    return tuple(s for p in policies for s in p.for_action(action))


def _mentions_resource_tags(document: PolicyDocument) -> bool:
    for statement in document.statements:
        if any(c.key.lower().startswith("aws:resourcetag/") for c in statement.conditions):
            return True
        texts = [*(statement.resources or ()), *(v for c in statement.conditions for v in c.values)]
        if any("${aws:resourcetag/" in t.lower() for t in texts):
            return True
    return False


def compile_document(document: PolicyDocument) -> CompiledPolicy:
    variables = document.variables_enabled
    return CompiledPolicy(document, tuple(compile_statement(s, variables) for s in document.statements),
                          _mentions_resource_tags(document))


@functools.lru_cache(maxsize=2048)
def compile_policy(text: str, kind: PolicyKind = PolicyKind.IDENTITY) -> CompiledPolicy:
    """Parse, check and compile a document (raises PolicyProblem); cached by its text."""
    return compile_document(parse_policy(text, kind))
