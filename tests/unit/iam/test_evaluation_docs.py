"""The evaluator against the IAM User Guide's own examples (``doc_cases.py``), and properties that
must hold for every one of them: the order of statements and how they are split into policies do
not matter, and statements about other services change nothing."""

from __future__ import annotations

import random

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamina.iam.context import context_of, principal_keys, request_keys
from lamina.iam.document import PolicyKind
from lamina.iam.evaluation import Decision, Policies, Request, evaluate
from lamina.iam.statement import compile_policy
from tests.unit.iam.doc_cases import CASES, Case


def _statements(document: dict) -> list[dict]:
    body = document["Statement"]
    return list(body) if isinstance(body, list) else [body]


def _compile(document: dict, kind: PolicyKind = PolicyKind.IDENTITY):
    return compile_policy(orjson.dumps(document).decode(), kind)


def decide(case: Case, identity: list[dict] | None = None) -> Decision:
    context = {**request_keys(now=1_750_000_000.0, region="us-east-1", source_ip="192.0.2.1", secure=True),
               **principal_keys(case.principal), **context_of(case.context)}
    policies = Policies(
        identity=[_compile(p) for p in (case.identity if identity is None else identity)],
        resource=_compile(case.resource_policy, PolicyKind.RESOURCE) if case.resource_policy else None,
        session=None if case.session is None else [_compile(p) for p in case.session],
        boundary=_compile(case.boundary) if case.boundary else None)
    return evaluate(Request(case.principal, case.action, case.resource, context, case.resource_account), policies)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_documented_decision(case: Case) -> None:
    decision = decide(case)
    assert decision.allowed is case.allowed
    if not case.allowed and case.explicit is not None:
        assert decision.explicit is case.explicit


_NOISE = [
    {"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "cloudformation:DeleteStack", "Resource": "*"},
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:PutLogEvents"], "Resource": "arn:aws:logs:*:*:*"},
    {"Effect": "Deny", "NotAction": "*", "Resource": "*"},
]


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(CASES), seed=st.integers(0, 2**32 - 1), noise=st.lists(st.sampled_from(_NOISE), max_size=3))
def test_decision_ignores_statement_order_policy_split_and_unrelated_statements(
        case: Case, seed: int, noise: list[dict]) -> None:
    rng = random.Random(seed)
    statements = [s for p in case.identity for s in _statements(p)]
    if not statements and not noise:
        return
    statements += noise
    rng.shuffle(statements)
    # Split into 1..n policies, each keeping the 2012-10-17 language version of the originals.
    cuts = sorted(rng.sample(range(1, len(statements)), rng.randint(0, len(statements) - 1))) if len(statements) > 1 else []
    chunks = [statements[a:b] for a, b in zip([0, *cuts], [*cuts, len(statements)])]
    versions = {p.get("Version") for p in case.identity} or {"2012-10-17"}
    version = versions.pop() if len(versions) == 1 else "2012-10-17"
    rebuilt = [{"Version": version, "Statement": chunk} for chunk in chunks if chunk]
    assert decide(case, rebuilt).allowed is case.allowed
