"""The EventBridge API: buses, rules, targets, PutEvents, TestEventPattern and tags.
The rules live in the domain modules; this class reads parameters and shapes answers."""

from __future__ import annotations

import time
from typing import Any

import orjson

from lamina.services.context import CallContext
from lamina.services.events import entries, schedules, target_delivery, targets
from lamina.services.events.buses import BusTable, described
from lamina.services.events.errors import LimitExceededException, ResourceNotFoundException, ValidationException
from lamina.services.events.names import DEFAULT_BUS, bus_name, bus_of_arn, page
from lamina.services.events.routing import Router
from lamina.services.events.rules import RuleTable, checked_pattern, rule_key, shown
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider, Result
from lamina.triggers.event_delivery import EventDeliveries
from lamina.triggers.event_scheduler import EventScheduler

# Fields TestEventPattern requires of the event (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html).
TEST_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


class EventsProvider(Provider):
    service_name = "events"
    ignored_members = {
        "CreateEventBus": {"KmsKeyIdentifier": "events are stored unencrypted by lamina",
                           "DeadLetterConfig": "bus-level dead-letter queues are not used",
                           "LogConfig": "bus logging is not written"},
        "PutRule": {"RoleArn": "targets are called with lamina's own authority"},
        "PutEvents": {"EndpointId": "global endpoints are not served"},
    }
    unsupported_members = {
        "CreateEventBus": {"EventSourceName": "partner event sources are not served"},
    }

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.buses = BusTable(platform.store)
        self.rules = RuleTable(platform.store)
        self.deliveries = EventDeliveries(
            platform.store, lambda d: target_delivery.send(platform, d),
            lambda d, failure, condition, retries: target_delivery.dead_letter(platform, d, failure, condition,
                                                                               retries),
            backoff_start=platform.settings.events_backoff_start)
        self.router = Router(self.rules, self.deliveries)
        self.scheduler = EventScheduler(platform.store, self._fire, platform.settings.schedule_time_scale)

    async def start(self) -> None:
        await self.deliveries.start()
        for rule in await self.rules.all():
            await self._schedule(rule)
        await self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.deliveries.stop()

    # -- buses ------------------------------------------------------------------------------------
    async def create_event_bus(self, ctx: CallContext, params: Params) -> Result:
        bus = await self.buses.create(ctx.account_id, ctx.region, params["Name"], params.get("Description"),
                                      _tags(params.get("Tags")))
        return {k: v for k, v in {"EventBusArn": bus["Arn"], "Description": bus["Description"]}.items() if v}

    async def delete_event_bus(self, ctx: CallContext, params: Params) -> Result:
        name = params["Name"]
        if name == DEFAULT_BUS:
            raise ValidationException("Cannot delete event bus default.")
        for rule in await self.rules.of_bus(ctx.account_id, ctx.region, name):
            await self._forget_rule(rule)
        await self.buses.delete(ctx.account_id, ctx.region, name)
        return None

    async def describe_event_bus(self, ctx: CallContext, params: Params) -> Result:
        return described(await self.buses.get(ctx.account_id, ctx.region, bus_name(params.get("Name"))))

    async def update_event_bus(self, ctx: CallContext, params: Params) -> Result:
        bus = await self.buses.get(ctx.account_id, ctx.region, bus_name(params.get("Name")))
        if params.get("Description") is not None:
            bus["Description"] = params["Description"]
        await self.buses.save(bus)
        return {k: bus[k] for k in ("Arn", "Name", "Description") if bus.get(k) is not None}

    async def list_event_buses(self, ctx: CallContext, params: Params) -> Result:
        buses = await self.buses.listed(ctx.account_id, ctx.region, params.get("NamePrefix") or "")
        shown_buses, token = page([described(b) for b in buses], params.get("NextToken"), params.get("Limit"))
        return {"EventBuses": shown_buses, **({"NextToken": token} if token else {})}

    # -- rules ------------------------------------------------------------------------------------
    async def _bus(self, ctx: CallContext, params: Params) -> str:
        name = bus_name(params.get("EventBusName"))
        await self.buses.get(ctx.account_id, ctx.region, name)
        return name

    async def put_rule(self, ctx: CallContext, params: Params) -> Result:
        bus = await self._bus(ctx, params)
        pattern, expression = params.get("EventPattern"), params.get("ScheduleExpression")
        if not pattern and not expression:
            raise ValidationException("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if expression:
            if bus != DEFAULT_BUS:
                raise ValidationException("ScheduleExpression is supported only on the default event bus.")
            schedules.parse(expression)
        if pattern:
            checked_pattern(pattern)
        rule = await self.rules.find(ctx.account_id, ctx.region, bus, params["Name"])
        if rule is None:
            rule = self.rules.new(ctx.account_id, ctx.region, bus, params["Name"])
        if expression != rule.get("ScheduleExpression"):
            rule["ScheduleAnchor"] = time.time()  # a rate counts from when its schedule was set
        rule.update({"EventPattern": pattern, "ScheduleExpression": expression,
                     "Description": params.get("Description"), "RoleArn": params.get("RoleArn")})
        if params.get("State"):
            rule["State"] = params["State"]
        rule["Tags"].update(_tags(params.get("Tags")))
        await self.rules.save(rule)
        await self._schedule(rule)
        return {"RuleArn": rule["Arn"]}

    async def describe_rule(self, ctx: CallContext, params: Params) -> Result:
        bus = await self._bus(ctx, params)
        return shown(await self.rules.get(ctx.account_id, ctx.region, bus, params["Name"]))

    async def list_rules(self, ctx: CallContext, params: Params) -> Result:
        bus = await self._bus(ctx, params)
        prefix = params.get("NamePrefix") or ""
        rules = [shown(r) for r in await self.rules.of_bus(ctx.account_id, ctx.region, bus)
                 if r["Name"].startswith(prefix)]
        listed, token = page(rules, params.get("NextToken"), params.get("Limit"))
        return {"Rules": listed, **({"NextToken": token} if token else {})}

    async def delete_rule(self, ctx: CallContext, params: Params) -> Result:
        bus = await self._bus(ctx, params)
        rule = await self.rules.find(ctx.account_id, ctx.region, bus, params["Name"])
        if rule is None:
            return None  # deleting a rule that is not there succeeds, as in AWS
        if rule["Targets"] and not params.get("Force"):
            raise ValidationException("Rule can't be deleted since it has targets.")
        await self._forget_rule(rule)
        return None

    async def _forget_rule(self, rule: dict[str, Any]) -> None:
        await self.rules.delete(rule)
        await self.scheduler.set(rule_key(rule["Account"], rule["Region"], rule["EventBusName"], rule["Name"]),
                                 None, 0.0)

    async def _set_state(self, ctx: CallContext, params: Params, state: str) -> Result:
        bus = await self._bus(ctx, params)
        rule = await self.rules.get(ctx.account_id, ctx.region, bus, params["Name"])
        rule["State"] = state
        await self.rules.save(rule)
        await self._schedule(rule)
        return None

    async def enable_rule(self, ctx: CallContext, params: Params) -> Result:
        return await self._set_state(ctx, params, "ENABLED")

    async def disable_rule(self, ctx: CallContext, params: Params) -> Result:
        return await self._set_state(ctx, params, "DISABLED")

    async def test_event_pattern(self, ctx: CallContext, params: Params) -> Result:
        pattern = checked_pattern(params["EventPattern"])
        try:
            event = orjson.loads(params["Event"])
        except orjson.JSONDecodeError:
            raise ValidationException("Parameter Event is not valid.") from None
        if not isinstance(event, dict) or any(field not in event for field in TEST_EVENT_FIELDS):
            raise ValidationException("Parameter Event is not valid.")
        return {"Result": pattern.matches(event)}

    # -- targets ----------------------------------------------------------------------------------
    async def put_targets(self, ctx: CallContext, params: Params) -> Result:
        bus = await self._bus(ctx, params)
        rule = await self.rules.get(ctx.account_id, ctx.region, bus, params["Rule"])
        current = {t["Id"]: t for t in rule["Targets"]}
        failed = []
        for target in params["Targets"]:
            problem = targets.check(target)
            if problem:
                failed.append({"TargetId": target["Id"], "ErrorCode": "ValidationException", "ErrorMessage": problem})
            else:
                current[target["Id"]] = {k: v for k, v in target.items() if v is not None}
        if len(current) > targets.MAX_TARGETS:
            raise LimitExceededException("The requested resource exceeds the maximum number allowed.")
        rule["Targets"] = list(current.values())
        await self.rules.save(rule)
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    async def remove_targets(self, ctx: CallContext, params: Params) -> Result:
        bus = await self._bus(ctx, params)
        rule = await self.rules.get(ctx.account_id, ctx.region, bus, params["Rule"])
        removed = set(params["Ids"])
        rule["Targets"] = [t for t in rule["Targets"] if t["Id"] not in removed]
        await self.rules.save(rule)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    async def list_targets_by_rule(self, ctx: CallContext, params: Params) -> Result:
        bus = await self._bus(ctx, params)
        rule = await self.rules.get(ctx.account_id, ctx.region, bus, params["Rule"])
        listed, token = page(rule["Targets"], params.get("NextToken"), params.get("Limit"))
        return {"Targets": listed, **({"NextToken": token} if token else {})}

    async def list_rule_names_by_target(self, ctx: CallContext, params: Params) -> Result:
        bus = await self._bus(ctx, params)
        names = [r["Name"] for r in await self.rules.of_bus(ctx.account_id, ctx.region, bus)
                 if any(t["Arn"] == params["TargetArn"] for t in r["Targets"])]
        listed, token = page(names, params.get("NextToken"), params.get("Limit"))
        return {"RuleNames": listed, **({"NextToken": token} if token else {})}

    # -- events -----------------------------------------------------------------------------------
    async def put_events(self, ctx: CallContext, params: Params) -> Result:
        entries.check_size(params["Entries"])
        results = await self.publish(ctx.account_id, ctx.region, params["Entries"], trusted=False)
        return {"FailedEntryCount": sum(1 for r in results if "ErrorCode" in r), "Entries": results}

    async def publish(self, account: str, region: str, given: list[dict[str, Any]], *,
                      trusted: bool) -> list[dict[str, Any]]:
        """Check, envelope and route entries (each names its bus); PutEvents' per-entry results."""
        results: list[dict[str, Any]] = []
        by_bus: dict[str, list[dict[str, Any]]] = {}
        for entry in given:
            checked = entries.check(entry, trusted=trusted)
            if isinstance(checked, entries.Rejected):
                results.append(checked.result())
                continue
            try:
                bus = bus_name(entry.get("EventBusName"))
            except ValidationException as error:
                results.append({"ErrorCode": "ValidationException", "ErrorMessage": error.message})
                continue
            if not await self.buses.exists(account, region, bus):
                results.append({"ErrorCode": "ResourceNotFoundException",
                                "ErrorMessage": f"Event bus {bus} does not exist."})
                continue
            event = entries.envelope(entry, checked, account, region)
            by_bus.setdefault(bus, []).append(event)
            results.append({"EventId": event["id"]})
        for bus, events in by_bus.items():
            await self.router.route(account, region, bus, events)
        return results

    async def put_events_to_bus(self, bus_arn: str, given: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The EventPutter interface (rule targets, destinations, lamina's API activity)."""
        region, account, name = bus_of_arn(bus_arn)
        return await self.publish(account, region, [{**e, "EventBusName": name} for e in given], trusted=True)

    # -- schedules --------------------------------------------------------------------------------
    async def _schedule(self, rule: dict[str, Any]) -> None:
        key = rule_key(rule["Account"], rule["Region"], rule["EventBusName"], rule["Name"])
        expression = rule.get("ScheduleExpression")
        active = expression and rule["State"].startswith("ENABLED")
        await self.scheduler.set(key, schedules.parse(expression) if active else None,
                                 rule.get("ScheduleAnchor", 0.0))

    async def _fire(self, key: str, scheduled: float) -> None:
        rule = await self.rules.by_key(key)
        if rule is None:
            return
        # The documented Scheduled Event (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html).
        event = entries.envelope({"Source": "aws.events", "DetailType": "Scheduled Event", "Time": scheduled,
                                  "Resources": [rule["Arn"]]}, {}, rule["Account"], rule["Region"])
        await self.router.route_to_rule(rule, event)

    # -- tags -------------------------------------------------------------------------------------
    async def _tagged(self, arn: str) -> tuple[dict[str, Any], Any]:
        if ":rule/" in arn:
            rule = await self.rules.by_arn(arn)
            if rule is not None:
                return rule, self.rules.save
        elif ":event-bus/" in arn:
            region, account, name = bus_of_arn(arn)
            bus = await self.buses.find(account, region, name)
            if bus is not None:
                return bus, self.buses.save
        raise ResourceNotFoundException(f"Resource {arn} does not exist.")

    async def tag_resource(self, ctx: CallContext, params: Params) -> Result:
        resource, save = await self._tagged(params["ResourceARN"])
        resource["Tags"].update(_tags(params["Tags"]))
        await save(resource)
        return None

    async def untag_resource(self, ctx: CallContext, params: Params) -> Result:
        resource, save = await self._tagged(params["ResourceARN"])
        for key in params["TagKeys"]:
            resource["Tags"].pop(key, None)
        await save(resource)
        return None

    async def list_tags_for_resource(self, ctx: CallContext, params: Params) -> Result:
        resource, _ = await self._tagged(params["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in resource["Tags"].items()]}


def _tags(given: list[dict[str, str]] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in given or []}
