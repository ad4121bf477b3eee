"""May an AWS service act on a resource on its owner's behalf? Decided by the resource's policy alone.

Services have no identity policies: SNS delivering to a queue, EventBridge invoking a function,
S3 notifying a topic are allowed only when the target's resource-based policy names the service,
usually narrowed by ``aws:SourceArn`` / ``aws:SourceAccount``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). Lambda's function policies,
and SQS queue and SNS topic policies, answer through this.
"""

from __future__ import annotations

from lamina.iam.context import context_of
from lamina.iam.document import PolicyKind, PolicyProblem
from lamina.iam.evaluation import Policies, Request, evaluate
from lamina.iam.principal import service_principal
from lamina.iam.statement import compile_policy


def service_may(policy: str | None, *, service: str, action: str, resource: str, source_arn: str | None = None,
                source_account: str | None = None) -> bool:
    """Whether ``policy`` (JSON text of the resource's policy) lets ``service`` do ``action`` on ``resource``."""
    if not policy:
        return False
    try:
        compiled = compile_policy(policy, PolicyKind.RESOURCE)
    except PolicyProblem:
        return False  # a policy that does not read grants nothing
    context = context_of({"aws:SourceArn": source_arn, "aws:SourceAccount": source_account,
                          "aws:PrincipalServiceName": service, "aws:PrincipalIsAWSService": True})
    return evaluate(Request(service_principal(service), action, resource, context), Policies(resource=compiled)).allowed
