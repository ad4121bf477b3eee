"""SQS through the AWS CLI v1, which speaks the query protocol (form-encoded requests, XML answers)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.functions import unique_name
from tests.lamina_server import LaminaServer


def _aws(server: LaminaServer, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # --endpoint-url as well as AWS_ENDPOINT_URL: CLI v1 resolves SQS's legacy us-east-1 host before the variable.
    done = subprocess.run(["aws", "sqs", *args, "--output", "json", "--endpoint-url", server.endpoint],
                          env={**os.environ, **server.env()},
                          capture_output=True, text=True, timeout=60)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_queue_and_message_round_trip(server: LaminaServer) -> None:
    name = unique_name("cli")
    url = json.loads(_aws(server, "create-queue", "--queue-name", name,
                          "--attributes", "VisibilityTimeout=40").stdout)["QueueUrl"]
    assert json.loads(_aws(server, "get-queue-url", "--queue-name", name).stdout)["QueueUrl"] == url
    listed = json.loads(_aws(server, "list-queues", "--queue-name-prefix", name).stdout)
    assert listed["QueueUrls"] == [url]
    attributes = json.loads(_aws(server, "get-queue-attributes", "--queue-url", url,
                                 "--attribute-names", "All").stdout)["Attributes"]
    assert attributes["VisibilityTimeout"] == "40"
    sent = json.loads(_aws(server, "send-message", "--queue-url", url, "--message-body", "hello <xml> & co",
                           "--message-attributes",
                           json.dumps({"n": {"DataType": "Number", "StringValue": "7"}})).stdout)
    assert sent["MD5OfMessageBody"] and sent["MD5OfMessageAttributes"]
    got = json.loads(_aws(server, "receive-message", "--queue-url", url, "--message-attribute-names", "All",
                          "--attribute-names", "All").stdout)["Messages"]
    assert got[0]["Body"] == "hello <xml> & co"
    assert got[0]["MessageAttributes"]["n"]["StringValue"] == "7"
    assert got[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    _aws(server, "delete-message", "--queue-url", url, "--receipt-handle", got[0]["ReceiptHandle"])
    _aws(server, "tag-queue", "--queue-url", url, "--tags", "team=x")
    assert json.loads(_aws(server, "list-queue-tags", "--queue-url", url).stdout)["Tags"] == {"team": "x"}
    _aws(server, "delete-queue", "--queue-url", url)
    missing = _aws(server, "get-queue-url", "--queue-name", name, check=False)
    assert missing.returncode != 0 and "AWS.SimpleQueueService.NonExistentQueue" in missing.stderr


def test_batches_and_errors_in_query_form(server: LaminaServer, tmp_path: Path) -> None:
    url = json.loads(_aws(server, "create-queue", "--queue-name", unique_name("clib")).stdout)["QueueUrl"]
    entries = [{"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two", "DelaySeconds": 1000}]
    result = json.loads(_aws(server, "send-message-batch", "--queue-url", url, "--entries",
                             json.dumps(entries)).stdout)
    assert [e["Id"] for e in result["Successful"]] == ["a"]
    assert result["Failed"][0]["Id"] == "b" and result["Failed"][0]["SenderFault"] is True
    bad = _aws(server, "receive-message", "--queue-url", url, "--max-number-of-messages", "11", check=False)
    assert bad.returncode != 0 and "InvalidParameterValue" in bad.stderr
    body = tmp_path / "body.txt"
    body.write_text("x" * 262_145)
    too_long = _aws(server, "send-message", "--queue-url", url, "--message-body", f"file://{body}", check=False)
    assert too_long.returncode != 0 and "InvalidParameterValue" in too_long.stderr
