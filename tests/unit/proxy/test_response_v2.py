"""Payload format 2.0 response rules and format 1.0's stricter ones."""

from __future__ import annotations

import base64

import orjson
import pytest

from lamina.proxy.response_v1 import response_v1
from lamina.proxy.response_v2 import MalformedResponse, response_v2


def test_a_string_is_the_body_of_a_200_json_response() -> None:
    response = response_v2(orjson.dumps("hello"))
    assert (response.status, response.header("content-type"), response.body) == (200, "application/json", b"hello")


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], 3, None])
def test_other_values_are_their_json(value: object) -> None:
    response = response_v2(orjson.dumps(value))
    assert response.status == 200 and orjson.loads(response.body) == value


def test_a_description_sets_status_headers_cookies_and_a_base64_body() -> None:
    response = response_v2(orjson.dumps({
        "statusCode": 418, "headers": {"x-a": "1", "Content-Length": "999"}, "cookies": ["c=1", "d=2"],
        "isBase64Encoded": True, "body": base64.b64encode(b"\x00\x01").decode()}))
    assert response.status == 418 and response.body == b"\x00\x01"
    assert ("x-a", "1") in response.headers and response.header("content-length") is None
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["c=1", "d=2"]


@pytest.mark.parametrize("document", [
    {"statusCode": "x"}, {"statusCode": 99}, {"statusCode": 200, "body": {"not": "a string"}},
    {"statusCode": 200, "isBase64Encoded": True, "body": "***"}, {"statusCode": 200, "headers": []}])
def test_malformed_descriptions(document: dict) -> None:
    with pytest.raises(MalformedResponse):
        response_v2(orjson.dumps(document))


def test_format_1_needs_a_status_code_and_keeps_multi_value_headers() -> None:
    with pytest.raises(MalformedResponse):
        response_v1(orjson.dumps("text"))
    response = response_v1(orjson.dumps({"statusCode": 200, "headers": {"x": "single", "y": "1"},
                                         "multiValueHeaders": {"x": ["a", "b"]}}))
    assert [v for k, v in response.headers if k == "x"] == ["a", "b"]
    assert ("y", "1") in response.headers


def test_format_1_binary_only_where_allowed() -> None:
    document = orjson.dumps({"statusCode": 200, "isBase64Encoded": True, "headers": {"Content-Type": "image/png"},
                             "body": base64.b64encode(b"png").decode()})
    assert response_v1(document, binary=lambda content_type: content_type == "image/png").body == b"png"
    assert response_v1(document, binary=lambda content_type: False).body == base64.b64encode(b"png")
