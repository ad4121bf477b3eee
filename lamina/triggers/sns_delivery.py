"""SNS deliveries: each (message, subscription) pair is a durable queue item, delivered at least
once with the protocol's retry policy (``lamina/services/sns/retry_policy.py``).

A delivery whose retries are used up goes to the subscription's dead-letter queue when it has a
RedrivePolicy (through SQS), else it is dropped with a log line, as SNS discards it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import orjson

from lamina.services.platform import Platform
from lamina.services.sns import retry_policy
from lamina.services.sns.delivery import DeliveryError, deliver
from lamina.services.sns.subscriptions import SubscriptionTable
from lamina.services.sns.topics import TopicTable
from lamina.store import QueueItem
from lamina.triggers.queue_worker import QueueWorker

log = logging.getLogger("lamina.sns")
QUEUE = "sns-deliveries"
LEASE_SECONDS = 120.0  # longer than the slowest delivery (an SMTP conversation, a 15 s HTTP timeout)
CONCURRENCY = 32


class DeliveryWorker:
    def __init__(self, platform: Platform, topics: TopicTable, subscriptions: SubscriptionTable) -> None:
        self.platform = platform
        self.store = platform.store
        self.topics = topics
        self.subscriptions = subscriptions
        self._worker = QueueWorker(self.store, QUEUE, self._deliver, concurrency=CONCURRENCY,
                                   lease_seconds=LEASE_SECONDS)
        self._client: httpx.AsyncClient | None = None
        self.delivered = 0

    async def enqueue(self, items: list[dict[str, Any]]) -> None:
        if items:
            await self.store.enqueue(QUEUE, [orjson.dumps(item) for item in items])
            self._worker.wake()

    async def start(self) -> None:
        self._client = httpx.AsyncClient(follow_redirects=False)
        await self._worker.start()

    async def stop(self) -> None:
        await self._worker.stop()
        if self._client is not None:
            await self._client.aclose()

    async def _deliver(self, item: QueueItem) -> None:
        entry = orjson.loads(item.payload)
        subscription = await self.subscriptions.find(entry["subscription"])
        if subscription is None:
            await self.store.finish(QUEUE, [item.id])  # unsubscribed meanwhile: nothing to deliver
            return
        assert self._client is not None
        try:
            await deliver(self.platform, self._client, subscription, entry["kind"], entry["message"])
        except asyncio.CancelledError:
            raise
        except Exception as error:
            await self._failed(item, entry, subscription, error)
            return
        self.delivered += 1
        await self.store.finish(QUEUE, [item.id])

    async def _failed(self, item: QueueItem, entry: dict[str, Any], subscription: dict[str, Any],
                      error: Exception) -> None:
        retry = entry.get("retries", 0) + 1
        topic = await self.topics.find(subscription["TopicArn"]) or {"Attributes": {}}
        policy = retry_policy.for_subscription(subscription["Protocol"], subscription["Attributes"].get("DeliveryPolicy"),
                                               topic["Attributes"].get("DeliveryPolicy"))
        delay = policy.delay(retry) if not isinstance(error, DeliveryError) or error.retry else None
        if delay is not None:
            log.warning("SNS delivery to %s failed (%s); retry %d in %.0f s", subscription["Endpoint"], error,
                        retry, delay)
            entry["retries"] = retry
            await self.store.retry_later(QUEUE, item.id, delay, orjson.dumps(entry))
            return
        log.error("SNS delivery of %s to %s failed for good: %s", entry["message"].get("MessageId"),
                  subscription["Endpoint"], error)
        await self._dead_letter(subscription, entry)
        await self.store.finish(QUEUE, [item.id])

    async def _dead_letter(self, subscription: dict[str, Any], entry: dict[str, Any]) -> None:
        redrive = subscription["Attributes"].get("RedrivePolicy")
        if not redrive or entry["kind"] != "Notification":
            return
        target = orjson.loads(redrive).get("deadLetterTargetArn")
        peer = self.platform.peer("sqs")
        if not target or peer is None:
            log.error("dead-letter queue %s of %s cannot be reached: lamina does not serve SQS on this node",
                      target, subscription["SubscriptionArn"])
            return
        from lamina.services.sns import messages

        body = messages.body_for(entry["message"], subscription["Protocol"])
        topic = subscription["TopicArn"]
        try:
            # The dead-letter queue's policy must let SNS send for the topic, as for a subscribed queue
            # (https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html).
            await peer.send_to_queue(target, orjson.dumps(messages.notification(entry["message"], subscription,
                                                                                 body)).decode(),
                                     sender={"service": "sns.amazonaws.com", "arn": topic,
                                             "account": topic.split(":")[4]})
        except Exception as error:  # the message is dropped, as SNS drops it when its DLQ cannot take it
            log.error("dead-letter queue %s of %s refused the message: %s", target, subscription["SubscriptionArn"],
                      error)
