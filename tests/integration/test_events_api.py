"""EventBridge's API with boto3 and the AWS CLI: buses, rules, targets, tags, TestEventPattern,
PutEvents validation, and that all of it survives a restart
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.functions import unique_name
from tests.lamina_server import LaminaServer

PATTERN = json.dumps({"source": ["my.app"]})
QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:some-queue"


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def _aws(server: LaminaServer, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "awscli", *args, "--output", "json"],
                            env={**os.environ, **server.env()}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_buses(server: LaminaServer) -> None:
    events = server.client("events")
    names = [b["Name"] for b in events.list_event_buses()["EventBuses"]]
    assert "default" in names
    name = unique_name("bus")
    arn = events.create_event_bus(Name=name, Description="orders")["EventBusArn"]
    assert arn == f"arn:aws:events:us-east-1:000000000000:event-bus/{name}"
    described = events.describe_event_bus(Name=name)
    assert (described["Name"], described["Arn"], described["Description"]) == (name, arn, "orders")
    assert events.describe_event_bus(Name=arn)["Name"] == name  # a name or an ARN
    assert [b["Name"] for b in events.list_event_buses(NamePrefix=name)["EventBuses"]] == [name]
    with pytest.raises(ClientError) as exists:
        events.create_event_bus(Name=name)
    assert _code(exists) == ("ResourceAlreadyExistsException", f"Event bus {name} already exists.")
    with pytest.raises(ClientError) as default:
        events.delete_event_bus(Name="default")
    assert _code(default)[0] == "ValidationException"
    events.delete_event_bus(Name=name)
    with pytest.raises(ClientError) as gone:
        events.describe_event_bus(Name=name)
    assert _code(gone) == ("ResourceNotFoundException", f"Event bus {name} does not exist.")


def test_rules_and_their_errors(server: LaminaServer) -> None:
    events = server.client("events")
    name = unique_name("rule")
    arn = events.put_rule(Name=name, EventPattern=PATTERN, Description="d")["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:000000000000:rule/{name}"
    rule = events.describe_rule(Name=name)
    assert (rule["State"], rule["EventPattern"], rule["EventBusName"], rule["Description"]) == \
        ("ENABLED", PATTERN, "default", "d")
    events.disable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "DISABLED"
    events.enable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "ENABLED"

    second = unique_name("rule")
    events.put_rule(Name=second, ScheduleExpression="rate(5 minutes)", State="DISABLED")
    first_page = events.list_rules(NamePrefix="rule", Limit=1)
    assert len(first_page["Rules"]) == 1 and "NextToken" in first_page
    listed = {r["Name"] for r in events.list_rules(NamePrefix="rule")["Rules"]}
    assert {name, second} <= listed

    bus = unique_name("bus")
    events.create_event_bus(Name=bus)
    on_bus = events.put_rule(Name=name, EventBusName=bus, EventPattern=PATTERN)["RuleArn"]
    assert on_bus == f"arn:aws:events:us-east-1:000000000000:rule/{bus}/{name}"
    assert [r["Name"] for r in events.list_rules(EventBusName=bus)["Rules"]] == [name]

    cases = [
        (lambda: events.put_rule(Name="x", EventPattern='{"source": "my.app"}'), "InvalidEventPatternException"),
        (lambda: events.put_rule(Name="x", EventPattern="[1]"), "InvalidEventPatternException"),
        (lambda: events.put_rule(Name="x"), "ValidationException"),
        (lambda: events.put_rule(Name="x", ScheduleExpression="rate(1 minutes)"), "ValidationException"),
        (lambda: events.put_rule(Name="x", ScheduleExpression="cron(0 10 * * * *)"), "ValidationException"),
        (lambda: events.put_rule(Name="x", EventBusName=bus, ScheduleExpression="rate(1 hour)"),
         "ValidationException"),
        (lambda: events.put_rule(Name="x", EventBusName="no-such-bus", EventPattern=PATTERN),
         "ResourceNotFoundException"),
        (lambda: events.describe_rule(Name="no-such-rule"), "ResourceNotFoundException"),
        (lambda: events.enable_rule(Name="no-such-rule"), "ResourceNotFoundException"),
        (lambda: events.put_rule(Name="bad name!", EventPattern=PATTERN), "ValidationException"),
    ]
    for call, code in cases:
        with pytest.raises(ClientError) as raised:
            call()
        assert _code(raised)[0] == code
    with pytest.raises(ClientError) as missing:
        events.describe_rule(Name="no-such-rule")
    assert _code(missing)[1] == "Rule no-such-rule does not exist on EventBus default."
    events.delete_rule(Name="no-such-rule")  # deleting what is not there succeeds


def test_targets(server: LaminaServer) -> None:
    events = server.client("events")
    name = unique_name("rule")
    events.put_rule(Name=name, EventPattern=PATTERN)
    result = events.put_targets(Rule=name, Targets=[
        {"Id": "q", "Arn": QUEUE_ARN, "InputPath": "$.detail",
         "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120}},
        {"Id": "k", "Arn": "arn:aws:kinesis:us-east-1:000000000000:stream/s"}])
    assert result["FailedEntryCount"] == 1
    assert result["FailedEntries"][0]["TargetId"] == "k"
    assert events.list_targets_by_rule(Rule=name)["Targets"] == [
        {"Id": "q", "Arn": QUEUE_ARN, "InputPath": "$.detail",
         "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120}}]
    assert name in events.list_rule_names_by_target(TargetArn=QUEUE_ARN)["RuleNames"]
    with pytest.raises(ClientError) as both:
        events.put_targets(Rule=name, Targets=[{"Id": "x", "Arn": QUEUE_ARN, "Input": "{}", "InputPath": "$"}])
    assert _code(both)[0] == "ValidationException"
    with pytest.raises(ClientError) as too_many:
        events.put_targets(Rule=name, Targets=[{"Id": f"t{i}", "Arn": QUEUE_ARN} for i in range(5)])
    assert _code(too_many)[0] == "LimitExceededException"
    with pytest.raises(ClientError) as no_rule:
        events.put_targets(Rule="no-such-rule", Targets=[{"Id": "q", "Arn": QUEUE_ARN}])
    assert _code(no_rule)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as has_targets:
        events.delete_rule(Name=name)
    assert _code(has_targets) == ("ValidationException", "Rule can't be deleted since it has targets.")
    events.remove_targets(Rule=name, Ids=["q"])
    assert events.list_targets_by_rule(Rule=name)["Targets"] == []
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": QUEUE_ARN}])
    events.delete_rule(Name=name, Force=True)
    with pytest.raises(ClientError):
        events.describe_rule(Name=name)


def test_tags(server: LaminaServer) -> None:
    events = server.client("events")
    arn = events.put_rule(Name=unique_name("rule"), EventPattern=PATTERN, Tags=[{"Key": "a", "Value": "1"}])["RuleArn"]
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": "b", "Value": "2"}])
    events.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as missing:
        events.list_tags_for_resource(ResourceARN="arn:aws:events:us-east-1:000000000000:rule/none")
    assert _code(missing)[0] == "ResourceNotFoundException"


def test_test_event_pattern(server: LaminaServer) -> None:
    events = server.client("events")
    event = json.dumps({"id": "1", "account": "000000000000", "source": "my.app", "time": "2026-01-01T00:00:00Z",
                        "region": "us-east-1", "detail-type": "t", "detail": {"n": 7}})
    pattern = json.dumps({"source": ["my.app"], "detail": {"n": [{"numeric": [">", 5]}]}})
    assert events.test_event_pattern(EventPattern=pattern, Event=event)["Result"] is True
    pattern = json.dumps({"detail": {"n": [{"numeric": ["<", 5]}]}})
    assert events.test_event_pattern(EventPattern=pattern, Event=event)["Result"] is False
    with pytest.raises(ClientError) as bad_event:
        events.test_event_pattern(EventPattern=pattern, Event='{"source": "my.app"}')
    assert _code(bad_event)[0] == "ValidationException"
    with pytest.raises(ClientError) as bad_pattern:
        events.test_event_pattern(EventPattern='{"n": [{"numeric": [">", "x"]}]}', Event=event)
    assert _code(bad_pattern) == ("InvalidEventPatternException",
                                  "Event pattern is not valid. Reason: Value of > must be numeric")


def test_put_events_validates_each_entry(server: LaminaServer) -> None:
    events = server.client("events")
    result = events.put_events(Entries=[
        {"Source": "my.app", "DetailType": "ok", "Detail": "{}"},
        {"Source": "my.app", "DetailType": "no detail"},
        {"Source": "my.app", "DetailType": "array", "Detail": "[1]"},
        {"Source": "aws.ec2", "DetailType": "reserved", "Detail": "{}"},
        {"Source": "my.app", "DetailType": "no bus", "Detail": "{}", "EventBusName": "no-such-bus"},
    ])
    assert result["FailedEntryCount"] == 4
    entries = result["Entries"]
    assert set(entries[0]) == {"EventId"}
    assert [e.get("ErrorCode") for e in entries[1:]] == [
        "InvalidArgument", "MalformedDetail", "NotAuthorizedForSourceException", "ResourceNotFoundException"]
    assert entries[1]["ErrorMessage"] == "Parameter Detail is not valid. Reason: Detail is a required argument."
    with pytest.raises(ClientError) as too_big:  # 256 KB over all entries
        events.put_events(Entries=[{"Source": "my.app", "DetailType": "big",
                                    "Detail": json.dumps({"x": "y" * 70_000})} for _ in range(4)])
    assert _code(too_big)[0] == "ValidationException"
    with pytest.raises(ClientError) as too_many:
        events.put_events(Entries=[{"Source": "my.app", "DetailType": "t", "Detail": "{}"}] * 11)
    assert _code(too_many)[0] == "ValidationException"


def test_with_the_aws_cli(server: LaminaServer) -> None:
    name = unique_name("cli")
    arn = _aws(server, "events", "put-rule", "--name", name, "--event-pattern", PATTERN)["RuleArn"]
    assert arn.endswith(f":rule/{name}")
    _aws(server, "events", "put-targets", "--rule", name, "--targets", f"Id=q,Arn={QUEUE_ARN}")
    assert _aws(server, "events", "list-targets-by-rule", "--rule", name)["Targets"] == [
        {"Id": "q", "Arn": QUEUE_ARN}]
    assert name in [r["Name"] for r in _aws(server, "events", "list-rules", "--name-prefix", name)["Rules"]]
    put = _aws(server, "events", "put-events", "--entries",
               json.dumps([{"Source": "my.app", "DetailType": "cli", "Detail": '{"a": 1}'}]))
    assert put["FailedEntryCount"] == 0 and put["Entries"][0]["EventId"]
    result = subprocess.run([sys.executable, "-m", "awscli", "events", "describe-rule", "--name", "missing"],
                            env={**os.environ, **server.env()}, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "ResourceNotFoundException" in result.stderr


def test_buses_rules_and_targets_survive_a_restart(tmp_path: Path) -> None:
    node = LaminaServer(tmp_path / "data").start()
    try:
        events = node.client("events")
        events.create_event_bus(Name="kept")
        events.put_rule(Name="kept-rule", EventBusName="kept", EventPattern=PATTERN)
        events.put_targets(Rule="kept-rule", EventBusName="kept", Targets=[{"Id": "q", "Arn": QUEUE_ARN}])
        node.kill()  # kill -9: acknowledged writes are on disk
        node.start()
        events = node.client("events")
        assert events.describe_event_bus(Name="kept")["Name"] == "kept"
        assert events.describe_rule(Name="kept-rule", EventBusName="kept")["EventPattern"] == PATTERN
        assert events.list_targets_by_rule(Rule="kept-rule", EventBusName="kept")["Targets"] == [
            {"Id": "q", "Arn": QUEUE_ARN}]
    finally:
        node.stop()
