"""Target input: Input, InputPath and InputTransformer as
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html shows them."""

from __future__ import annotations

import json

import pytest

from lamina.services.events import targets
from lamina.services.events.errors import ValidationException

EVENT = {"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
         "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "account": "123456789012",
         "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
         "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
         "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "sizes": [1, 2]}}
RULE = {"Name": "r", "Arn": "arn:aws:events:us-east-1:123456789012:rule/r"}
PATHS = {"instance": "$.detail.instance-id", "state": "$.detail.state", "first": "$.resources[0]"}


def render(**target: object) -> str:
    return targets.render({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", **target}, EVENT, RULE, 0.0)


def test_without_input_the_event_goes_as_is() -> None:
    assert json.loads(render()) == EVENT


def test_input_is_sent_verbatim_and_input_path_selects() -> None:
    assert render(Input='{"a": 1}') == '{"a": 1}'
    assert json.loads(render(InputPath="$.detail")) == EVENT["detail"]
    assert render(InputPath="$.detail.sizes[1]") == "2"


@pytest.mark.parametrize("template, expected", [
    # Variables in a JSON object: strings keep their quotes outside a string, and go in as text inside one.
    ('{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}',
     '{"instance": "i-0123456789", "state": [9, "RUNNING", true], "Transformed": "Yes"}'),
    ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
    ('{"message": "<instance> is <state> (<first>)"}',
     '{"message": "i-0123456789 is RUNNING (arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111)"}'),
    ("instance <instance> is in <state>", "instance i-0123456789 is in RUNNING"),
    ('{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", "at": "<aws.events.event.ingestion-time>"}',
     '{"rule": "r", "arn": "arn:aws:events:us-east-1:123456789012:rule/r", "at": "1970-01-01T00:00:00Z"}'),
    ('{"missing": <nothing>, "text": "<nothing>"}', '{"missing": null, "text": ""}'),
])
def test_input_transformer(template: str, expected: str) -> None:
    paths = {**PATHS, "nothing": "$.detail.absent"}
    assert render(InputTransformer={"InputPathsMap": paths, "InputTemplate": template}) == expected


def test_the_whole_event_variables() -> None:
    out = json.loads(render(InputTransformer={"InputTemplate": '{"e": <aws.events.event.json>}'}))
    assert out == {"e": EVENT}
    out = json.loads(render(InputTransformer={"InputTemplate": '{"e": <aws.events.event>}'}))
    assert "detail" not in out["e"] and out["e"]["id"] == EVENT["id"]


@pytest.mark.parametrize("target, message", [
    ({"Input": "{}", "InputPath": "$"}, "Only one of Input, InputPath, or InputTransformer"),
    ({"Input": "{not json"}, "must be valid JSON text"),
    ({"InputPath": "detail"}, "is not a valid JSON path"),
    ({"InputTransformer": {"InputPathsMap": {"aws.events.rule-arn": "$.id"}, "InputTemplate": "x"}},
     "reserved variable"),
    ({"DeadLetterConfig": {"Arn": "arn:aws:sns:us-east-1:1:topic"}}, "Amazon SQS queue ARN"),
])
def test_invalid_targets_are_refused(target: dict, message: str) -> None:
    with pytest.raises(ValidationException) as raised:
        targets.check({"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", **target})
    assert message in raised.value.message


def test_a_target_lamina_cannot_deliver_to_fails_alone() -> None:
    assert "kinesis" in targets.check({"Id": "t", "Arn": "arn:aws:kinesis:us-east-1:1:stream/s"})
    assert targets.check({"Id": "t", "Arn": "arn:aws:lambda:us-east-1:1:function:f"}) is None
