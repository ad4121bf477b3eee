"""Reading a function's ReportBatchItemFailures answer, and the record filters see
(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting)."""

from __future__ import annotations

import orjson
import pytest

from lamina.triggers.sqs_records import failed_items, filterable, record

IDS = ["a", "b", "c"]


@pytest.mark.parametrize("answer, failed", [
    (b"", []),  # no answer: all succeeded
    (b"null", []),
    (b'"done"', []),
    (b"{}", []),
    (b'{"batchItemFailures": null}', []),
    (b'{"batchItemFailures": []}', []),
    (b'{"batchItemFailures": [{"itemIdentifier": "b"}]}', ["b"]),
    (b'{"batchItemFailures": [{"itemIdentifier": "a"}, {"itemIdentifier": "c"}]}', ["a", "c"]),
])
def test_answers_that_name_failures_or_none(answer: bytes, failed: list[str]) -> None:
    assert failed_items(answer, IDS) == failed


@pytest.mark.parametrize("answer", [
    b'{"batchItemFailures": [{"itemIdentifier": ""}]}',
    b'{"batchItemFailures": [{"itemIdentifier": "zzz"}]}',
    b'{"batchItemFailures": [{"other": "a"}]}',
    b'{"batchItemFailures": [{"itemIdentifier": null}]}',
    b'{"batchItemFailures": "a"}',
])
def test_malformed_answers_fail_the_whole_batch(answer: bytes) -> None:
    assert failed_items(answer, IDS) is None


def _message(body: str, attributes: dict | None = None) -> dict:
    message = {"MessageId": "m1", "ReceiptHandle": "h", "Body": body, "MD5OfBody": "x",
               "Attributes": {"ApproximateReceiveCount": "1"}}
    if attributes:
        message["MessageAttributes"] = attributes
        message["MD5OfMessageAttributes"] = "y"
    return message


def test_record_shape() -> None:
    entry = record(_message("hi", {"bin": {"DataType": "Binary", "BinaryValue": b"\xff"}}),
                   "arn:aws:sqs:us-east-1:1:q", "us-east-1")
    assert entry["eventSource"] == "aws:sqs" and entry["eventSourceARN"] == "arn:aws:sqs:us-east-1:1:q"
    assert entry["messageAttributes"]["bin"]["binaryValue"] == "/w=="
    assert entry["md5OfMessageAttributes"] == "y"
    assert "md5OfMessageAttributes" not in record(_message("hi"), "arn", "r")
    orjson.dumps(entry)  # the event is JSON


def test_filters_see_json_bodies_as_objects_and_others_as_strings() -> None:
    assert filterable(record(_message('{"a": 1}'), "arn", "r"))["body"] == {"a": 1}
    assert filterable(record(_message("plain"), "arn", "r"))["body"] == "plain"
