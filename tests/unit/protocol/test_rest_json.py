"""rest-json and json fixes found by the round trip, each shown on its own."""

from __future__ import annotations

import pytest
from botocore.model import ServiceModel

from lamina.protocol.errors import SerializationError
from lamina.protocol.http import HttpRequest
from lamina.protocol.json_rpc import JsonProtocol
from lamina.protocol.models import load_service_model
from lamina.protocol.rest_json import RestJsonProtocol
from tests.unit.protocol.botocore_wire import client_parse, client_request
from tests.unit.protocol.in_process import in_process_client


def test_query_keys_fixed_by_the_uri_are_not_input() -> None:
    # ImportRestApi is POST /restapis?mode=import with a query-string map member `parameters`:
    # "mode" belongs to the URI, not to the map.
    apigateway = RestJsonProtocol(load_service_model("apigateway"))
    operation = apigateway.service.operation_model("ImportRestApi")
    request = client_request("rest-json", operation, {"body": b"{}", "parameters": {"endpointConfigurationTypes": "REGIONAL"}})
    assert "mode=import" in request.query
    _, params = apigateway.parse(request)
    assert params["parameters"] == {"endpointConfigurationTypes": "REGIONAL"}


def test_a_result_member_bound_to_content_type_is_the_only_content_type() -> None:
    apigateway = RestJsonProtocol(load_service_model("apigateway"))
    operation = apigateway.service.operation_model("GetExport")
    response = apigateway.serialize_result(
        operation, {"contentType": "application/yaml", "body": b"openapi: 3.0.1\n"}, "r")
    assert [v for k, v in response.headers if k.lower() == "content-type"] == ["application/yaml"]
    assert client_parse("rest-json", operation, response)["contentType"] == "application/yaml"


def test_lambda_invoke_through_a_real_client() -> None:
    client, recorder = in_process_client("lambda", lambda op, params: {
        "StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": b'{"ok": true}'})
    result = client.invoke(FunctionName="my-fn", Payload=b'{"x": 1}', LogType="Tail")
    assert recorder.families == ["rest-json"]
    assert recorder.calls == [("Invoke", {"FunctionName": "my-fn", "Payload": b'{"x": 1}', "LogType": "Tail"})]
    assert result["StatusCode"] == 200
    assert result["ExecutedVersion"] == "$LATEST"
    assert result["Payload"].read() == b'{"ok": true}'


def test_a_null_body_is_a_serialization_error_not_a_crash() -> None:
    lambda_ = RestJsonProtocol(load_service_model("lambda"))
    logs = JsonProtocol(load_service_model("logs"))
    requests = [
        (lambda_, HttpRequest("POST", "/2015-03-31/functions", "", {}, b"null")),
        (logs, HttpRequest("POST", "/", "", {"x-amz-target": "Logs_20140328.CreateLogGroup"}, b"null")),
    ]
    for protocol, request in requests:
        with pytest.raises(SerializationError, match="cannot be read as a structure"):
            protocol.parse(request)


def test_a_text_payload_that_is_not_utf8_is_a_serialization_error() -> None:
    # None of our rest-json models has a string payload yet; the rule is the protocol's.
    model = ServiceModel({
        "metadata": {"protocol": "rest-json", "apiVersion": "1", "serviceId": "Svc", "signatureVersion": "v4"},
        "operations": {"Put": {"name": "Put", "http": {"method": "PUT", "requestUri": "/doc"},
                               "input": {"shape": "PutInput"}}},
        "shapes": {"PutInput": {"type": "structure", "payload": "Text", "members": {"Text": {"shape": "Text"}}},
                   "Text": {"type": "string"}},
    }, "svc")
    protocol = RestJsonProtocol(model)
    assert protocol.parse(HttpRequest("PUT", "/doc", "", {}, "héllo".encode()))[1] == {"Text": "héllo"}
    with pytest.raises(SerializationError, match="UTF-8"):
        protocol.parse(HttpRequest("PUT", "/doc", "", {}, b"\xff\xfe"))
