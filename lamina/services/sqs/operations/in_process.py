"""The in-process interfaces other services and triggers use (lamina/services/interfaces.py)."""

from __future__ import annotations

import uuid
from typing import Any

from lamina.iam.service_access import service_may
from lamina.protocol.errors import ServiceError
from lamina.services.sqs import message_output, sending
from lamina.services.sqs.addresses import from_arn
from lamina.services.sqs.errors import InvalidParameterValue, SenderNotAllowed
from lamina.services.sqs.operations.base import SqsBase


class InProcessOperations(SqsBase):
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
