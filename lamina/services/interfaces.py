"""The small in-process interfaces services offer each other (ARCHITECTURE.md §3).

A caller finds a peer with ``platform.peer("<service>")`` and calls it
through one of these; the peer's provider implements the methods. When the
peer is not served on this node, ``peer()`` returns None and the caller
answers with an error that names what is missing.
"""

from __future__ import annotations

from typing import Any, Protocol


class AsyncInvoker(Protocol):
    """Lambda: queue an asynchronous invocation (Event), durably, as Invoke with InvocationType=Event does."""

    async def queue_invocation(self, function_arn: str, payload: bytes, *,
                               source: dict[str, Any] | None = None) -> str:
        """Accept the event (written to the store before returning) and return its request id.

        ``function_arn`` may be qualified. ``source`` names the caller for resource-policy
        checks and records: {"service": "events.amazonaws.com", "arn": ..., "account": ...}.
        """


class QueueSender(Protocol):
    """SQS: deliver a message to a queue by ARN (destinations, DLQs, rule and topic targets)."""

    async def send_to_queue(self, queue_arn: str, body: str, *,
                            attributes: dict[str, dict[str, Any]] | None = None,
                            group_id: str | None = None, deduplication_id: str | None = None) -> str:
        """Returns the message id. ``attributes`` are SQS MessageAttributes (DataType/StringValue/...)."""


class TopicPublisher(Protocol):
    """SNS: publish to a topic by ARN (destinations, DLQs, alarm actions, rule targets)."""

    async def publish_to_topic(self, topic_arn: str, message: str, *, subject: str | None = None,
                               attributes: dict[str, dict[str, Any]] | None = None,
                               message_structure: str | None = None) -> str:
        """Returns the message id. ``message_structure="json"``: ``message`` holds one message per protocol
        (a "default" one and e.g. "email"), as Publish's MessageStructure (CloudWatch alarm e-mails use it)."""


class EventPutter(Protocol):
    """EventBridge: put events on a bus by ARN (destinations, rule targets, CloudTrail-style API events)."""

    async def put_events_to_bus(self, bus_arn: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Entries as PutEvents takes them; returns PutEvents' per-entry results."""


class MetricPublisher(Protocol):
    """CloudWatch: record data points (the engine's and triggers' metrics, EMF, API Gateway metrics)."""

    def put_metric_data(self, account: str, region: str, namespace: str, data: list[dict[str, Any]]) -> None:
        """``data`` as PutMetricData's MetricData members (MetricName, Dimensions, Value/Values/StatisticValues,
        Unit, Timestamp, StorageResolution)."""
