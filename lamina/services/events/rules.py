"""Rules in the store, and the compiled patterns of each bus's enabled rules.

A rule record holds its targets too: a rule has at most five, and keeping them together makes
PutTargets and DeleteRule single writes. Matching reads an in-memory index of each bus's
enabled pattern rules, compiled once and rebuilt after any write to that bus's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamina.patterns import EventPattern, InvalidPattern, compile_pattern
from lamina.services.events.errors import InvalidEventPatternException, ResourceNotFoundException
from lamina.services.events.names import DEFAULT_BUS, rule_arn
from lamina.store import Store

TABLE = "events:rules"
SHOWN = ("Name", "Arn", "EventPattern", "ScheduleExpression", "State", "Description", "RoleArn", "ManagedBy",
         "EventBusName", "CreatedBy")


def _bus_prefix(account: str, region: str, bus: str) -> str:
    # "|" appears in no bus or rule name, so one bus's prefix never covers another's rules.
    return f"{account}/{region}/{bus}|"


def rule_key(account: str, region: str, bus: str, name: str) -> str:
    return _bus_prefix(account, region, bus) + name


def key_of_arn(arn: str) -> str | None:
    """The store key of a rule ARN (rule/<name> on the default bus, rule/<bus>/<name> otherwise)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "events" or not parts[5].startswith("rule/"):
        return None
    bus, _, name = parts[5][len("rule/"):].rpartition("/")
    return rule_key(parts[4], parts[3], bus or DEFAULT_BUS, name)


def shown(rule: dict[str, Any]) -> dict[str, Any]:
    return {k: rule[k] for k in SHOWN if rule.get(k) is not None}


def checked_pattern(text: str) -> EventPattern:
    try:
        return compile_pattern(text)
    except InvalidPattern as error:
        raise InvalidEventPatternException(str(error)) from None


@dataclass(frozen=True, slots=True)
class MatchingRule:
    rule: dict[str, Any]
    pattern: EventPattern


class RuleTable:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._index: dict[str, list[MatchingRule]] = {}  # bus prefix -> its enabled pattern rules
        self._changes = 0  # an index built while a rule changed is not kept (its scan may predate the change)

    def new(self, account: str, region: str, bus: str, name: str) -> dict[str, Any]:
        return {"Name": name, "Arn": rule_arn(region, account, bus, name), "EventBusName": bus, "State": "ENABLED",
                "CreatedBy": account, "Account": account, "Region": region, "Tags": {}, "Targets": []}

    async def find(self, account: str, region: str, bus: str, name: str) -> dict[str, Any] | None:
        record = await self.store.get(TABLE, rule_key(account, region, bus, name))
        return None if record is None else record.value

    async def get(self, account: str, region: str, bus: str, name: str) -> dict[str, Any]:
        rule = await self.find(account, region, bus, name)
        if rule is None:
            raise ResourceNotFoundException(f"Rule {name} does not exist on EventBus {bus}.")
        return rule

    async def by_key(self, key: str) -> dict[str, Any] | None:
        record = await self.store.get(TABLE, key)
        return None if record is None else record.value

    async def by_arn(self, arn: str) -> dict[str, Any] | None:
        key = key_of_arn(arn)
        record = None if key is None else await self.store.get(TABLE, key)
        return None if record is None else record.value

    async def save(self, rule: dict[str, Any]) -> None:
        await self.store.put(TABLE, rule_key(rule["Account"], rule["Region"], rule["EventBusName"], rule["Name"]),
                             rule)
        self._forget(rule)

    async def delete(self, rule: dict[str, Any]) -> None:
        await self.store.delete(TABLE, rule_key(rule["Account"], rule["Region"], rule["EventBusName"], rule["Name"]))
        self._forget(rule)

    def _forget(self, rule: dict[str, Any]) -> None:
        self._changes += 1
        self._index.pop(_bus_prefix(rule["Account"], rule["Region"], rule["EventBusName"]), None)

    async def of_bus(self, account: str, region: str, bus: str) -> list[dict[str, Any]]:
        return [r.value for r in await self.store.scan(TABLE, _bus_prefix(account, region, bus))]

    async def all(self) -> list[dict[str, Any]]:
        return [r.value for r in await self.store.scan(TABLE)]

    async def matching(self, account: str, region: str, bus: str) -> list[MatchingRule]:
        """The bus's enabled rules that have a pattern, compiled (cached until a rule of the bus changes)."""
        prefix = _bus_prefix(account, region, bus)
        rules = self._index.get(prefix)
        if rules is None:
            changes = self._changes
            # ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is an enabled state too.
            rules = [MatchingRule(rule, compile_pattern(rule["EventPattern"]))
                     for rule in await self.of_bus(account, region, bus)
                     if rule.get("EventPattern") and rule["State"].startswith("ENABLED")]
            if changes == self._changes:
                self._index[prefix] = rules
        return rules
