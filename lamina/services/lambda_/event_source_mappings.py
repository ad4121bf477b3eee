"""Event-source mappings for SQS queues: the rules a mapping's settings must follow, the configuration
document the API returns, and the mappings' records in the store
(https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from lamina.patterns import EventPattern, InvalidPattern, compile_pattern
from lamina.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException
from lamina.store import Store
from lamina.triggers.sqs_poller import PollerSettings

TABLE = "lambda:event-source-mappings"
DEFAULT_BATCH_SIZE = 10
FIFO_MAX_BATCH = 10
# Without ScalingConfig, Lambda lets an SQS mapping scale to 1,250 concurrent invocations; the model caps
# MaximumConcurrency at 1,000, and so do we (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
DEFAULT_MAX_CONCURRENCY = 1000
REPORT_FAILURES = "ReportBatchItemFailures"
TRANSITIONAL = ("Creating", "Enabling", "Updating", "Disabling", "Deleting")

# Members of CreateEventSourceMapping that belong to stream and broker sources, never to SQS.
NOT_FOR_SQS = ("StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor", "DestinationConfig",
               "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
               "TumblingWindowInSeconds", "Topics", "Queues", "SourceAccessConfigurations",
               "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig",
               "SelfManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig", "ProvisionedPollerConfig")


def not_found(uuid: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"The resource you requested does not exist. (Service: Lambda, Status Code: "
                                     f"404, Request ID: {uuid})")


def check_source_arn(arn: str) -> None:
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        raise InvalidParameterValueException(
            f"lamina serves event-source mappings for SQS queues only; {arn} is not an SQS queue ARN.")


def check_not_for_sqs(params: dict[str, Any]) -> None:
    for name in NOT_FOR_SQS:
        if params.get(name) is not None:
            raise InvalidParameterValueException(f"Unsupported {name} parameter for SQS event source.")


def compiled_filters(criteria: dict[str, Any] | None) -> tuple[EventPattern, ...]:
    """FilterCriteria's patterns, compiled (the same language as EventBridge event patterns)."""
    patterns = []
    for entry in (criteria or {}).get("Filters") or ():
        try:
            patterns.append(compile_pattern(entry.get("Pattern") or ""))
        except InvalidPattern:
            raise InvalidParameterValueException("Invalid filter pattern definition.") from None
    return tuple(patterns)


def check_settings(config: dict[str, Any], queue: dict[str, str], function_timeout: int) -> None:
    """The rules Lambda applies to an SQS mapping's settings, given the queue's attributes."""
    batch, window = config["BatchSize"], config["MaximumBatchingWindowInSeconds"]
    fifo = queue.get("FifoQueue") == "true"
    if fifo and batch > FIFO_MAX_BATCH:
        raise InvalidParameterValueException(
            f"BatchSize must be less than or equal to {FIFO_MAX_BATCH} for FIFO queues.")
    if fifo and window:
        raise InvalidParameterValueException("Batching window is not supported for FIFO queues.")
    if batch > 10 and window < 1:
        raise InvalidParameterValueException(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
    visibility = int(queue.get("VisibilityTimeout", "30"))
    if visibility < function_timeout:
        raise InvalidParameterValueException(
            f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
            f"{function_timeout} seconds")
    compiled_filters(config.get("FilterCriteria"))


def new_configuration(uuid: str, params: dict[str, Any], function_arn: str, region: str,
                      account: str) -> dict[str, Any]:
    """EventSourceMappingConfiguration for a new mapping, with SQS's defaults."""
    config: dict[str, Any] = {
        "UUID": uuid,
        "BatchSize": params.get("BatchSize") or DEFAULT_BATCH_SIZE,
        "MaximumBatchingWindowInSeconds": params.get("MaximumBatchingWindowInSeconds") or 0,
        "EventSourceArn": params["EventSourceArn"],
        "FunctionArn": function_arn,
        "LastModified": time.time(),
        "State": "Creating",
        "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": list(params.get("FunctionResponseTypes") or []),
        "EventSourceMappingArn": f"arn:aws:lambda:{region}:{account}:event-source-mapping:{uuid}",
    }
    for name in ("FilterCriteria", "ScalingConfig"):
        if params.get(name):
            config[name] = params[name]
    return config


def updated_configuration(config: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    merged = dict(config)
    for name in ("BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes"):
        if params.get(name) is not None:
            merged[name] = params[name]
    for name in ("FilterCriteria", "ScalingConfig"):
        if params.get(name) is not None:
            if params[name]:
                merged[name] = params[name]
            else:
                merged.pop(name, None)  # an empty object clears the setting
    merged["LastModified"] = time.time()
    return merged


def poller_settings(config: dict[str, Any], region: str) -> PollerSettings:
    return PollerSettings(
        mapping_id=config["UUID"], queue_arn=config["EventSourceArn"], region=region,
        batch_size=config["BatchSize"], batching_window=float(config["MaximumBatchingWindowInSeconds"]),
        report_failures=REPORT_FAILURES in (config.get("FunctionResponseTypes") or ()),
        max_concurrency=(config.get("ScalingConfig") or {}).get("MaximumConcurrency") or DEFAULT_MAX_CONCURRENCY,
        filters=compiled_filters(config.get("FilterCriteria")))


@dataclass
class Mapping:
    """A stored mapping: its API configuration, whether it should run, and the function it invokes."""

    config: dict[str, Any]
    enabled: bool
    account: str
    region: str
    function_name: str
    qualifier: str | None

    @property
    def uuid(self) -> str:
        return self.config["UUID"]

    def document(self) -> dict[str, Any]:
        return {"config": self.config, "enabled": self.enabled, "account": self.account, "region": self.region,
                "function_name": self.function_name, "qualifier": self.qualifier}


class MappingTable:
    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _mapping(value: dict[str, Any]) -> Mapping:
        return Mapping(value["config"], value["enabled"], value["account"], value["region"],
                       value["function_name"], value["qualifier"])

    async def get(self, uuid: str) -> Mapping | None:
        found = await self.store.get(TABLE, uuid)
        return self._mapping(found.value) if found else None

    async def put(self, mapping: Mapping) -> None:
        await self.store.put(TABLE, mapping.uuid, mapping.document())

    async def delete(self, uuid: str) -> None:
        await self.store.delete(TABLE, uuid)

    async def all(self) -> list[Mapping]:
        return [self._mapping(r.value) for r in await self.store.scan(TABLE)]
