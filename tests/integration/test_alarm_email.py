"""The health-check story end to end: a failing function, an alarm on its Errors metric, an e-mail
through SNS to a real SMTP server, and unsubscribing stopping the mail."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from tests.functions import ROLE, python_zip, unique_name
from tests.lamina_server import LaminaServer
from tests.smtp_sink import SmtpSink

FAILING = """
def handler(event, context):
    raise RuntimeError("health check failed")
"""
OPS, AUDIT, MACHINE = "ops@example.com", "audit@example.com", "robot@example.com"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    smtp = SmtpSink().start()
    try:
        yield smtp
    finally:
        smtp.stop()


@pytest.fixture
def mail_server(tmp_path: Path, sink: SmtpSink) -> Iterator[LaminaServer]:
    node = LaminaServer(tmp_path / "data", extra_env=sink.env())
    try:
        node.start().create_role()
        yield node
    finally:
        node.stop()


def _link(message, kind: str) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"(http://\S+Action=" + kind + r"\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def _subscribe_by_mail(sns, sink: SmtpSink, topic: str, address: str,  # type: ignore[no-untyped-def]
                       protocol: str = "email") -> None:
    assert sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=address)["SubscriptionArn"] == \
        "pending confirmation"
    mails = sink.wait_for(lambda ms: any(m["To"] == address for m in ms))
    confirmation = next(m for m in mails if m["To"] == address)
    assert confirmation["Subject"] == "AWS Notification - Subscription Confirmation"
    with urllib.request.urlopen(_link(confirmation, "ConfirmSubscription")) as response:
        assert response.status == 200
        assert b"<SubscriptionArn>" + topic.encode() in response.read()


def _alarm_mails(sink: SmtpSink, address: str, name: str) -> list:  # type: ignore[type-arg]
    return [m for m in sink.to(address) if m["Subject"] == f'ALARM: "{name}" in US East (N. Virginia)']


def test_failing_function_alarm_mails_until_unsubscribed(mail_server: LaminaServer, sink: SmtpSink) -> None:
    sns, lam, cw = mail_server.client("sns"), mail_server.client("lambda"), mail_server.client("cloudwatch")
    topic = sns.create_topic(Name="health-alerts")["TopicArn"]
    _subscribe_by_mail(sns, sink, topic, OPS)
    _subscribe_by_mail(sns, sink, topic, AUDIT)
    _subscribe_by_mail(sns, sink, topic, MACHINE, protocol="email-json")
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted(s["Endpoint"] for s in listed if s["SubscriptionArn"].startswith(topic)) == [AUDIT, OPS, MACHINE]

    function = unique_name("health")
    lam.create_function(FunctionName=function, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip(FAILING)})
    lam.get_waiter("function_active_v2").wait(FunctionName=function, WaiterConfig={"Delay": 1})
    alarm = f"{function}-errors"
    cw.put_metric_alarm(AlarmName=alarm, Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
                        Dimensions=[{"Name": "FunctionName", "Value": function}], Period=60, EvaluationPeriods=1,
                        Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic])
    assert cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"] == "INSUFFICIENT_DATA"

    assert lam.invoke(FunctionName=function, Payload=b"{}")["FunctionError"] == "Unhandled"
    sink.wait_for(lambda ms: _alarm_mails(sink, OPS, alarm) and _alarm_mails(sink, AUDIT, alarm))
    mail = _alarm_mails(sink, OPS, alarm)[0]
    body = mail.get_content()
    assert f'your Amazon CloudWatch Alarm "{alarm}" in the US East (N. Virginia) region has entered the ALARM ' \
           "state" in body
    assert "Threshold Crossed: 1 datapoint [1.0" in body and f"FunctionName = {function}" in body
    assert "INSUFFICIENT_DATA -> ALARM" in body

    # email-json carries the JSON body CloudWatch publishes, inside the SNS notification.
    sink.wait_for(lambda ms: _alarm_mails(sink, MACHINE, alarm))
    notification = json.loads(_alarm_mails(sink, MACHINE, alarm)[0].get_content())
    assert notification["Type"] == "Notification" and notification["TopicArn"] == topic
    alarm_body = json.loads(notification["Message"])
    assert (alarm_body["AlarmName"], alarm_body["OldStateValue"], alarm_body["NewStateValue"]) == (
        alarm, "INSUFFICIENT_DATA", "ALARM")
    assert alarm_body["Region"] == "US East (N. Virginia)" and alarm_body["AlarmActions"] == [topic]
    assert alarm_body["Trigger"]["MetricName"] == "Errors" and alarm_body["Trigger"]["Statistic"] == "SUM"
    assert alarm_body["Trigger"]["Dimensions"] == [{"value": function, "name": "FunctionName"}]

    described = cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]
    assert described["StateValue"] == "ALARM"
    assert json.loads(described["StateReasonData"])["recentDatapoints"] == [1.0]
    history = cw.describe_alarm_history(AlarmName=alarm)["AlarmHistoryItems"]
    kinds = [(h["HistoryItemType"], h["HistorySummary"]) for h in history]
    assert ("StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM") in kinds
    assert ("Action", f"Successfully executed action {topic}") in kinds

    # Unsubscribe with the link in the mail; the next alarm reaches only the other address.
    with urllib.request.urlopen(_link(mail, "Unsubscribe")) as response:
        assert response.status == 200
    assert sorted(s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == [
        AUDIT, MACHINE]
    cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="reset by the test")
    lam.invoke(FunctionName=function, Payload=b"{}")
    sink.wait_for(lambda ms: len(_alarm_mails(sink, AUDIT, alarm)) == 2)
    assert len(_alarm_mails(sink, OPS, alarm)) == 1
