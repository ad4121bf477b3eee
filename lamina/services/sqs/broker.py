"""Moving messages through queues: send, receive (with long polling and dead-letter redrive),
delete, change visibility, purge.

Semantics from the SQS Developer Guide:
- visibility timeout: a received message is hidden for the timeout, then visible again
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html);
- dead-letter queues: a message received more than ``maxReceiveCount`` times is moved to the
  dead-letter queue instead of being received again; a standard message keeps its original enqueue
  time there, a FIFO message gets a new one
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html);
- FIFO: no message of a group is received while an earlier one of the group is in flight
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html);
  duplicate deduplication ids within 5 minutes are accepted and dropped.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from lamina.services.sqs import receipts
from lamina.services.sqs.addresses import from_arn
from lamina.services.sqs.attributes import MAX_VISIBILITY
from lamina.services.sqs.errors import (
    MessageNotInflight,
    PurgeQueueInProgress,
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
    invalid_value,
)
from lamina.services.sqs.long_polling import Arrivals
from lamina.services.sqs.messages import Message, MessageTable
from lamina.services.sqs.queues import Queue, QueueTable
from lamina.services.sqs.sending import DEDUP_INTERVAL, Outgoing

PURGE_INTERVAL = 60.0
_MIN_WAKE = 0.001  # sleep just past a message's visibility time, so it is visible when looked at


class Broker:
    def __init__(self, queues: QueueTable, messages: MessageTable, arrivals: Arrivals) -> None:
        self.queues = queues
        self.messages = messages
        self.arrivals = arrivals
        self.store = messages.store

    # -- sending -------------------------------------------------------------------------------------
    def send(self, queue: Queue, batch: list[Outgoing]) -> list[Outgoing]:
        """Store checked messages (one transaction); duplicates of a FIFO deduplication id within the interval
        are answered with the first message's id and sequence number and not stored again."""
        now = time.time()
        kept: list[Message] = []
        answered: list[Outgoing] = []
        with self.store.transaction():
            for outgoing in batch:
                message = outgoing.message
                if outgoing.dedup_scope is not None and message.dedup_id:
                    earlier = self.messages.duplicate_of(queue.id, outgoing.dedup_scope, message.dedup_id, now)
                    if earlier is not None:
                        answered.append(replace(outgoing, message=replace(message, message_id=earlier[0],
                                                                          seq=earlier[1])))
                        continue
                    self.messages.remember_dedup(queue.id, outgoing.dedup_scope, message.dedup_id,
                                                 message.message_id, message.seq, now + DEDUP_INTERVAL)
                kept.append(message)
                answered.append(outgoing)
            if kept:
                self.messages.insert(queue.id, kept)
        if kept:
            self.arrivals.notify(queue.id, len(kept))
        return answered

    # -- receiving -----------------------------------------------------------------------------------
    async def receive(self, queue: Queue, limit: int, visibility: int | None = None,
                      wait: float = 0.0) -> list[Message]:
        """Up to ``limit`` messages, waiting up to ``wait`` seconds for the first one to arrive."""
        timeout = queue.visibility_timeout if visibility is None else visibility
        deadline = time.monotonic() + wait
        while True:
            # Messages turning visible after this moment are waited for: one that turns visible while
            # ``take`` looks is then seen at once, not after the whole long poll.
            checked = time.time()
            found = self.take(queue, limit, timeout)
            if found or wait <= 0:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            next_at = self.messages.next_visible_at(queue.id, checked)
            if next_at is not None:
                remaining = min(remaining, max(0.0, next_at - time.time()) + _MIN_WAKE)
            await self.arrivals.wait(queue.id, remaining)
            if self.queues.by_id(queue.id) is not queue:
                raise QueueDoesNotExist("The specified queue does not exist.")

    def take(self, queue: Queue, limit: int, visibility: int) -> list[Message]:
        """Receive what is visible now, without waiting."""
        while True:
            now = time.time()
            candidates = (self._fifo_candidates(queue, now, limit) if queue.fifo
                          else self.messages.visible(queue.id, now, limit))
            if not candidates:
                return []
            taken, expired, dead = [], [], []
            redrive = queue.redrive
            dead_letter = self._dead_letter_queue(queue) if redrive else None
            for message in candidates:
                if message.expires_at <= now:
                    expired.append(message.seq)
                elif dead_letter is not None and message.receives >= redrive.max_receive_count:  # type: ignore[union-attr]
                    dead.append(message)
                else:
                    message.receives += 1
                    if message.first_received_at is None:
                        message.first_received_at = now
                    message.visible_at = now + visibility
                    message.receipt = receipts.new_token(now)
                    message.handle = receipts.encode(queue.id, message.seq, message.receipt)
                    taken.append(message)
            with self.store.transaction():
                self.messages.delete(expired)
                if dead:
                    assert dead_letter is not None
                    self._move(queue, dead, dead_letter, now)
                if taken:
                    self.messages.mark_received(queue.id, taken)
            if dead_letter is not None and dead:
                self.arrivals.notify(dead_letter.id, len(dead))
            if taken or (not expired and not dead):
                return taken

    def _fifo_candidates(self, queue: Queue, now: float, limit: int) -> list[Message]:
        """The receivable heads of message groups: groups with a message in flight are skipped, and a group
        gives its messages in order up to its first invisible one."""
        chosen: list[Message] = []
        for group in self.messages.visible_groups(queue.id, now, max(limit * 4, 20)):
            if self.messages.group_in_flight(queue.id, group, now):
                continue
            for message in self.messages.group_head(queue.id, group, limit - len(chosen)):
                if message.visible_at > now:
                    break
                chosen.append(message)
            if len(chosen) >= limit:
                break
        return chosen

    def _dead_letter_queue(self, queue: Queue) -> Queue | None:
        assert queue.redrive is not None
        return self.queues.find(from_arn(queue.redrive.dead_letter_arn))

    def _move(self, source: Queue, moved: list[Message], target: Queue, now: float) -> None:
        copies = []
        for message in moved:
            sent_at = now if target.fifo else message.sent_at
            extra = {**message.extra, "d": source.arn}
            copies.append(replace(message, seq=self.messages.next_seq(), extra=extra, sent_at=sent_at, receives=0,
                                  first_received_at=None, receipt=None, visible_at=now,
                                  expires_at=sent_at + target.retention))
        self.messages.delete([m.seq for m in moved])
        self.messages.insert(target.id, copies)

    def move_messages(self, source: Queue, limit: int, destination: Queue | None) -> int:
        """Move up to ``limit`` visible messages, oldest first, to ``destination`` or, when None, back to the
        queue each came from (a message move task redriving a dead-letter queue)."""
        now = time.time()
        batch = self.messages.oldest(source.id, limit, now)
        moved = 0
        for message in batch:
            target = destination or self.queues.find(from_arn(message.extra.get("d", "arn:aws:sqs:::")))
            if target is None:
                continue
            with self.store.transaction():
                self._move(source, [message], target, now)
            self.arrivals.notify(target.id, 1)
            moved += 1
        return moved

    # -- after receiving -----------------------------------------------------------------------------
    def _received(self, queue: Queue, handle: str) -> tuple[receipts.Receipt, Message | None]:
        receipt = receipts.decode(handle)
        if receipt.queue_id != queue.id:
            raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')
        return receipt, self.messages.get(queue.id, receipt.seq)

    def delete(self, queue: Queue, handle: str) -> None:
        """Delete a received message; a message already deleted is deleted again without complaint.
        Standard queues: a handle of an earlier receive succeeds without deleting the message ("you must
        provide the most recently received receipt handle ... otherwise, the request succeeds, but the
        message might not be deleted", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html).
        FIFO queues: a handle whose visibility timeout has passed, or of an earlier receive, has expired."""
        receipt = receipts.decode(handle)
        if receipt.queue_id != queue.id:
            raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')
        if not queue.fifo:
            self.messages.delete_received(receipt.seq, receipt.token)
            return
        message = self.messages.get(queue.id, receipt.seq)
        if message is None:
            return
        if message.receipt != receipt.token or message.visible_at <= time.time():
            raise invalid_value("ReceiptHandle", handle, "The receipt handle has expired.")
        self.messages.delete([message.seq])
        self.arrivals.notify(queue.id)  # the message's group may be unlocked

    def change_visibility(self, queue: Queue, handle: str, timeout: int) -> None:
        if not 0 <= timeout <= MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", timeout, f"Must be between 0 and {MAX_VISIBILITY}, if provided.")
        receipt, message = self._received(queue, handle)
        if message is None or message.receipt != receipt.token:
            raise invalid_value("ReceiptHandle", handle,
                                "Message does not exist or is not available for visibility timeout change.")
        now = time.time()
        if message.visible_at <= now:
            raise MessageNotInflight("The message referred to isn't in flight.")
        if now + timeout - receipt.received_at > MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", timeout,
                                f"Total VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY} seconds]")
        self.messages.set_visible_at(message.seq, now + timeout)
        if timeout == 0:
            self.arrivals.notify(queue.id)

    def purge(self, queue: Queue) -> None:
        now = time.time()
        if now - queue.purged_at < PURGE_INTERVAL:
            raise PurgeQueueInProgress(f"Only one PurgeQueue operation on {queue.name} is allowed every "
                                       f"{int(PURGE_INTERVAL)} seconds.")
        queue.purged_at = now
        self.queues.save(queue, touched=False)
        self.messages.purge(queue.id, now)

    def counts(self, queue: Queue) -> dict[str, Any]:
        visible, in_flight, delayed = self.messages.counts(queue.id, time.time())
        return {"ApproximateNumberOfMessages": str(visible), "ApproximateNumberOfMessagesNotVisible": str(in_flight),
                "ApproximateNumberOfMessagesDelayed": str(delayed)}
