"""SQS queues through boto3 (json protocol): create, URLs, listing with prefix and paging, attributes,
tags, purge, delete (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.functions import unique_name
from tests.lamina_server import LaminaServer


@pytest.fixture(scope="module")
def sqs(server: LaminaServer):  # type: ignore[no-untyped-def]
    return server.client("sqs")


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return error.value.response["Error"]["Code"]


def test_create_get_url_and_delete(sqs, server: LaminaServer) -> None:  # type: ignore[no-untyped-def]
    name = unique_name("q")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url.endswith(f"/{name}") and url.startswith(server.endpoint)
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    # Creating again with the same attributes answers the same URL; different ones are refused.
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "5"})
    assert _code(error) == "QueueAlreadyExists"
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as error:
        sqs.get_queue_url(QueueName=name)
    assert _code(error) == "AWS.SimpleQueueService.NonExistentQueue"
    assert isinstance(error.value, sqs.exceptions.QueueDoesNotExist)
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert isinstance(error.value, sqs.exceptions.QueueDoesNotExist)


def test_bad_queue_names_are_refused(sqs) -> None:  # type: ignore[no-untyped-def]
    for bad in ("has space", "x" * 81, "dots.notfifo", ""):
        with pytest.raises(ClientError) as error:
            sqs.create_queue(QueueName=bad)
        assert _code(error) in ("InvalidParameterValue", "InvalidParameterValueException"), bad
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName=unique_name("q"), Attributes={"VisibilityTimeout": "43201"})
    assert _code(error) == "InvalidAttributeValue"
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName=unique_name("q"), Attributes={"NoSuchThing": "1"})
    assert _code(error) == "InvalidAttributeName"


def test_list_queues_prefix_and_pagination(sqs) -> None:  # type: ignore[no-untyped-def]
    prefix = unique_name("lst")
    urls = sorted(sqs.create_queue(QueueName=f"{prefix}-{i:02d}")["QueueUrl"] for i in range(7))
    assert sorted(sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]) == urls
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"QueueNamePrefix": prefix, "MaxResults": 3, **({"NextToken": token} if token else {})}
        page = sqs.list_queues(**kwargs)
        seen += page["QueueUrls"]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert pages == 3 and sorted(seen) == urls
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=prefix + "-nothing")
    with pytest.raises(ClientError) as error:
        sqs.list_queues(MaxResults=1001)
    assert _code(error) == "InvalidParameterValue"
    # boto3's paginator follows the tokens too.
    paged = [u for p in sqs.get_paginator("list_queues").paginate(QueueNamePrefix=prefix,
                                                                   PaginationConfig={"PageSize": 2})
             for u in p.get("QueueUrls", [])]
    assert sorted(paged) == urls


def test_attributes_get_and_set(sqs) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName=unique_name("attr"), Attributes={"DelaySeconds": "3",
                                                                      "MessageRetentionPeriod": "600"})["QueueUrl"]
    everything = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert everything["DelaySeconds"] == "3"
    assert everything["MessageRetentionPeriod"] == "600"
    assert everything["VisibilityTimeout"] == "30"
    assert everything["MaximumMessageSize"] == "262144"
    assert everything["ApproximateNumberOfMessages"] == "0"
    assert everything["QueueArn"].startswith("arn:aws:sqs:us-east-1:") and everything["QueueArn"].endswith(
        url.rsplit("/", 1)[1])
    assert int(everything["CreatedTimestamp"]) > 1_600_000_000
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": everything["QueueArn"]}]})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45", "Policy": policy})
    some = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "Policy"])["Attributes"]
    assert some["VisibilityTimeout"] == "45"
    assert json.loads(some["Policy"]) == json.loads(policy)
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"QueueArn": "x"})
    assert _code(error) == "InvalidAttributeName"
    with pytest.raises(ClientError) as error:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["NoSuchThing"])
    assert _code(error) == "InvalidAttributeName"
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "59"})
    assert _code(error) == "InvalidAttributeValue"


def test_tags(sqs) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName=unique_name("tags"), tags={"team": "a"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "test", "team": "b"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "b", "env": "test"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "test"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_purge_removes_messages_and_is_limited_to_one_a_minute(sqs) -> None:  # type: ignore[no-untyped-def]
    url = sqs.create_queue(QueueName=unique_name("purge"))["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(5)])
    sqs.purge_queue(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    with pytest.raises(ClientError) as error:
        sqs.purge_queue(QueueUrl=url)
    assert _code(error) == "AWS.SimpleQueueService.PurgeQueueInProgress"
