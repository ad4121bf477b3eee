"""Events to targets: match each event against its bus's enabled rules and queue one durable
delivery per (event, target), with the target's input already rendered, as EventBridge does
when it accepts an event (later rule changes do not alter accepted deliveries)."""

from __future__ import annotations

import time
from typing import Any

from lamina.services.events import targets
from lamina.services.events.rules import RuleTable
from lamina.triggers.event_delivery import EventDeliveries


def deliveries_for(rule: dict[str, Any], event: dict[str, Any], ingested: float) -> list[dict[str, Any]]:
    """One delivery per target of ``rule``."""
    out = []
    for target in rule["Targets"]:
        delivery: dict[str, Any] = {
            "arn": target["Arn"], "input": targets.render(target, event, rule, ingested), "rule": rule["Arn"],
            "account": rule["Account"], "region": rule["Region"], "event": event, "received": ingested}
        if target.get("RetryPolicy"):
            delivery["retry"] = target["RetryPolicy"]
        if (target.get("DeadLetterConfig") or {}).get("Arn"):
            delivery["dlq"] = target["DeadLetterConfig"]["Arn"]
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            delivery["group"] = group
        out.append(delivery)
    return out


class Router:
    def __init__(self, rules: RuleTable, deliveries: EventDeliveries) -> None:
        self.rules = rules
        self.deliveries = deliveries

    async def may_route(self, account: str, region: str, bus: str, known: dict[str, Any]) -> bool:
        """Whether some enabled rule could match an event with these top-level fields."""
        return any(candidate.pattern.may_match(known) for candidate in await self.rules.matching(account, region, bus))

    async def route(self, account: str, region: str, bus: str, events: list[dict[str, Any]]) -> int:
        """Queue the deliveries of events put on a bus; returns how many were queued."""
        matching = await self.rules.matching(account, region, bus)
        if not matching:
            return 0
        now = time.time()
        out: list[dict[str, Any]] = []
        for event in events:
            for candidate in matching:
                if candidate.pattern.matches(event):
                    out.extend(deliveries_for(candidate.rule, event, now))
        await self.deliveries.enqueue(out)
        return len(out)

    async def route_to_rule(self, rule: dict[str, Any], event: dict[str, Any]) -> None:
        """A scheduled event goes to its own rule's targets only."""
        await self.deliveries.enqueue(deliveries_for(rule, event, time.time()))
