"""Choosing the family of a service and of an incoming request."""

from __future__ import annotations

import pytest

from lamina.protocol.cbor import CborProtocol
from lamina.protocol.http import HttpRequest
from lamina.protocol.json_rpc import JsonProtocol
from lamina.protocol.models import load_service_model
from lamina.protocol.query import QueryProtocol
from lamina.protocol.query_compat import query_model
from lamina.protocol.registry import families, protocol_for, request_family
from lamina.protocol.rest_json import RestJsonProtocol
from lamina.protocol.rest_xml import RestXmlProtocol
from tests.unit.protocol.botocore_wire import client_request


@pytest.mark.parametrize("service, expected", [
    ("lambda", ["rest-json"]),
    ("sqs", ["json", "query"]),
    ("sns", ["query"]),
    # botocore's clients pick json for CloudWatch; CBOR and query are spoken too.
    ("cloudwatch", ["json", "smithy-rpc-v2-cbor", "query"]),
    ("s3", ["rest-xml"]),
    ("logs", ["json"]),
])
def test_families(service: str, expected: list[str]) -> None:
    assert families(load_service_model(service)) == tuple(expected)


def test_protocol_objects_are_built_once_per_service_and_family() -> None:
    sqs = load_service_model("sqs")
    assert isinstance(protocol_for(sqs), JsonProtocol)
    assert isinstance(protocol_for(sqs, "query"), QueryProtocol)
    assert protocol_for(sqs, "query") is protocol_for(sqs, "query")
    assert isinstance(protocol_for(load_service_model("cloudwatch"), "smithy-rpc-v2-cbor"), CborProtocol)
    assert isinstance(protocol_for(load_service_model("lambda")), RestJsonProtocol)
    assert isinstance(protocol_for(load_service_model("s3")), RestXmlProtocol)
    with pytest.raises(ValueError, match="lambda is not spoken in the query protocol"):
        protocol_for(load_service_model("lambda"), "query")


@pytest.mark.parametrize("family", ["json", "smithy-rpc-v2-cbor", "query"])
def test_each_cloudwatch_client_form_is_recognised(family: str) -> None:
    cloudwatch = load_service_model("cloudwatch")
    operation = cloudwatch.operation_model("ListMetrics")
    request = client_request(family, operation, {"Namespace": "AWS/Lambda"})
    assert request_family(cloudwatch, request) == family
    assert protocol_for(cloudwatch, family).parse(request)[1] == {"Namespace": "AWS/Lambda"}


def test_old_and_new_sqs_clients_are_told_apart() -> None:
    sqs = load_service_model("sqs")
    new = client_request("json", sqs.operation_model("ListQueues"), {"QueueNamePrefix": "a"})
    old = client_request("query", query_model(sqs).operation_model("ListQueues"), {"QueueNamePrefix": "a"})
    assert request_family(sqs, new) == "json"
    assert request_family(sqs, old) == "query"
    # A query GET (no form body) is recognised by its Action.
    get = HttpRequest("GET", "/", "Action=ListQueues&Version=2012-11-05", {"host": "h"})
    assert request_family(sqs, get) == "query"


def test_rest_services_fall_back_to_their_rest_family() -> None:
    assert request_family(load_service_model("lambda"),
                          HttpRequest("GET", "/2015-03-31/functions/", "", {})) == "rest-json"
    # A form body does not make a rest service a query one.
    assert request_family(load_service_model("s3"), HttpRequest(
        "POST", "/bucket", "", {"content-type": "application/x-www-form-urlencoded"})) == "rest-xml"
