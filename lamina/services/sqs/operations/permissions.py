"""AddPermission, RemovePermission, and the queue policy and tags IAM weighs in every decision on a queue."""

from __future__ import annotations

from lamina.protocol.errors import ServiceError
from lamina.services.context import CallContext
from lamina.services.provider import Params, Result
from lamina.services.sqs import permissions
from lamina.services.sqs.addresses import from_arn
from lamina.services.sqs.operations.base import SqsBase
from lamina.services.sqs.queues import Queue


class PermissionOperations(SqsBase):
    # -- IAM: a queue's Policy attribute and tags take part in every decision on it (interfaces.ResourcePolicies)
    def _queue_named(self, arn: str) -> Queue | None:
        try:
            return self.queues.find(from_arn(arn))
        except ServiceError:
            return None

    async def resource_policy(self, arn: str) -> str | None:
        queue = self._queue_named(arn)
        return (queue.attributes.get("Policy") or None) if queue is not None else None

    async def resource_tags(self, arn: str) -> dict[str, str]:
        queue = self._queue_named(arn)
        return dict(queue.tags) if queue is not None else {}

    async def add_permission(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        queue.attributes["Policy"] = permissions.add(queue.attributes.get("Policy"), queue.arn, params["Label"],
                                                     params["AWSAccountIds"], params["Actions"])
        self.queues.save(queue)
        return None

    async def remove_permission(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        policy = permissions.remove(queue.attributes.get("Policy"), params["Label"])
        if policy:
            queue.attributes["Policy"] = policy
        else:
            queue.attributes.pop("Policy", None)
        self.queues.save(queue)
        return None
