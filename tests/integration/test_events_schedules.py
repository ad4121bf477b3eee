"""Scheduled rules fire the documented "Scheduled Event" on time
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html), tested on a
clock 60 times faster than real time (LAMINA_SCHEDULE_TIME_SCALE=60: a schedule minute is a second)."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.functions import unique_name
from tests.lamina_server import LaminaServer

SCALE = {"LAMINA_SCHEDULE_TIME_SCALE": "60"}


def _queue(node: LaminaServer) -> tuple[str, str]:
    """A queue the account's rules may send to (its policy lets events.amazonaws.com, as AWS requires)."""
    sqs = node.client("sqs")
    url = sqs.create_queue(QueueName=unique_name("ticks"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
                       "Resource": arn}]})})
    return url, arn


def _receive(node: LaminaServer, url: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    sqs = node.client("sqs")
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       MessageSystemAttributeNames=["SentTimestamp"]).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        got += messages
    assert len(got) >= count, got
    return got


def _seconds(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()


def test_a_rate_rule_fires_on_time_and_not_twice_across_a_restart(tmp_path: Path) -> None:
    node = LaminaServer(tmp_path / "data", extra_env=SCALE).start()
    try:
        events = node.client("events")
        url, queue_arn = _queue(node)
        created = time.time()
        rule_arn = events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")["RuleArn"]
        events.put_targets(Rule="every-minute", Targets=[{"Id": "q", "Arn": queue_arn}])
        messages = _receive(node, url, 3)[:3]
        fired = [json.loads(m["Body"]) for m in messages]
        for event in fired:
            assert (event["detail-type"], event["source"], event["resources"], event["detail"]) == \
                ("Scheduled Event", "aws.events", [rule_arn], {})
        times = [_seconds(e) for e in fired]
        assert [b - a for a, b in zip(times, times[1:])] == [60.0, 60.0]  # no drift
        for k, message in enumerate(messages, start=1):  # the k-th firing one (real) second after the k-1-th
            sent = int(message["Attributes"]["SentTimestamp"]) / 1000
            assert abs(sent - (created + k)) < 0.6, (k, sent - created)

        node.stop()
        node.start()
        after = [json.loads(m["Body"]) for m in _receive(node, url, 2)]
        all_times = times + [_seconds(e) for e in after]
        assert len(set(all_times)) == len(all_times)  # no scheduled time fired twice
        assert min(_seconds(e) for e in after) > max(times)
    finally:
        node.stop()


def test_a_cron_rule_fires_at_the_top_of_each_minute(tmp_path: Path) -> None:
    node = LaminaServer(tmp_path / "data", extra_env=SCALE).start()
    try:
        events = node.client("events")
        url, queue_arn = _queue(node)
        events.put_rule(Name="each-minute", ScheduleExpression="cron(* * * * ? *)")
        events.put_targets(Rule="each-minute", Targets=[{"Id": "q", "Arn": queue_arn,
                                                         "Input": '{"kind": "tick"}'}])
        url_events, full_arn = _queue(node)
        events.put_targets(Rule="each-minute", Targets=[{"Id": "full", "Arn": full_arn}])
        assert json.loads(_receive(node, url, 1)[0]["Body"]) == {"kind": "tick"}  # Input replaces the event
        fired = [json.loads(m["Body"]) for m in _receive(node, url_events, 2)[:2]]
        times = [_seconds(e) for e in fired]
        assert all(t % 60 == 0 for t in times) and times[1] - times[0] == 60
    finally:
        node.stop()
