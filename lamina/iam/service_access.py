"""May an AWS service act on a resource on its owner's behalf? Decided by the resource's policy alone.

Services have no identity policies: SNS delivering to a queue, EventBridge invoking a function,
S3 notifying a topic are allowed only when the target's resource-based policy names the service,
usually narrowed by ``aws:SourceArn`` / ``aws:SourceAccount``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). Lambda's function policies,
and SQS queue and SNS topic policies, answer through this.
"""

from __future__ import annotations

import functools

from lamina.iam.context import Context, context_of
from lamina.iam.decision_cache import DecisionCache
from lamina.iam.document import PolicyKind, PolicyProblem
from lamina.iam.evaluation import Policies, Request
from lamina.iam.principal import Principal, service_principal
from lamina.iam.statement import compile_policy

# Every API Gateway request and every event a service delivers asks again with the same few inputs: the
# principal and context are made once per service and source (the decision cache keys principals by identity,
# and the evaluation only reads the context), and decisions are remembered.
_DECISIONS = DecisionCache()


@functools.lru_cache(maxsize=64)
def _principal(service: str) -> Principal:
    return service_principal(service)


@functools.lru_cache(maxsize=4096)
def _context(service: str, source_arn: str | None, source_account: str | None) -> Context:
    return context_of({"aws:SourceArn": source_arn, "aws:SourceAccount": source_account,
                       "aws:PrincipalServiceName": service, "aws:PrincipalIsAWSService": True})


def service_may(policy: str | None, *, service: str, action: str, resource: str, source_arn: str | None = None,
                source_account: str | None = None) -> bool:
    """Whether ``policy`` (JSON text of the resource's policy) lets ``service`` do ``action`` on ``resource``."""
    if not policy:
        return False
    try:
        compiled = compile_policy(policy, PolicyKind.RESOURCE)
    except PolicyProblem:
        return False  # a policy that does not read grants nothing
    request = Request(_principal(service), action, resource, _context(service, source_arn, source_account))
    return _DECISIONS.decide(request, Policies(resource=compiled)).allowed
