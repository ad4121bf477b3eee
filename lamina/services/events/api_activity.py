"""lamina's own API activity on the default bus, as CloudTrail delivers management events to
EventBridge: ``"detail-type": "AWS API Call via CloudTrail"``, ``source`` ``aws.<service>``
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html#eb-service-event-cloudtrail,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).

Only successful calls that change something are sent: read-only calls (Get*, List*, Describe*...)
and data events (SendMessage, Invoke, Publish, PutEvents...) are not management write events. The
gateway calls ``observe`` after every request; it returns at once unless an enabled rule on the
region's default bus could match (its top-level source, detail-type, account and region conditions
pass), so the event is only built when some rule could want it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Awaitable

import orjson

from lamina.services.events.names import DEFAULT_BUS

if TYPE_CHECKING:
    from lamina.gateway.context import RequestContext
    from lamina.iam.principal import Principal
    from lamina.services.events.provider import EventsProvider

log = logging.getLogger("lamina.events")

DETAIL_TYPE = "AWS API Call via CloudTrail"
READ_PREFIXES = ("Get", "List", "Describe", "Receive", "Head", "Lookup", "Search", "Query", "Scan", "BatchGet",
                 "Select", "Test", "Filter", "Poll", "Download")
# CloudTrail data events (not sent to EventBridge as management events).
DATA_EVENTS = {
    "sqs": {"SendMessage", "SendMessageBatch", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility",
            "ChangeMessageVisibilityBatch"},
    "lambda": {"Invoke", "InvokeAsync", "InvokeWithResponseStream"},
    "sns": {"Publish", "PublishBatch"},
    "events": {"PutEvents"},
    "logs": {"PutLogEvents"},
}
MAX_PARAMETERS_BYTES = 100 * 1024  # CloudTrail leaves out request parameters that are too large


def _identity(principal: Principal | None, account: str) -> dict[str, Any]:
    if principal is None:
        return {"type": "Unknown", "accountId": account}
    kind = {"root": "Root", "user": "IAMUser", "assumed-role": "AssumedRole"}.get(principal.kind, "Unknown")
    identity = {"type": kind, "principalId": principal.user_id or principal.account_id, "arn": principal.arn,
                "accountId": principal.account_id or account}
    if principal.access_key_id:
        identity["accessKeyId"] = principal.access_key_id
    if principal.name and kind == "IAMUser":
        identity["userName"] = principal.name
    return identity


def _plain(value: Any) -> Any:
    """JSON-safe: blobs (function code, message bodies in binary) are left out, as CloudTrail does."""
    if value is None:
        return None
    text = orjson.dumps(value, default=lambda _: None)
    return None if len(text) > MAX_PARAMETERS_BYTES else orjson.loads(text)


class ApiActivity:
    def __init__(self, provider: EventsProvider) -> None:
        self.provider = provider
        self._management: dict[tuple[str, str], bool] = {}  # (service, operation) -> a management event?

    def _recorded(self, ctx: RequestContext) -> bool:
        if ctx.operation is None or ctx.endpoint is None or ctx.response is None or ctx.response.status >= 300:
            return False
        key = (ctx.endpoint.name, ctx.operation.name)
        management = self._management.get(key)
        if management is None:  # decided once per operation: this runs on every request (Invoke included)
            name = ctx.operation.name
            management = self._management[key] = (not name.startswith(READ_PREFIXES)
                                                   and name not in DATA_EVENTS.get(ctx.endpoint.name, ()))
        return management

    def observe(self, ctx: RequestContext) -> Awaitable[None] | None:
        """The chain's observer: a coroutine publishing the event, or None for a request that makes none
        (most requests: reads, data events, failures)."""
        return self._publish(ctx) if self._recorded(ctx) else None

    async def _publish(self, ctx: RequestContext) -> None:
        account = (ctx.principal.account_id if ctx.principal else "") or ctx.account_id
        assert ctx.endpoint is not None and ctx.operation is not None
        prefix = ctx.endpoint.model.metadata.get("endpointPrefix") or ctx.endpoint.name
        known = {"source": f"aws.{prefix}", "detail-type": DETAIL_TYPE, "account": account, "region": ctx.region}
        if not await self.provider.router.may_route(account, ctx.region, DEFAULT_BUS, known):
            return
        now = datetime.now(timezone.utc)
        detail = {
            "eventVersion": "1.08", "userIdentity": _identity(ctx.principal, account),
            "eventTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": f"{prefix}.amazonaws.com",
            "eventName": ctx.operation.name, "awsRegion": ctx.region, "sourceIPAddress": ctx.request.client_ip,
            "userAgent": ctx.request.headers.get("user-agent", ""), "requestParameters": _plain(ctx.params),
            "responseElements": _plain(ctx.result), "requestID": ctx.request_id, "eventID": str(uuid.uuid4()),
            "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": account,
            "eventCategory": "Management"}
        entry = {"Source": f"aws.{prefix}", "DetailType": DETAIL_TYPE, "Detail": orjson.dumps(detail).decode(),
                 "EventBusName": DEFAULT_BUS, "Time": now}
        results = await self.provider.publish(account, ctx.region, [entry], trusted=True)
        if results[0].get("ErrorCode"):
            log.warning("events: API activity event for %s was refused: %s", ctx.operation.name, results[0])
