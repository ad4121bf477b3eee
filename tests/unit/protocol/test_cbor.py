"""smithy-rpc-v2-cbor beyond the generic round trip: the wire details botocore's client relies on."""

from __future__ import annotations

import datetime as dt
import struct

import cbor2
import pytest

from lamina.protocol.cbor import CborProtocol
from lamina.protocol.errors import SerializationError, ServiceError, UnknownOperationError
from lamina.protocol.http import HttpRequest
from lamina.protocol.models import load_service_model
from lamina.protocol.registry import request_family
from tests.unit.protocol.botocore_wire import client_parse, client_request

UTC = dt.timezone.utc
PATH = "/service/GraniteServiceVersion20100801/operation/"
HEADERS = {"smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", "accept": "application/cbor"}


@pytest.fixture(scope="module")
def cloudwatch() -> CborProtocol:
    return CborProtocol(load_service_model("cloudwatch"))


def _request(operation: str, document: object, method: str = "POST") -> HttpRequest:
    return HttpRequest(method, PATH + operation, "", dict(HEADERS), cbor2.dumps(document))


def test_botocore_request_is_recognised_and_read(cloudwatch: CborProtocol) -> None:
    operation = cloudwatch.service.operation_model("PutMetricData")
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    params = {"Namespace": "App", "MetricData": [{"MetricName": "Latency", "Timestamp": when, "Value": 0.5,
                                                   "Dimensions": [{"Name": "fn", "Value": "f"}]}]}
    request = client_request("smithy-rpc-v2-cbor", operation, params)

    assert request.path == PATH + "PutMetricData"
    assert request.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert request_family(cloudwatch.service, request) == "smithy-rpc-v2-cbor"
    assert cloudwatch.parse(request) == (operation, params)


def test_timestamps_are_tag_1_epoch_seconds_with_fractions(cloudwatch: CborProtocol) -> None:
    when = dt.datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)
    _, params = cloudwatch.parse(_request("GetMetricStatistics", {
        "Namespace": "n", "MetricName": "m", "Period": 60,
        "StartTime": cbor2.CBORTag(1, when.timestamp()), "EndTime": int(when.timestamp())}))
    assert params["StartTime"] == when
    assert params["EndTime"] == when.replace(microsecond=0)

    operation = cloudwatch.service.operation_model("GetMetricStatistics")
    response = cloudwatch.serialize_result(operation, {"Datapoints": [{"Timestamp": when, "Sum": 1.0}]}, "r")
    # Tag 1 (0xc1) around a double (0xfb) of epoch seconds.
    assert b"\xc1\xfb" + struct.pack(">d", when.timestamp()) in response.body
    assert client_parse("smithy-rpc-v2-cbor", operation, response)["Datapoints"][0]["Timestamp"] == when


def test_response_headers(cloudwatch: CborProtocol) -> None:
    operation = cloudwatch.service.operation_model("ListMetrics")
    response = cloudwatch.serialize_result(operation, {"Metrics": []}, "req-9")
    assert response.header("smithy-protocol") == "rpc-v2-cbor"
    assert response.header("Content-Type") == "application/cbor"
    assert response.header("x-amzn-RequestId") == "req-9"
    assert cbor2.loads(response.body) == {"Metrics": []}
    # No output: no body at all.
    empty = cloudwatch.serialize_result(cloudwatch.service.operation_model("DeleteAlarms"), None, "r")
    assert (empty.body, empty.header("smithy-protocol")) == (b"", "rpc-v2-cbor")


def test_errors_carry_type_message_and_the_query_error_header(cloudwatch: CborProtocol) -> None:
    operation = cloudwatch.service.operation_model("PutMetricData")
    response = cloudwatch.serialize_error(
        ServiceError("The value NaN for parameter MetricData.member.1.Value is invalid.",
                     code="InvalidParameterValueException"), operation, "r")
    assert response.status == 400
    assert cbor2.loads(response.body) == {"__type": "InvalidParameterValueException",
                                         "message": "The value NaN for parameter MetricData.member.1.Value is invalid."}
    assert response.header("x-amzn-query-error") == "InvalidParameterValue;Sender"
    parsed = client_parse("smithy-rpc-v2-cbor", operation, response)
    assert parsed["Error"]["Code"] == "InvalidParameterValue"
    assert parsed["Error"]["QueryErrorCode"] == "InvalidParameterValueException"


def test_unknown_operations_and_paths(cloudwatch: CborProtocol) -> None:
    for request in (_request("StealMetrics", {}), _request("ListMetrics", {}, method="GET"),
                    HttpRequest("POST", "/service/Other/operation/ListMetrics", "", dict(HEADERS), b"")):
        with pytest.raises(UnknownOperationError):
            cloudwatch.parse(request)


@pytest.mark.parametrize("body, words", [
    (b"\xff\x00garbage", "not valid CBOR"),
    (b"\x81" * 100_000 + b"\x00", "not valid CBOR"),  # nesting deeper than any model
    (b"\x5b" + b"\xff" * 8, "not valid CBOR"),  # a byte string claiming 2**64 bytes
    (cbor2.dumps(["not", "a", "map"]), "structure"),
    (cbor2.dumps({"Namespace": 7}), "Namespace"),
    (cbor2.dumps({"MetricData": [{"MetricName": "m", "Value": "high"}]}), "MetricData.member.Value"),
    (cbor2.dumps({"MetricData": [{"MetricName": "m", "Timestamp": "yesterday"}]}), "Timestamp"),
])
def test_unreadable_input_is_a_serialization_error(cloudwatch: CborProtocol, body: bytes, words: str) -> None:
    request = HttpRequest("POST", PATH + "PutMetricData", "", dict(HEADERS), body)
    with pytest.raises(SerializationError) as caught:
        cloudwatch.parse(request)
    assert words in caught.value.message
    assert caught.value.code == "SerializationException"


def test_blobs_are_byte_strings() -> None:
    # CloudWatch has no blob member; the rules are the protocol's, checked on a synthetic model.
    from botocore.model import ServiceModel

    model = ServiceModel({
        "metadata": {"protocol": "smithy-rpc-v2-cbor", "protocols": ["smithy-rpc-v2-cbor"], "apiVersion": "1",
                     "targetPrefix": "Svc", "serviceId": "Svc", "signatureVersion": "v4", "jsonVersion": "1.0"},
        "operations": {"Echo": {"name": "Echo", "http": {"method": "POST", "requestUri": "/"},
                                "input": {"shape": "Blobs"}, "output": {"shape": "Blobs"}}},
        "shapes": {"Blobs": {"type": "structure", "members": {"Data": {"shape": "Data"}}},
                   "Data": {"type": "blob"}},
    }, "svc")
    protocol = CborProtocol(model)
    operation = model.operation_model("Echo")
    request = client_request("smithy-rpc-v2-cbor", operation, {"Data": b"\x00\xff"})
    assert protocol.parse(request)[1] == {"Data": b"\x00\xff"}
    with pytest.raises(SerializationError):
        protocol.parse(HttpRequest("POST", "/service/Svc/operation/Echo", "", dict(HEADERS),
                                   cbor2.dumps({"Data": "AP8="})))
    response = protocol.serialize_result(operation, {"Data": b"\x00\xff"}, "r")
    assert client_parse("smithy-rpc-v2-cbor", operation, response)["Data"] == b"\x00\xff"
