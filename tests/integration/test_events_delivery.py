"""EventBridge delivering to targets: pattern routing to a function and a queue, InputTransformer,
another bus, dead-letter queues, and lamina's own API calls as CloudTrail events
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html).

Functions run sandboxed: they report the events they get to an HTTP sink on loopback."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from tests.functions import ROLE, python_zip, unique_name
from tests.http_sink import HttpSink
from tests.lamina_server import LaminaServer

ACCOUNT = "000000000000"
# Posts the event it was invoked with to the sink named in its environment.
REPORTER = """
import json, os, urllib.request

def handler(event, context):
    request = urllib.request.Request(os.environ["SINK"], data=json.dumps(event).encode(), method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    return {"ok": True}
"""


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    endpoint = HttpSink().start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


def _reporter(server: LaminaServer, sink: HttpSink) -> str:
    lam = server.client("lambda")
    name = unique_name("reporter")
    arn = lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                              Code={"ZipFile": python_zip(REPORTER)},
                              Environment={"Variables": {"SINK": sink.url}})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    # Rules invoke a function only if its policy lets events.amazonaws.com
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions).
    lam.add_permission(FunctionName=name, StatementId="rules", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceAccount=ACCOUNT)
    return arn


def _queue(server: LaminaServer, policy: bool = True) -> tuple[str, str]:
    """A queue whose policy lets the account's rules and topics send to it (``policy``), as AWS requires."""
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if policy:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com", "sns.amazonaws.com"]},
                           "Action": "sqs:SendMessage", "Resource": arn,
                           "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})})
    return url, arn


def _receive(server: LaminaServer, url: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    """Exactly ``count`` messages (long polling wakes as they arrive)."""
    import time

    sqs = server.client("sqs")
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        got += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2,
                                   MessageAttributeNames=["All"]).get("Messages", [])
    assert len(got) == count, [m["Body"] for m in got]
    return got


def _entry(kind: str, **detail: Any) -> dict[str, str]:
    return {"Source": "shop.orders", "DetailType": kind, "Detail": json.dumps(detail)}


def test_a_pattern_routes_only_matching_events_to_a_function_and_a_queue(server: LaminaServer,
                                                                          sink: HttpSink) -> None:
    events = server.client("events")
    function_arn = _reporter(server, sink)
    url, queue_arn = _queue(server)
    rule = unique_name("big-orders")
    events.put_rule(Name=rule, EventPattern=json.dumps({
        "source": ["shop.orders"], "detail-type": ["OrderPlaced"],
        "detail": {"total": [{"numeric": [">=", 100]}], "country": [{"anything-but": ["XX"]}]}}))
    events.put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": function_arn}, {"Id": "q", "Arn": queue_arn}])
    result = events.put_events(Entries=[
        _entry("OrderPlaced", total=150, country="FR", n=1),
        _entry("OrderPlaced", total=20, country="FR", n=2),  # too small
        _entry("OrderShipped", total=500, country="FR", n=3),  # another detail-type
        _entry("OrderPlaced", total=900, country="XX", n=4),  # excluded country
        _entry("OrderPlaced", total=100, country="DE", n=5),
    ])
    assert result["FailedEntryCount"] == 0
    ids = {e["EventId"] for e in result["Entries"]}
    # A last matching event: once it arrived, any wrongly routed earlier event would have arrived too.
    last = events.put_events(Entries=[_entry("OrderPlaced", total=100, country="DE", n=6)])["Entries"][0]["EventId"]

    received = [json.loads(m["Body"]) for m in _receive(server, url, 3)]
    assert sorted(e["detail"]["n"] for e in received) == [1, 5, 6]
    invoked = [r.json() for r in sink.wait_for(lambda got: len(got) >= 3)]
    assert sorted(e["detail"]["n"] for e in invoked) == [1, 5, 6]
    event = next(e for e in invoked if e["detail"]["n"] == 1)
    assert event["id"] in ids and last not in ids
    assert {k: event[k] for k in ("version", "detail-type", "source", "account", "region", "resources")} == {
        "version": "0", "detail-type": "OrderPlaced", "source": "shop.orders", "account": "000000000000",
        "region": "us-east-1", "resources": []}


def test_input_transformer_and_input_path(server: LaminaServer) -> None:
    events = server.client("events")
    url, queue_arn = _queue(server)
    rule = unique_name("transform")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop.orders"], "detail-type": ["Transform"]}))
    events.put_targets(Rule=rule, Targets=[
        {"Id": "template", "Arn": queue_arn, "InputTransformer": {
            "InputPathsMap": {"order": "$.detail.order", "total": "$.detail.total"},
            "InputTemplate": '{"text": "order <order> costs <total>", "order": <order>, "rule": '
                             '"<aws.events.rule-name>"}'}},
    ])
    events.put_events(Entries=[_entry("Transform", order="A-1", total=12.5)])
    body = json.loads(_receive(server, url, 1)[0]["Body"])
    assert body == {"text": "order A-1 costs 12.5", "order": "A-1", "rule": rule}
    events.put_targets(Rule=rule, Targets=[{"Id": "template", "Arn": queue_arn, "InputPath": "$.detail"}])
    events.put_events(Entries=[_entry("Transform", order="A-2", total=1)])
    assert json.loads(_receive(server, url, 1)[0]["Body"]) == {"order": "A-2", "total": 1}


def test_a_rule_can_forward_to_another_bus(server: LaminaServer) -> None:
    events = server.client("events")
    bus = unique_name("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    url, queue_arn = _queue(server)
    forward = unique_name("forward")
    events.put_rule(Name=forward, EventPattern=json.dumps({"detail-type": ["Forwarded"]}))
    events.put_targets(Rule=forward, Targets=[{"Id": "bus", "Arn": bus_arn}])
    events.put_rule(Name="on-bus", EventBusName=bus, EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="on-bus", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    events.put_events(Entries=[_entry("Forwarded", n=1)])
    event = json.loads(_receive(server, url, 1)[0]["Body"])
    assert (event["detail-type"], event["detail"]) == ("Forwarded", {"n": 1})


def test_a_failing_target_sends_its_events_to_the_dead_letter_queue(server: LaminaServer) -> None:
    events = server.client("events")
    dlq_url, dlq_arn = _queue(server)
    missing_queue = "arn:aws:sqs:us-east-1:000000000000:no-such-queue"
    rule = unique_name("dlq")
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"detail-type": ["ToNowhere"]}))["RuleArn"]
    events.put_targets(Rule=rule, Targets=[{"Id": "gone", "Arn": missing_queue, "DeadLetterConfig": {"Arn": dlq_arn},
                                            "RetryPolicy": {"MaximumRetryAttempts": 2,
                                                            "MaximumEventAgeInSeconds": 60}}])
    event_id = events.put_events(Entries=[_entry("ToNowhere", n=1)])["Entries"][0]["EventId"]
    message = _receive(server, dlq_url, 1)[0]
    assert json.loads(message["Body"])["id"] == event_id
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == rule_arn
    assert attributes["TARGET_ARN"] == missing_queue
    assert attributes["ERROR_CODE"] == "QueueDoesNotExist"
    assert attributes["RETRY_ATTEMPTS"] == "0"  # a target that does not exist is not retried


