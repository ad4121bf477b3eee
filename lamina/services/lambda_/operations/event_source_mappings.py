"""Create/Get/Update/Delete/ListEventSourceMappings for SQS queues, and the pollers that run them
(https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).

A mapping's State moves as Lambda's does: Creating -> Enabled (or Disabled), Updating/Enabling -> Enabled,
Disabling -> Disabled, Deleting -> gone. The API answers with the transitional state; the poller is
started or stopped just after, and the settled state is stored. Mappings are records in the store, so
their pollers start again with the provider.
"""

from __future__ import annotations

import asyncio
import logging
import uuid as uuids
from typing import Any

from lamina.protocol.errors import ServiceError
from lamina.services.context import CallContext
from lamina.services.lambda_ import event_source_mappings as esm
from lamina.services.lambda_.arns import parse_function_ref
from lamina.services.lambda_.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceInUseException,
    TooManyRequestsException,
)
from lamina.services.lambda_.functions import FunctionRecord
from lamina.services.lambda_.listing import page_result
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.targets import Target
from lamina.services.provider import Params, Result
from lamina.triggers.sqs_poller import Outcome, SqsPoller

log = logging.getLogger("lamina.event-source-mappings")


class EventSourceMappingOperations(LambdaBase):
    # Per-provider state lives in __dict__: operation groups share no __init__ hook.
    @property
    def _pollers(self) -> dict[str, SqsPoller]:
        return self.__dict__.setdefault("_esm_pollers", {})

    @property
    def _mappings(self) -> esm.MappingTable:
        found = self.__dict__.get("_esm_table")
        if found is None:
            found = self.__dict__["_esm_table"] = esm.MappingTable(self.store)
        return found

    def _queues(self) -> Any:
        queues = self.platform.peer("sqs")
        if queues is None:
            raise InvalidParameterValueException("SQS is not served by this lamina node.")
        return queues

    def _queue_attributes(self, arn: str) -> dict[str, str]:
        esm.check_source_arn(arn)
        found = self._queues().queue_attributes(arn)
        if found is None:
            raise InvalidParameterValueException(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                "SQS Error Message: The specified queue does not exist.")
        return found

    async def _mapping(self, uuid: str) -> esm.Mapping:
        found = await self._mappings.get(uuid)
        if found is None:
            raise esm.not_found(uuid)
        return found

    async def _check(self, config: dict[str, Any], target: Target) -> None:
        esm.check_settings(config, self._queue_attributes(config["EventSourceArn"]),
                           int(target.config.get("Timeout", 3)))
        # Lambda polls with the function's execution role, and checks it can before it maps
        # (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions).
        record = target.record
        for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"):
            if not await self.roles.may(target.config.get("Role"), record.name, record.arn, f"sqs:{action}",
                                        config["EventSourceArn"]):
                raise InvalidParameterValueException(
                    f"The provided execution role does not have permissions to call {action} on SQS")

    # -- the API -------------------------------------------------------------------------------
    async def create_event_source_mapping(self, ctx: CallContext, params: Params) -> Result:
        esm.check_source_arn(params["EventSourceArn"])
        esm.check_not_for_sqs(params)
        target = await self.resolve(ctx, params["FunctionName"])
        record = target.record
        for other in await self._mappings.all():
            if (other.config["EventSourceArn"] == params["EventSourceArn"] and other.account == record.account
                    and other.region == record.region and other.function_name == record.name
                    and other.qualifier == target.qualifier):
                raise ResourceConflictException(
                    f'An event source mapping with SQS arn (" {params["EventSourceArn"]} ") and function '
                    f'(" {record.name} ") already exists. Please update or delete the existing mapping with '
                    f"UUID {other.uuid}")
        uuid = str(uuids.uuid4())
        config = esm.new_configuration(uuid, params, target.arn, ctx.region, ctx.account_id)
        await self._check(config, target)
        enabled = params.get("Enabled", True)
        mapping = esm.Mapping(config, enabled, record.account, record.region, record.name, target.qualifier)
        await self._mappings.put(mapping)
        self._settle_soon(uuid)
        return config

    async def get_event_source_mapping(self, ctx: CallContext, params: Params) -> Result:
        return (await self._mapping(params["UUID"])).config

    async def update_event_source_mapping(self, ctx: CallContext, params: Params) -> Result:
        mapping = await self._mapping(params["UUID"])
        if mapping.config["State"] == "Deleting":
            raise ResourceInUseException(f"Cannot update the event source mapping {mapping.uuid} because it is "
                                         "being deleted.")
        esm.check_not_for_sqs(params)
        if params.get("FunctionName"):
            target = await self.resolve(ctx, params["FunctionName"])
            mapping.function_name, mapping.qualifier = target.record.name, target.qualifier
        else:
            target = await self.resolver.resolve(mapping.region, mapping.account, mapping.function_name,
                                                 mapping.qualifier)
        config = esm.updated_configuration(mapping.config, params)
        config["FunctionArn"] = target.arn
        await self._check(config, target)
        was = mapping.enabled
        if params.get("Enabled") is not None:
            mapping.enabled = params["Enabled"]
        config["State"] = ("Updating" if was and mapping.enabled else "Enabling" if mapping.enabled
                           else "Disabling")
        mapping.config = config
        await self._mappings.put(mapping)
        self._settle_soon(mapping.uuid)
        return config

    async def delete_event_source_mapping(self, ctx: CallContext, params: Params) -> Result:
        mapping = await self._mapping(params["UUID"])
        mapping.config["State"] = "Deleting"
        await self._mappings.put(mapping)
        self._settle_soon(mapping.uuid)
        return mapping.config

    async def list_event_source_mappings(self, ctx: CallContext, params: Params) -> Result:
        source = params.get("EventSourceArn")
        wanted = None
        if params.get("FunctionName"):
            ref = parse_function_ref(params["FunctionName"], ctx.region, ctx.account_id)
            wanted = (ref.name, ref.qualifier)
        found = [m.config for m in await self._mappings.all()
                 if m.account == ctx.account_id and m.region == ctx.region
                 and (source is None or m.config["EventSourceArn"] == source)
                 and (wanted is None or wanted[0] == m.function_name
                      and (wanted[1] is None or wanted[1] == m.qualifier))]
        return page_result(found, params, "EventSourceMappings", key=lambda c: c["UUID"])

    # -- states and pollers ----------------------------------------------------------------------
    def _settle_soon(self, uuid: str) -> None:
        """Finish a transition just after the API has answered with its transitional state."""
        task = asyncio.get_running_loop().create_task(self._settle(uuid))
        tasks: set[asyncio.Task[None]] = self.__dict__.setdefault("_esm_settling", set())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _settle(self, uuid: str) -> None:
        # One transition at a time per mapping: two interleaved ones could each start a poller.
        locks: dict[str, asyncio.Lock] = self.__dict__.setdefault("_esm_locks", {})
        lock = locks.setdefault(uuid, asyncio.Lock())
        async with lock:
            await self._settle_now(uuid)

    async def _settle_now(self, uuid: str) -> None:
        mapping = await self._mappings.get(uuid)
        poller = self._pollers.pop(uuid, None)
        if poller is not None:
            await poller.stop()
        if mapping is None:
            return
        if mapping.config["State"] == "Deleting":
            await self._mappings.delete(uuid)
            return
        if mapping.enabled:
            self._start_poller(mapping)
        settled = "Enabled" if mapping.enabled else "Disabled"
        current = await self._mappings.get(uuid)
        # An update that enabled or disabled the mapping meanwhile has its own settle queued behind this
        # one: leave its transitional state for it, or a disabled mapping would read Enabled for good.
        if (current is not None and current.config["State"] in esm.TRANSITIONAL
                and current.config["State"] != "Deleting" and current.enabled == mapping.enabled):
            current.config["State"] = settled
            await self._mappings.put(current)

    def _start_poller(self, mapping: esm.Mapping) -> None:
        queues = self.platform.peer("sqs")
        if queues is None:
            log.warning("event-source mapping %s: SQS is not served here; not polling", mapping.uuid)
            return
        poller = SqsPoller(esm.poller_settings(mapping.config, mapping.region), queues,
                           lambda payload: self._invoke_for(mapping, payload))
        self._pollers[mapping.uuid] = poller
        poller.start()

    async def _invoke_for(self, mapping: esm.Mapping, payload: bytes) -> Outcome:
        """Run the mapping's function on one batch, synchronously, as Lambda's pollers do."""
        try:
            target = await self.resolver.resolve(mapping.region, mapping.account, mapping.function_name,
                                                 mapping.qualifier)
            response = await self.run_sync(target, payload, str(uuids.uuid4()))
        except TooManyRequestsException:
            return Outcome(throttled=True)
        except ServiceError as error:
            log.warning("event-source mapping %s could not invoke %s: %s", mapping.uuid, mapping.function_name,
                        error)
            return Outcome(failed=True)
        body = response.get("Payload") or b""
        return Outcome(payload=body if isinstance(body, bytes) else bytes(body), failed="FunctionError" in response)

    async def start_event_source_mappings(self) -> None:
        """Provider start: finish interrupted transitions and start the enabled mappings' pollers."""
        for mapping in await self._mappings.all():
            if mapping.config["State"] not in esm.TRANSITIONAL:
                mapping.config["State"] = "Enabling" if mapping.enabled else "Disabling"
                await self._mappings.put(mapping)
            await self._settle(mapping.uuid)

    async def stop_event_source_mappings(self) -> None:
        pollers = list(self._pollers.values())
        self._pollers.clear()
        await asyncio.gather(*(p.stop() for p in pollers), return_exceptions=True)

    async def on_function_deleted(self, record: FunctionRecord) -> None:
        for mapping in await self._mappings.all():
            if (mapping.account, mapping.region, mapping.function_name) == (record.account, record.region,
                                                                            record.name):
                await self._mappings.delete(mapping.uuid)
                await self._settle(mapping.uuid)  # stops its poller, finding the mapping gone
        await super().on_function_deleted(record)
