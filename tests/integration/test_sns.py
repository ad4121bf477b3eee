"""SNS through boto3: topics, the HTTP confirmation handshake, retries, filter policies, raw delivery,
Lambda subscriptions, and what it answers for SQS while lamina does not serve SQS."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Iterator

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name
from tests.http_sink import HttpSink

FAST_RETRIES = json.dumps({"healthyRetryPolicy": {"numRetries": 3, "minDelayTarget": 1, "maxDelayTarget": 1}})


@pytest.fixture
def sns(server):  # type: ignore[no-untyped-def]
    return server.client("sns")


@pytest.fixture
def topic(sns) -> str:  # type: ignore[no-untyped-def]
    return sns.create_topic(Name=unique_name("topic"), Attributes={"DisplayName": "Ops"})["TopicArn"]


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    endpoint = HttpSink().start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


def _confirmed_http(sns, topic: str, sink: HttpSink, **attributes: str) -> str:  # type: ignore[no-untyped-def]
    pending = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url, Attributes=attributes)
    assert pending["SubscriptionArn"] == "pending confirmation"
    sink.wait_for(lambda got: any(r.headers.get("x-amz-sns-message-type") == "SubscriptionConfirmation"
                                  for r in got))
    confirmation = sink.of_type("SubscriptionConfirmation")[-1]
    document = confirmation.json()
    assert document["Type"] == "SubscriptionConfirmation" and document["TopicArn"] == topic
    assert confirmation.headers["x-amz-sns-topic-arn"] == topic
    assert sns.confirm_subscription(TopicArn=topic, Token=document["Token"])["SubscriptionArn"].startswith(topic)
    return next(s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
                if s["Endpoint"] == sink.url)


def test_topic_attributes_and_idempotent_create(sns, topic: str) -> None:  # type: ignore[no-untyped-def]
    name = topic.rsplit(":", 1)[1]
    assert sns.create_topic(Name=name, Attributes={"DisplayName": "Ops"})["TopicArn"] == topic
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["DisplayName"] == "Ops" and attributes["SubscriptionsConfirmed"] == "0"
    assert json.loads(attributes["Policy"])["Statement"][0]["Resource"] == topic
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Ops team")
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "Ops team"
    assert topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    with pytest.raises(ClientError) as bad:
        sns.create_topic(Name="has spaces")
    assert bad.value.response["Error"]["Code"] == "InvalidParameter"
    sns.delete_topic(TopicArn=topic)
    with pytest.raises(ClientError) as gone:
        sns.publish(TopicArn=topic, Message="x")
    assert gone.value.response["Error"]["Code"] == "NotFound"


def test_http_handshake_by_subscribe_url_and_notification(sns, topic: str, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url)
    sink.wait_for(lambda got: len(got) == 1)
    document = sink.received[0].json()
    with urllib.request.urlopen(document["SubscribeURL"]) as response:  # what an endpoint does to confirm
        assert b"<SubscriptionArn>" + topic.encode() in response.read()
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert subscriptions[0]["SubscriptionArn"].startswith(topic + ":")
    message_id = sns.publish(TopicArn=topic, Message="disk full", Subject="Disk",
                             MessageAttributes={"severity": {"DataType": "String", "StringValue": "high"}})["MessageId"]
    sink.wait_for(lambda got: len(got) == 2)
    notification = sink.received[1]
    assert notification.headers["x-amz-sns-message-type"] == "Notification"
    assert notification.headers["x-amz-sns-message-id"] == message_id
    assert notification.headers["x-amz-sns-subscription-arn"] == subscriptions[0]["SubscriptionArn"]
    body = notification.json()
    assert (body["Message"], body["Subject"], body["MessageId"]) == ("disk full", "Disk", message_id)
    assert body["MessageAttributes"] == {"severity": {"Type": "String", "Value": "high"}}
    assert "Action=Unsubscribe" in body["UnsubscribeURL"]


def test_http_delivery_is_retried_after_server_errors(sns, topic: str, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    _confirmed_http(sns, topic, sink, DeliveryPolicy=FAST_RETRIES)
    sink.statuses.extend([500, 503])
    started = time.monotonic()
    sns.publish(TopicArn=topic, Message="eventually")
    got = sink.wait_for(lambda got: len([r for r in got if r.body and b"eventually" in r.body]) == 3)
    attempts = [r for r in got if b"eventually" in r.body]
    assert len({r.headers["x-amz-sns-message-id"] for r in attempts}) == 1  # the same message, retried
    assert time.monotonic() - started >= 2.0  # two retries, minDelayTarget 1 s apart


def test_client_errors_are_not_retried(sns, topic: str, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    _confirmed_http(sns, topic, sink, DeliveryPolicy=FAST_RETRIES)
    sink.statuses.append(404)
    sns.publish(TopicArn=topic, Message="refused")
    # Deliveries of a standard topic may overlap: publish the next one once the 404 has been answered.
    sink.wait_for(lambda got: any(b"refused" in r.body for r in got))
    sns.publish(TopicArn=topic, Message="after")
    sink.wait_for(lambda got: any(b"after" in r.body for r in got))
    assert len([r for r in sink.received if b"refused" in r.body]) == 1


def test_filter_policies_on_attributes_and_body(sns, topic: str) -> None:  # type: ignore[no-untyped-def]
    by_attributes, by_body = HttpSink().start(), HttpSink().start()
    try:
        _confirmed_http(sns, topic, by_attributes, FilterPolicy=json.dumps(
            {"severity": ["high", {"prefix": "crit"}], "count": [{"numeric": [">=", 10]}]}))
        _confirmed_http(sns, topic, by_body, FilterPolicyScope="MessageBody",
                        FilterPolicy=json.dumps({"order": {"state": [{"anything-but": "test"}]}}))
        attrs = {"severity": {"DataType": "String", "StringValue": "critical"},
                 "count": {"DataType": "Number", "StringValue": "12"}}
        sns.publish(TopicArn=topic, Message=json.dumps({"order": {"state": "test"}}), MessageAttributes=attrs)
        sns.publish(TopicArn=topic, Message=json.dumps({"order": {"state": "paid"}}),
                    MessageAttributes={**attrs, "count": {"DataType": "Number", "StringValue": "3"}})
        by_attributes.wait_for(lambda got: len(got) == 2)
        by_body.wait_for(lambda got: len(got) == 2)
        assert json.loads(by_attributes.received[1].json()["Message"]) == {"order": {"state": "test"}}
        assert json.loads(by_body.received[1].json()["Message"]) == {"order": {"state": "paid"}}
        with pytest.raises(ClientError) as bad:
            sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=by_body.url + "/x",
                          Attributes={"FilterPolicy": '{"a": [{"wat": 1}]}'})
        assert bad.value.response["Error"]["Code"] == "InvalidParameter"
    finally:
        by_attributes.stop()
        by_body.stop()


def test_raw_delivery_and_message_structure(sns, topic: str, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    arn = _confirmed_http(sns, topic, sink)
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="true")
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["RawMessageDelivery"] == "true"
    sns.publish(TopicArn=topic, MessageStructure="json",
                Message=json.dumps({"default": "for everyone", "http": "for http endpoints"}))
    sink.wait_for(lambda got: len(got) == 2)
    assert sink.received[1].body == b"for http endpoints"
    assert sink.received[1].headers["x-amz-sns-rawdelivery"] == "true"
    with pytest.raises(ClientError) as bad:
        sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"http": "no default"}))
    assert "No default entry" in bad.value.response["Error"]["Message"]


def test_publish_batch(sns, topic: str, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    _confirmed_http(sns, topic, sink)
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "first"}, {"Id": "b", "Message": ""}, {"Id": "c", "Message": "third"}])
    assert [s["Id"] for s in answer["Successful"]] == ["a", "c"]
    assert answer["Failed"] == [{"Id": "b", "Code": "InvalidParameter", "Message": "Invalid parameter: Empty message",
                                 "SenderFault": True}]
    sink.wait_for(lambda got: len(got) == 3)
    with pytest.raises(ClientError) as same:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "x"},
                                                                      {"Id": "a", "Message": "y"}])
    assert same.value.response["Error"]["Code"] == "BatchEntryIdsNotDistinct"


def test_lambda_subscription_invokes_the_function(server, sns, topic: str) -> None:  # type: ignore[no-untyped-def]
    lam, logs = server.client("lambda"), server.client("logs")
    name = unique_name("subscriber")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip(
                            "def handler(event, context):\n"
                            "    record = event['Records'][0]\n"
                            "    print('GOT', record['EventSource'], record['Sns']['Subject'], record['Sns']['Message'])\n")})
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    # SNS invokes only functions whose policy lets it (https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html).
    lam.add_permission(FunctionName=name, StatementId="from-topic", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    arn = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)["SubscriptionArn"]
    assert arn.startswith(topic + ":")  # Lambda endpoints need no confirmation
    sns.publish(TopicArn=topic, Message="hello function", Subject="Greeting")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            found = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern="GOT")["events"]
        except logs.exceptions.ResourceNotFoundException:
            found = []
        if found:
            break
        time.sleep(0.1)  # the invocation is asynchronous: its log is polled, as a user would
    assert [e["message"] for e in found] == ["GOT aws:sns Greeting hello function\n"]


def test_sqs_subscription_receives_notifications(sns, topic: str, server) -> None:  # type: ignore[no-untyped-def]
    # SQS is served now: a queue subscribed to a topic receives each message as an SNS notification
    # (https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html).
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=unique_name("snsq"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    # Without a queue policy letting SNS send for this topic, nothing arrives
    # (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html).
    sns.publish(TopicArn=topic, Message="refused", Subject="hi")
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                       "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})})
    sns.publish(TopicArn=topic, Message="to the queue", Subject="hi")
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"]
    notification = json.loads(received[0]["Body"])
    assert notification["Type"] == "Notification" and notification["Message"] == "to the queue"
    assert notification["TopicArn"] == topic and notification["Subject"] == "hi"


def test_email_needs_an_smtp_server(sns, topic: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as refused:
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="someone@example.com")
    assert "LAMINA_SMTP_HOST" in refused.value.response["Error"]["Message"]


def test_unsubscribe(sns, topic: str, sink: HttpSink) -> None:  # type: ignore[no-untyped-def]
    arn = _confirmed_http(sns, topic, sink)
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    with pytest.raises(ClientError) as gone:
        sns.get_subscription_attributes(SubscriptionArn=arn)
    assert gone.value.response["Error"]["Code"] == "NotFound"