def test_a_cloudtrail_rule_invokes_a_function_when_a_queue_is_created(server: LaminaServer, sink: HttpSink) -> None:
    events = server.client("events")
    function_arn = _reporter(server, sink)
    rule = unique_name("on-create-queue")
    events.put_rule(Name=rule, EventPattern=json.dumps({
        "source": ["aws.sqs"], "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["sqs.amazonaws.com"], "eventName": ["CreateQueue"]}}))
    events.put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": function_arn}])
    sqs = server.client("sqs")
    sqs.list_queues()  # read-only: no event
    name = unique_name("created")
    url = sqs.create_queue(QueueName=name, tags={"team": "a"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"owner": "b"})  # not CreateQueue: does not match
    got = sink.wait_for(lambda got: any(r.json()["detail"]["requestParameters"].get("QueueName") == name
                                        for r in got))
    event = next(r.json() for r in got if r.json()["detail"]["requestParameters"].get("QueueName") == name)
    assert (event["source"], event["detail-type"]) == ("aws.sqs", "AWS API Call via CloudTrail")
    detail = event["detail"]
    assert detail["eventName"] == "CreateQueue" and detail["eventSource"] == "sqs.amazonaws.com"
    assert detail["userIdentity"]["arn"] == "arn:aws:iam::000000000000:root"
    assert detail["userIdentity"]["accessKeyId"] == server.credentials()[0]
    assert detail["responseElements"]["QueueUrl"] == url
    assert detail["awsRegion"] == "us-east-1"


def test_a_topic_target_publishes_the_event(server: LaminaServer) -> None:
    events, sns = server.client("events"), server.client("sns")
    url, queue_arn = _queue(server)
    topic = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    rule = unique_name("to-topic")
    events.put_rule(Name=rule, EventPattern=json.dumps({"detail-type": ["ToTopic"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "topic", "Arn": topic}])
    event_id = events.put_events(Entries=[_entry("ToTopic", n=1)])["Entries"][0]["EventId"]
    assert json.loads(_receive(server, url, 1)[0]["Body"])["id"] == event_id


def test_a_missing_function_target_is_dead_lettered(server: LaminaServer) -> None:
    events = server.client("events")
    dlq_url, dlq_arn = _queue(server)
    missing = "arn:aws:lambda:us-east-1:000000000000:function:no-such-function"
    rule = unique_name("to-missing-fn")
    events.put_rule(Name=rule, EventPattern=json.dumps({"detail-type": ["ToMissingFunction"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": missing, "DeadLetterConfig": {"Arn": dlq_arn}}])
    events.put_events(Entries=[_entry("ToMissingFunction", n=1)])
    attributes = {k: v["StringValue"] for k, v in _receive(server, dlq_url, 1)[0]["MessageAttributes"].items()}
    assert (attributes["TARGET_ARN"], attributes["ERROR_CODE"]) == (missing, "ResourceNotFoundException")


def test_a_source_arn_condition_lets_one_rule_invoke_the_function_and_not_another(
        server: LaminaServer, sink: HttpSink) -> None:
    # The function policy names one rule (aws:SourceArn): the other rule's deliveries are refused and,
    # as a target that may not be called, go to its dead-letter queue at once.
    lam, events = server.client("lambda"), server.client("events")
    name = unique_name("one-rule")
    arn = lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                              Code={"ZipFile": python_zip(REPORTER)},
                              Environment={"Variables": {"SINK": sink.url}})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    pattern = json.dumps({"detail-type": ["Both"]})
    allowed, refused = unique_name("allowed"), unique_name("refused")
    allowed_arn = events.put_rule(Name=allowed, EventPattern=pattern)["RuleArn"]
    refused_arn = events.put_rule(Name=refused, EventPattern=pattern)["RuleArn"]
    lam.add_permission(FunctionName=name, StatementId="one-rule", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=allowed_arn)
    dlq_url, dlq_arn = _queue(server)
    events.put_targets(Rule=allowed, Targets=[{"Id": "fn", "Arn": arn}])
    events.put_targets(Rule=refused, Targets=[{"Id": "fn", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}}])
    event_id = events.put_events(Entries=[_entry("Both", n=1)])["Entries"][0]["EventId"]
    attributes = {k: v["StringValue"] for k, v in _receive(server, dlq_url, 1)[0]["MessageAttributes"].items()}
    assert (attributes["RULE_ARN"], attributes["ERROR_CODE"]) == (refused_arn, "AccessDeniedException")
    received = sink.wait_for(lambda got: len(got) >= 1)
    assert [json.loads(r.body)["id"] for r in received] == [event_id]


def test_a_queue_target_needs_a_policy_letting_eventbridge_send(server: LaminaServer) -> None:
    events = server.client("events")
    url, arn = _queue(server, policy=False)
    dlq_url, dlq_arn = _queue(server)
    rule = unique_name("no-policy")
    events.put_rule(Name=rule, EventPattern=json.dumps({"detail-type": ["NoPolicy"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}}])
    events.put_events(Entries=[_entry("NoPolicy", n=1)])
    attributes = {k: v["StringValue"] for k, v in _receive(server, dlq_url, 1)[0]["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "AccessDenied"
    assert "Messages" not in server.client("sqs").receive_message(QueueUrl=url)
