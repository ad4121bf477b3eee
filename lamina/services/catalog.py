"""The services a node serves, in start order (a service may use the ones before it)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from lamina.gateway.services import ServiceEndpoint
from lamina.services import apigateway, apigatewayv2, cloudwatch, events, iam, lambda_, logs, sns, sqs, sts
from lamina.services.platform import Platform
from lamina.services.provider import Provider

Builder = Callable[[Platform], ServiceEndpoint]


@dataclass(frozen=True)
class ServiceEntry:
    model: str  # botocore model name
    build: Builder
    provider: str  # "module:Class", imported only when asked (`lamina coverage`)

    def provider_class(self) -> type[Provider]:
        module, _, name = self.provider.partition(":")
        return getattr(importlib.import_module(module), name)


SERVICES: list[ServiceEntry] = [
    ServiceEntry("iam", iam.build, "lamina.services.iam.provider:IamProvider"),
    ServiceEntry("sts", sts.build, "lamina.services.sts.provider:StsProvider"),
    # SQS starts first: Lambda's event-source mappings poll its queues from the moment Lambda starts.
    ServiceEntry("sqs", sqs.build, "lamina.services.sqs.provider:SqsProvider"),
    ServiceEntry("lambda", lambda_.build, "lamina.services.lambda_.provider:LambdaProvider"),
    ServiceEntry("logs", logs.build, "lamina.services.logs.provider:LogsProvider"),
    ServiceEntry("cloudwatch", cloudwatch.build, "lamina.services.cloudwatch.provider:CloudWatchProvider"),
    ServiceEntry("sns", sns.build, "lamina.services.sns.provider:SnsProvider"),
    # EventBridge delivers to Lambda, SQS and SNS, so it starts after them.
    ServiceEntry("events", events.build, "lamina.services.events.provider:EventsProvider"),
    ServiceEntry("apigateway", apigateway.build, "lamina.services.apigateway.provider:RestApiProvider"),
    ServiceEntry("apigatewayv2", apigatewayv2.build, "lamina.services.apigatewayv2.provider:HttpApiProvider"),
]
