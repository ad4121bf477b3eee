"""The SQS API (json and query forms): queues, messages, dead-letter redrive, message move tasks.

Thin: each operation finds its queue and hands over to the broker (messages),
the queue table (queues) or the domain modules beside this file.
"""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from typing import Any

from lamina.iam.service_access import service_may
from lamina.protocol.errors import ServiceError
from lamina.services.context import CallContext
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider, Result
from lamina.services.sqs import attributes as attrs
from lamina.services.sqs import batches, message_output, permissions, sending
from lamina.services.sqs.addresses import QueueAddress, check_name, from_arn, from_url
from lamina.services.sqs.broker import Broker
from lamina.services.sqs.errors import (
    BatchRequestTooLong,
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValue,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
    SenderNotAllowed,
    invalid_value,
)
from lamina.services.sqs.long_polling import Arrivals
from lamina.services.sqs.messages import MessageTable
from lamina.services.sqs.queues import Queue, QueueTable
from lamina.services.sqs.tags import check_tags, tag_limit
from lamina.triggers.sqs_message_moves import MoveTasks
from lamina.triggers.sqs_retention import RetentionSweeper

MAX_BATCH_BYTES = 262_144
DELETED_NAME_HOLD = 60.0  # a deleted queue's name cannot be reused for 60 seconds


