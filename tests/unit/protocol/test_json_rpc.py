"""The json protocol's query-compatible errors (SQS, CloudWatch), checked through a real botocore client."""

from __future__ import annotations

import orjson
import pytest

from lamina.protocol.errors import ServiceError
from lamina.protocol.json_rpc import JsonProtocol
from lamina.protocol.models import load_service_model
from tests.unit.protocol.in_process import in_process_client


def _raise(error: ServiceError):  # noqa: ANN202 - a handler for in_process_client
    def handler(_operation: str, _params: dict) -> None:
        raise error
    return handler


def test_sqs_error_is_the_documented_json_error() -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
    sqs = JsonProtocol(load_service_model("sqs"))
    response = sqs.serialize_error(ServiceError("The specified queue does not exist.", code="QueueDoesNotExist"),
                                   None, "66916324-67ca-54bb-a410-3f567a7a0571")
    assert response.status == 400
    assert response.header("x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert response.header("Content-Type") == "application/x-amz-json-1.0"
    assert orjson.loads(response.body) == {"__type": "QueueDoesNotExist",
                                           "message": "The specified queue does not exist."}


def test_botocore_client_raises_the_modeled_sqs_exception_with_the_query_code() -> None:
    client, recorder = in_process_client(
        "sqs", _raise(ServiceError("The specified queue does not exist.", code="QueueDoesNotExist")))
    with pytest.raises(client.exceptions.QueueDoesNotExist) as caught:
        client.get_queue_url(QueueName="missing")
    assert recorder.families == ["json"]
    error = caught.value.response["Error"]
    assert error == {"Code": "AWS.SimpleQueueService.NonExistentQueue", "QueryErrorCode": "QueueDoesNotExist",
                     "Type": "Sender", "Message": "The specified queue does not exist."}


def test_sqs_errors_without_a_query_code_have_no_header() -> None:
    client, _ = in_process_client("sqs", _raise(ServiceError("slow down", code="RequestThrottled")))
    with pytest.raises(client.exceptions.RequestThrottled) as caught:
        client.list_queues()
    assert caught.value.response["Error"]["Code"] == "RequestThrottled"
    assert "x-amzn-query-error" not in caught.value.response["ResponseMetadata"]["HTTPHeaders"]


def test_sqs_json_keeps_query_era_statuses() -> None:
    client, _ = in_process_client("sqs", _raise(ServiceError("purge in progress", code="PurgeQueueInProgress")))
    with pytest.raises(client.exceptions.PurgeQueueInProgress) as caught:
        client.purge_queue(QueueUrl="http://localhost:9060/000000000000/q")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_cloudwatch_json_errors_use_the_model_query_code() -> None:
    client, recorder = in_process_client(
        "cloudwatch", _raise(ServiceError("no such dashboard", code="DashboardNotFoundError")))
    with pytest.raises(client.exceptions.ResourceNotFound) as caught:  # the code both shapes share
        client.get_dashboard(DashboardName="d")
    assert recorder.families == ["json"]
    assert caught.value.response["Error"]["Code"] == "ResourceNotFound"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_services_not_from_query_send_no_query_header() -> None:
    logs = JsonProtocol(load_service_model("logs"))
    response = logs.serialize_error(ServiceError("nope", code="ResourceNotFoundException"), None, "r")
    assert response.header("x-amzn-query-error") is None
    assert orjson.loads(response.body)["__type"] == "ResourceNotFoundException"


def test_results_reach_the_client_with_their_types() -> None:
    client, recorder = in_process_client("sqs", lambda op, params: {
        "Messages": [{"MessageId": "m", "Body": params["QueueUrl"],
                      "MessageAttributes": {"n": {"DataType": "Binary", "BinaryValue": b"\x01"}}}]})
    result = client.receive_message(QueueUrl="http://localhost:9060/000000000000/q", MaxNumberOfMessages=2)
    assert recorder.calls == [("ReceiveMessage", {"QueueUrl": "http://localhost:9060/000000000000/q",
                                                  "MaxNumberOfMessages": 2})]
    assert result["Messages"] == [{"MessageId": "m", "Body": "http://localhost:9060/000000000000/q",
                                   "MessageAttributes": {"n": {"DataType": "Binary", "BinaryValue": b"\x01"}}}]
