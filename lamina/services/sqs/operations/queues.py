"""CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes, PurgeQueue and queue tags."""

from __future__ import annotations

import time

from lamina.services.context import CallContext
from lamina.services.provider import Params, Result
from lamina.services.sqs import attributes as attrs
from lamina.services.sqs.addresses import QueueAddress, check_name, from_arn
from lamina.services.sqs.errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValue,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
    invalid_value,
)
from lamina.services.sqs.operations.base import SqsBase
from lamina.services.sqs.tags import check_tags, tag_limit

DELETED_NAME_HOLD = 60.0  # a deleted queue's name cannot be reused for 60 seconds


class QueueOperations(SqsBase):
    def _check_redrive(self, value: str | None, fifo: bool, source_arn: str) -> None:
        if not value:
            return
        policy = attrs.redrive_policy({"RedrivePolicy": value})
        assert policy is not None
        try:
            target = self.queues.find(from_arn(policy.dead_letter_arn))
        except InvalidParameterValue:
            target = None
        if target is None:
            raise invalid_value("RedrivePolicy", value, "Dead letter target does not exist.")
        if target.fifo != fifo:
            raise invalid_value("RedrivePolicy", value, "Dead-letter queue must be same type of queue as the source.")
        if not attrs.redrive_allows(target.attributes, source_arn):
            raise invalid_value("RedrivePolicy", value, f"Queue {target.arn} does not allow this queue to use it "
                                                        "as its dead-letter queue.")

    async def create_queue(self, ctx: CallContext, params: Params) -> Result:
        name, given = params["QueueName"], dict(params.get("Attributes") or {})
        fifo_flag = given.pop("FifoQueue", None)
        if fifo_flag not in (None, "true", "false"):
            raise InvalidAttributeValue("Invalid value for the parameter FifoQueue.")
        fifo = fifo_flag == "true"
        check_name(name, fifo)
        address = QueueAddress(ctx.account_id, ctx.region, name)
        normalised = attrs.normalise(given, fifo)
        existing = self.queues.find(address)
        if existing is not None:
            for key, value in normalised.items():
                if existing.attributes.get(key, "") != value:
                    raise QueueNameExists(f"A queue already exists with the same name and a different value "
                                          f"for attribute {key}")
            return {"QueueUrl": address.url(ctx.base_url)}
        if self.queues.deleted_since(address, time.time() - DELETED_NAME_HOLD):
            raise QueueDeletedRecently("You must wait 60 seconds after deleting a queue before you can create "
                                       "another with the same name.")
        self._check_redrive(normalised.get("RedrivePolicy"), fifo, address.arn)
        tags = params.get("tags") or {}
        check_tags(tags)
        values = {**attrs.DEFAULTS, **(attrs.FIFO_DEFAULTS if fifo else {}),
                  **{k: v for k, v in normalised.items() if v != ""}}
        self.queues.create(address, values, tags)
        return {"QueueUrl": address.url(ctx.base_url)}

    async def get_queue_url(self, ctx: CallContext, params: Params) -> Result:
        account = params.get("QueueOwnerAWSAccountId") or ctx.account_id
        address = QueueAddress(account, ctx.region, params["QueueName"])
        if self.queues.find(address) is None:
            raise QueueDoesNotExist("The specified queue does not exist.")
        return {"QueueUrl": address.url(ctx.base_url)}

    async def list_queues(self, ctx: CallContext, params: Params) -> Result:
        prefix = params.get("QueueNamePrefix") or ""
        names = sorted(q.name for q in self.queues.in_region(ctx.account_id, ctx.region) if q.name.startswith(prefix))
        return self._page([QueueAddress(ctx.account_id, ctx.region, n).url(ctx.base_url) for n in names],
                          params, "QueueUrls")

    async def delete_queue(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        self.queues.delete(queue)
        self.messages.drop_queue(queue.id)
        self.arrivals.forget(queue.id)
        return None

    async def get_queue_attributes(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        names = set(params.get("AttributeNames") or ())
        if not names:
            return {}
        for name in sorted(names - attrs.READABLE):
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        everything = "All" in names
        values: dict[str, str] = {k: v for k, v in queue.attributes.items() if v != ""}
        values.update({"QueueArn": queue.arn, "CreatedTimestamp": str(int(queue.created)),
                       "LastModifiedTimestamp": str(int(queue.modified))})
        if queue.fifo:
            values["FifoQueue"] = "true"
        if everything or names & set(attrs.COUNTED):
            values.update(self.broker.counts(queue))
        return {"Attributes": values if everything else {k: v for k, v in values.items() if k in names}}

    async def set_queue_attributes(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        given = params["Attributes"]
        for name in given:
            if name in attrs.READ_ONLY:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
        normalised = attrs.normalise(given, queue.fifo)
        self._check_redrive(normalised.get("RedrivePolicy"), queue.fifo, queue.arn)
        merged = {**queue.attributes, **normalised}
        attrs.normalise({k: v for k, v in merged.items() if k in ("FifoThroughputLimit", "DeduplicationScope")},
                        queue.fifo)
        queue.attributes = {k: v for k, v in merged.items() if v != ""}
        self.queues.save(queue)
        return None

    async def purge_queue(self, ctx: CallContext, params: Params) -> Result:
        self.broker.purge(self._queue(ctx, params["QueueUrl"]))
        return None

    # -- tags -----------------------------------------------------------------------------------------
    async def tag_queue(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        check_tags(params["Tags"])
        merged = {**queue.tags, **params["Tags"]}
        tag_limit(merged, queue.name)
        queue.tags = merged
        self.queues.save(queue, touched=False)
        return None

    async def untag_queue(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        for key in params["TagKeys"]:
            queue.tags.pop(key, None)
        self.queues.save(queue, touched=False)
        return None

    async def list_queue_tags(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        return {"Tags": dict(queue.tags)} if queue.tags else {}
