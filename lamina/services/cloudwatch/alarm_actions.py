"""An alarm changing state: the new state saved, a StateUpdate history item, and the actions of
the new state carried out when the alarm's actions are enabled (SNS topics, Lambda functions)."""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson

from lamina.services.cloudwatch import alarm_notification
from lamina.services.cloudwatch.alarm_evaluation import Verdict
from lamina.services.cloudwatch.alarms import AlarmBook
from lamina.services.platform import Platform

log = logging.getLogger("lamina.cloudwatch")
ACTIONS_OF = {"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA": "InsufficientDataActions"}


class AlarmTransitions:
    def __init__(self, platform: Platform, alarms: AlarmBook) -> None:
        self.platform = platform
        self.alarms = alarms

    async def apply(self, alarm: dict[str, Any], verdict: Verdict, reason_data: str | None = None) -> bool:
        """Move the alarm to the verdict's state; returns whether the state changed."""
        now = time.time()
        old = {k: alarm.get(k) for k in ("StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp")}
        data = reason_data if reason_data is not None else orjson.dumps(verdict.reason_data).decode()
        changed = verdict.state != alarm.get("StateValue")
        if not changed:
            return False
        alarm.update(StateValue=verdict.state, StateReason=verdict.reason, StateReasonData=data,
                     StateUpdatedTimestamp=now, StateTransitionedTimestamp=now)
        await self.alarms.save(alarm)
        account, region, name = alarm["_account"], alarm["_region"], alarm["AlarmName"]
        history: dict[str, Any] = {
            "version": "1.0",
            "oldState": {"stateValue": old["StateValue"], "stateReason": old["StateReason"]},
            "newState": {"stateValue": verdict.state, "stateReason": verdict.reason},
        }
        if data:
            history["newState"]["stateReasonData"] = orjson.loads(data) if data.startswith("{") else data
        self.alarms.record(account, region, name, "StateUpdate",
                           f"Alarm updated from {old['StateValue']} to {verdict.state}", history)
        if alarm.get("ActionsEnabled", True):
            for action in alarm.get(ACTIONS_OF[verdict.state]) or ():
                await self._act(alarm, old, action)
        return True

    async def _act(self, alarm: dict[str, Any], old: dict[str, Any], action: str) -> None:
        account, region, name = alarm["_account"], alarm["_region"], alarm["AlarmName"]
        service = action.split(":")[2]
        peer = self.platform.peer(service)
        try:
            if peer is None:
                raise RuntimeError(f"lamina does not serve {service} on this node")
            if service == "sns":
                default = alarm_notification.sns_message(alarm, old["StateValue"], account, region)
                message = orjson.dumps({
                    "default": default, "email-json": default,
                    "email": alarm_notification.email_text(alarm, old["StateValue"], account, region)}).decode()
                await peer.publish_to_topic(action, message, subject=alarm_notification.subject(alarm, region),
                                            message_structure="json")
            else:
                await peer.queue_invocation(action, alarm_notification.lambda_event(alarm, old, account, region),
                                            source={"service": "lambda.alarms.cloudwatch.amazonaws.com",
                                                    "arn": alarm["AlarmArn"], "account": account})
            self.alarms.record(account, region, name, "Action", f"Successfully executed action {action}",
                               {"actionState": "Succeeded", "stateUpdateTimestamp": alarm["StateUpdatedTimestamp"],
                                "notificationResource": action})
        except Exception as error:
            log.warning("alarm %s: action %s failed: %s", name, action, error)
            self.alarms.record(account, region, name, "Action", f"Failed to execute action {action}",
                               {"actionState": "Failed", "stateUpdateTimestamp": alarm["StateUpdatedTimestamp"],
                                "notificationResource": action, "error": str(error)})
