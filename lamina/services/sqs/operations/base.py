"""The state every group of SQS operations shares, and finding the queue a request names."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from lamina.services.context import CallContext
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider
from lamina.services.sqs.addresses import from_arn, from_url
from lamina.services.sqs.broker import Broker
from lamina.services.sqs.errors import InvalidParameterValue, QueueDoesNotExist, invalid_value
from lamina.services.sqs.long_polling import Arrivals
from lamina.services.sqs.messages import MessageTable
from lamina.services.sqs.queues import Queue, QueueTable
from lamina.triggers.sqs_message_moves import MoveTasks


class SqsBase(Provider):
    service_name = "sqs"

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.queues = QueueTable(platform.store)
        self.messages = MessageTable(platform.store)
        self.arrivals = Arrivals()
        self.broker = Broker(self.queues, self.messages, self.arrivals)
        self.move_tasks = MoveTasks(platform.store, self.broker)

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
