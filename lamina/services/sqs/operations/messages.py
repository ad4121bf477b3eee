"""SendMessage, ReceiveMessage, DeleteMessage, ChangeMessageVisibility and their batch forms."""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.provider import Params, Result
from lamina.services.sqs import attributes as attrs
from lamina.services.sqs import batches, message_output, sending
from lamina.services.sqs.errors import BatchRequestTooLong, invalid_value
from lamina.services.sqs.operations.base import SqsBase

MAX_BATCH_BYTES = 262_144


class MessageOperations(SqsBase):
    @staticmethod
    def _sender(ctx: CallContext) -> str:
        return ctx.principal.user_id or ctx.principal.account_id or ctx.account_id

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
