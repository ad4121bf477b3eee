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
                            group_id: str | None = None, deduplication_id: str | None = None,
                            sender: dict[str, str] | None = None) -> str:
        """Returns the message id. ``attributes`` are SQS MessageAttributes (DataType/StringValue/...).
        ``sender``: the service sending on a resource's behalf (``service``, ``arn``, ``account``), which the
        queue's policy must allow (raises ``SenderNotAllowed`` otherwise)."""


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

    def value_series(self, account: str, region: str, namespace: str,
                     groups: list[tuple[str, str, list[tuple[list[dict[str, str]], str]]]]) -> Any:
        """A handle whose ``add(when, values)`` publishes one value per group (metric name, unit, dimension sets
        with their ``dimensions_key``) under each of its dimension sets: for figures published again and again."""


class ResourcePolicies(Protocol):
    """Any service with resource-based policies or tags (Lambda functions, SQS queues, SNS topics...).

    IAM's authorization check calls these on the service a request is for, when its provider has them:
    the resource policy takes part in every decision on that resource, and the tags give the
    aws:ResourceTag/<key> condition keys.
    """

    async def resource_policy(self, arn: str) -> str | None:
        """The policy document (JSON text) attached to the resource ``arn`` names, or None."""

    async def resource_tags(self, arn: str) -> dict[str, str]:
        """The resource's tags ({} when it has none or does not exist)."""


class AccessChecker(Protocol):
    """IAM: decide whether a principal may do something that is not a request to the API, e.g.
    iam:PassRole when CreateFunction names an execution role."""

    async def authorize(self, principal: Any, action: str, resource: str, *,
                        keys: dict[str, Any] | None = None, source_ip: str | None = None) -> Any:
        """A ``lamina.iam.evaluation.Decision`` (truthy when allowed); format a denial with
        ``lamina.iam.messages.access_denied_message``. ``source_ip``: the caller's address (aws:SourceIp), for
        requests that came over the network."""


class RoleSessions(Protocol):
    """STS: temporary credentials for a role, as a service assumes it (Lambda's execution roles)."""

    async def trusts_service(self, role_arn: str, service: str) -> bool:
        """Whether the role exists and its trust policy lets ``service`` (lambda.amazonaws.com) assume it."""

    async def service_session(self, role_arn: str, service: str, session_name: str, *,
                              source_arn: str | None = None) -> Any:
        """New temporary credentials (``lamina.engine.api.Credentials``) and their expiry, as
        ``(credentials, expires_at_epoch_seconds)``; raises LookupError when the role cannot be assumed."""


class InvokePermissions(Protocol):
    """Lambda: may a service invoke a function, by the function's resource-based policy?"""

    async def may_invoke(self, function_arn: str, *, service: str, source_arn: str | None = None,
                         source_account: str | None = None) -> bool:
        """True when the function's (or the qualified version's/alias's) policy lets ``service``
        (e.g. "events.amazonaws.com") invoke it on behalf of ``source_arn`` / ``source_account``."""
