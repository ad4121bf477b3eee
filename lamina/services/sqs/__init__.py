"""Amazon SQS (API version 2012-11-05), in its json form and the older query form: queues, messages,
long polling, dead-letter queues, FIFO queues and message move tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.protocol.base import ErrorCodes
    from lamina.protocol.models import load_service_model
    from lamina.services.sqs.provider import SqsProvider

    model = load_service_model("sqs")
    # SQS answers bad parameters with InvalidParameterValue and unknown actions with InvalidAction
    # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html).
    codes = ErrorCodes(validation="InvalidParameterValue", serialization="InvalidParameterValue",
                       unknown_operation="InvalidAction")
    return ServiceEndpoint("sqs", model, SqsProvider(platform), ("sqs",), codes)
