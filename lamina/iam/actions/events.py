"""Amazon EventBridge (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html).

A rule is ``arn:aws:events:<region>:<account>:rule/<name>`` on the default bus and
``rule/<bus>/<name>`` on another; a bus is ``event-bus/<name>``. PutEvents is authorized on the
bus its entries go to.
"""

from __future__ import annotations

from lamina.iam.actions.table import Op, Params, ServiceActions, Where, any_resource, given_arn

SERVICE = "events"


def _bus_name(value: object) -> str:
    name = str(value or "default")
    return name.rsplit("/", 1)[-1] if name.startswith("arn:") else name


def rule(member: str):  # type: ignore[no-untyped-def]
    def build(params: Params, where: Where) -> str:
        bus = _bus_name(params.get("EventBusName"))
        path = f"rule/{params[member]}" if bus == "default" else f"rule/{bus}/{params[member]}"
        return where.arn("events", path)
    return build


def bus(params: Params, where: Where) -> str:
    name = params.get("EventBusName") or params.get("Name")
    if isinstance(name, str) and name.startswith("arn:"):
        return name
    return where.arn("events", f"event-bus/{_bus_name(name)}")


def bus_of_entries(params: Params, where: Where) -> str:
    entries = params.get("Entries") or [{}]
    return bus({"EventBusName": entries[0].get("EventBusName")}, where)


_BUS = Op(resource=bus)

TABLE = ServiceActions(
    service=SERVICE,
    prefix="events",
    resources=(("Rule", rule("Rule")), ("ResourceARN", given_arn("ResourceARN"))),
    operations={
        "PutRule": Op(resource=rule("Name")), "DescribeRule": Op(resource=rule("Name")),
        "DeleteRule": Op(resource=rule("Name")), "EnableRule": Op(resource=rule("Name")),
        "DisableRule": Op(resource=rule("Name")),
        "PutEvents": Op(resource=bus_of_entries),
        "CreateEventBus": _BUS, "DescribeEventBus": _BUS, "DeleteEventBus": _BUS, "UpdateEventBus": _BUS,
        "PutPermission": _BUS, "RemovePermission": _BUS,
        "ListRules": Op(resource=any_resource), "ListEventBuses": Op(resource=any_resource),
    },
)
