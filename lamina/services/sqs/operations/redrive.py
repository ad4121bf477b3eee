"""Dead-letter queues: ListDeadLetterSourceQueues and the message move tasks that redrive their messages."""

from __future__ import annotations

from lamina.services.context import CallContext
from lamina.services.provider import Params, Result
from lamina.services.sqs.errors import InvalidParameterValue, invalid_value
from lamina.services.sqs.operations.base import SqsBase


class RedriveOperations(SqsBase):
    async def list_dead_letter_source_queues(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        sources = sorted(q.address.url(ctx.base_url) for q in self.queues.all()
                         if q.redrive is not None and q.redrive.dead_letter_arn == queue.arn)
        result = self._page(sources, params, "queueUrls")
        result.setdefault("queueUrls", [])
        return result

    async def start_message_move_task(self, ctx: CallContext, params: Params) -> Result:
        source = self.queue_by_arn(params["SourceArn"])
        if not any(q.redrive is not None and q.redrive.dead_letter_arn == source.arn for q in self.queues.all()):
            raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
        destination = self.queue_by_arn(params["DestinationArn"]) if params.get("DestinationArn") else None
        rate = params.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and not 1 <= rate <= 500:
            raise invalid_value("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500, if provided.")
        return {"TaskHandle": await self.move_tasks.start_task(source, destination, rate)}

    async def list_message_move_tasks(self, ctx: CallContext, params: Params) -> Result:
        source = self.queue_by_arn(params["SourceArn"])
        limit = params.get("MaxResults", 1)
        if not 1 <= limit <= 10:
            raise invalid_value("MaxResults", limit, "Must be between 1 and 10, if provided.")
        return {"Results": await self.move_tasks.listed(source, limit)}

    async def cancel_message_move_task(self, ctx: CallContext, params: Params) -> Result:
        return {"ApproximateNumberOfMessagesMoved": await self.move_tasks.cancel(params["TaskHandle"])}