class SqsProvider(Provider):
    service_name = "sqs"
    ignored_members = {
        "ReceiveMessage": {"ReceiveRequestAttemptId": "repeated receive attempts are not recognised; each "
                                                      "ReceiveMessage receives anew"},
    }

    # The model types ReceiveMessage's AttributeNames as queue attribute names, but SQS takes message system
    # attribute names there (ApproximateReceiveCount, SentTimestamp...), and answers unknown queue attribute
    # names with InvalidAttributeName, not a validation error
    # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
    unchecked_enums = frozenset({"QueueAttributeName"})

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.queues = QueueTable(platform.store)
        self.messages = MessageTable(platform.store)
        self.arrivals = Arrivals()
        self.broker = Broker(self.queues, self.messages, self.arrivals)
        self.move_tasks = MoveTasks(platform.store, self.broker)
        self.sweeper = RetentionSweeper(self.messages)

    async def start(self) -> None:
        self.queues.load()
        await self.move_tasks.start()
        await self.sweeper.start()

    async def stop(self) -> None:
        await self.sweeper.stop()
        await self.move_tasks.stop()

    # -- finding queues -------------------------------------------------------------------------------
    def _queue(self, ctx: CallContext, url: str) -> Queue:
        queue = self.queues.find(from_url(url, ctx.region, ctx.account_id))
        if queue is None:
            raise QueueDoesNotExist("The specified queue does not exist.")
        return queue

    def queue_by_arn(self, arn: str) -> Queue:
        queue = self.queues.find(from_arn(arn))
        if queue is None:
            raise QueueDoesNotExist(f"The specified queue does not exist: {arn}")
        return queue

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

    @staticmethod
    def _sender(ctx: CallContext) -> str:
        return ctx.principal.user_id or ctx.principal.account_id or ctx.account_id

    # -- queues ---------------------------------------------------------------------------------------
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

    @staticmethod
    def _page(urls: list[str], params: Params, key: str) -> dict[str, Any]:
        """ListQueues paging: without MaxResults up to 1,000 URLs and no token
        (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html)."""
        limit = params.get("MaxResults")
        if limit is not None and not 1 <= limit <= 1000:
            raise invalid_value("MaxResults", limit, "MaxResults must be an integer between 1 and 1000.")
        start = 0
        if params.get("NextToken"):
            try:
                start = int(base64.b64decode(params["NextToken"], validate=True).decode())
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise InvalidParameterValue("Invalid NextToken value.") from None
        page = urls[start:start + (limit or 1000)]
        result: dict[str, Any] = {key: page} if page else {}
        if limit is not None and start + limit < len(urls):
            result["NextToken"] = base64.b64encode(str(start + limit).encode()).decode()
        return result

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

    async def list_dead_letter_source_queues(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        sources = sorted(q.address.url(ctx.base_url) for q in self.queues.all()
                         if q.redrive is not None and q.redrive.dead_letter_arn == queue.arn)
        result = self._page(sources, params, "queueUrls")
        result.setdefault("queueUrls", [])
        return result

    # -- tags and permissions -------------------------------------------------------------------------
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

    # -- messages -------------------------------------------------------------------------------------
    async def send_message(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        outgoing = sending.prepare(queue, self.messages.next_seq(), params, self._sender(ctx))
        return sending.result_of(self.broker.send(queue, [outgoing])[0])

    async def send_message_batch(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        entries = params["Entries"]
        batches.check_entries(entries, "SendMessageBatchRequestEntry")
        size = sum(len(e.get("MessageBody", "").encode()) for e in entries)
        if size > MAX_BATCH_BYTES:
            raise BatchRequestTooLong(f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have "
                                      f"sent {size} bytes.")
        sender, prepared = self._sender(ctx), {}

        async def check(entry: dict[str, Any]) -> None:
            prepared[entry["Id"]] = sending.prepare(queue, self.messages.next_seq(), entry, sender)

        result = await batches.each(entries, check)
        ids = [e["Id"] for e in result["Successful"]]
        sent = self.broker.send(queue, [prepared[i] for i in ids])
        result["Successful"] = [{"Id": i, **sending.result_of(o)} for i, o in zip(ids, sent)]
        return result

    async def receive_message(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        limit = params.get("MaxNumberOfMessages", 1)
        if not 1 <= limit <= 10:
            raise invalid_value("MaxNumberOfMessages", limit, "Must be between 1 and 10, if provided.")
        visibility = params.get("VisibilityTimeout")
        if visibility is not None and not 0 <= visibility <= attrs.MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", visibility, "Must be between 0 and 43200, if provided.")
        wait = params.get("WaitTimeSeconds")
        if wait is not None and not 0 <= wait <= 20:
            raise invalid_value("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
        found = await self.broker.receive(queue, limit, visibility, queue.wait if wait is None else wait)
        system = [*(params.get("AttributeNames") or ()), *(params.get("MessageSystemAttributeNames") or ())]
        names = params.get("MessageAttributeNames") or []
        return {"Messages": [message_output.rendered(m, queue.fifo, system, names) for m in found]} if found else {}

    async def delete_message(self, ctx: CallContext, params: Params) -> Result:
        self.broker.delete(self._queue(ctx, params["QueueUrl"]), params["ReceiptHandle"])
        return None

    async def delete_message_batch(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        batches.check_entries(params["Entries"], "DeleteMessageBatchRequestEntry")

        async def delete(entry: dict[str, Any]) -> None:
            self.broker.delete(queue, entry["ReceiptHandle"])

        return await batches.each(params["Entries"], delete)

    async def change_message_visibility(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        self.broker.change_visibility(queue, params["ReceiptHandle"], params["VisibilityTimeout"])
        return None

    async def change_message_visibility_batch(self, ctx: CallContext, params: Params) -> Result:
        queue = self._queue(ctx, params["QueueUrl"])
        batches.check_entries(params["Entries"], "ChangeMessageVisibilityBatchRequestEntry")

        async def change(entry: dict[str, Any]) -> None:
            self.broker.change_visibility(queue, entry["ReceiptHandle"], entry.get("VisibilityTimeout", 0))

        return await batches.each(params["Entries"], change)

    # -- message move tasks ---------------------------------------------------------------------------
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

    # -- in-process interfaces (lamina/services/interfaces.py) ------------------------------------------
    async def send_to_queue(self, queue_arn: str, body: str, *,
                            attributes: dict[str, dict[str, Any]] | None = None,
                            group_id: str | None = None, deduplication_id: str | None = None,
                            sender: dict[str, str] | None = None) -> str:
        queue = self.queue_by_arn(queue_arn)
        if sender is not None:
            # A service (SNS, EventBridge) sends only if the queue's policy lets it, for that source
            # (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html).
            service = sender["service"]
            if not service_may(queue.attributes.get("Policy"), service=service, action="sqs:SendMessage",
                               resource=queue.arn, source_arn=sender.get("arn"),
                               source_account=sender.get("account")):
                raise SenderNotAllowed(f"the policy of {queue.arn} does not let {service} send messages to it "
                                       f"for {sender.get('arn') or 'this source'}")
        entry: dict[str, Any] = {"MessageBody": body, "MessageAttributes": attributes}
        if group_id is not None:
            entry["MessageGroupId"] = group_id
        if queue.fifo:
            entry["MessageDeduplicationId"] = deduplication_id
            if deduplication_id is None and not queue.content_dedup:
                entry["MessageDeduplicationId"] = uuid.uuid4().hex  # nothing to deduplicate against
        outgoing = sending.prepare(queue, self.messages.next_seq(), entry, queue.address.account)
        return self.broker.send(queue, [outgoing])[0].message.message_id

    def queue_attributes(self, queue_arn: str) -> dict[str, str] | None:
        """A queue's settable attributes and whether it is FIFO, or None when there is no such queue."""
        try:
            queue = self.queues.find(from_arn(queue_arn))
        except InvalidParameterValue:
            return None
        if queue is None:
            return None
        return {**queue.attributes, "FifoQueue": "true" if queue.fifo else "false", "QueueArn": queue.arn}

    async def receive_from_queue(self, queue_arn: str, max_messages: int, wait_seconds: float,
                                 visibility_timeout: int | None = None) -> list[dict[str, Any]]:
        queue = self.queue_by_arn(queue_arn)
        found = await self.broker.receive(queue, max_messages, visibility_timeout, wait_seconds)
        return [message_output.rendered(m, queue.fifo, ("All",), ["All"]) for m in found]

    async def delete_from_queue(self, queue_arn: str, receipt_handles: list[str]) -> None:
        queue = self.queue_by_arn(queue_arn)
        with self.platform.store.transaction():
            for handle in receipt_handles:
                try:
                    self.broker.delete(queue, handle)
                except ServiceError:
                    pass  # received again meanwhile: that receiver deletes it

    async def release_to_queue(self, queue_arn: str, receipt_handles: list[str], delay: int = 0) -> None:
        """Make received messages visible again after ``delay`` seconds (a consumer giving them back)."""
        queue = self.queue_by_arn(queue_arn)
        for handle in receipt_handles:
            try:
                self.broker.change_visibility(queue, handle, delay)
            except ServiceError:
                pass  # deleted or received again meanwhile
