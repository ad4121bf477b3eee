"""The rest-xml seam, on S3's model: what it does, and what it refuses by name."""

from __future__ import annotations

import pytest

from lamina.protocol.errors import NotImplementedByLamina, SerializationError, ServiceError
from lamina.protocol.http import HttpRequest
from lamina.protocol.models import load_service_model
from lamina.protocol.rest_xml import RestXmlProtocol
from lamina.protocol.xml_writer import member_element_name
from tests.unit.protocol.botocore_wire import client_parse, client_request, normalise, strip_metadata
from tests.unit.protocol.shape_values import ValueMaker

S3 = load_service_model("s3")
# Operations whose request is the same on the wire as another's; the router serves the current one.
SAME_WIRE = {
    "GetBucketLifecycle": "GetBucketLifecycleConfiguration",  # deprecated
    "GetBucketNotification": "GetBucketNotificationConfiguration",  # deprecated
    "PutBucketLifecycle": "PutBucketLifecycleConfiguration",  # deprecated
    "PutBucketNotification": "PutBucketNotificationConfiguration",  # deprecated
    "ListDirectoryBuckets": "ListBuckets",  # S3 Express: told apart by endpoint, not by request
}


def _needs_root(name: str) -> bool:
    """Results with body members but no payload member: the model does not name their XML root."""
    shape = S3.operation_model(name).output_shape
    return (shape is not None and "payload" not in shape.serialization
            and any(not m.serialization.get("location") for m in shape.members.values()))


@pytest.fixture(scope="module")
def s3() -> RestXmlProtocol:
    return RestXmlProtocol(S3)


@pytest.mark.parametrize("name", S3.operation_names)
def test_requests_read_back(s3: RestXmlProtocol, name: str) -> None:
    operation = S3.operation_model(name)
    params = ValueMaker().make(operation.input_shape) if operation.input_shape is not None else {}
    parsed_operation, parsed = s3.parse(client_request("rest-xml", operation, params))
    if name in SAME_WIRE:
        assert parsed_operation.name == SAME_WIRE[name]
        return
    assert parsed_operation.name == name
    assert normalise(parsed) == normalise(params)


@pytest.mark.parametrize("name", S3.operation_names)
def test_results_read_back_or_are_refused_by_name(s3: RestXmlProtocol, name: str) -> None:
    operation = S3.operation_model(name)
    result = ValueMaker().make(operation.output_shape) if operation.output_shape is not None else {}
    if operation.has_event_stream_output or _needs_root(name):
        with pytest.raises(NotImplementedByLamina, match=f"s3:{name}"):
            s3.serialize_result(operation, result, "r")
    if operation.has_event_stream_output:
        return
    if name == "GetBucketNotification":
        result = _without_colliding_event(operation, result)
    # With the root element named, as the S3 service will name them.
    named = RestXmlProtocol(S3, root_elements={name: f"{name}Result"})
    response = named.serialize_result(operation, result, "r")
    parsed = strip_metadata(client_parse("rest-xml", operation, response))
    if name == "GetBucketNotification":  # botocore reads the <Event> elements into both members
        parsed = _without_colliding_event(operation, parsed)
    assert normalise(parsed) == normalise(result)


def _without_colliding_event(operation, result):  # noqa: ANN001, ANN202 - a test helper
    """The deprecated notification configurations have a member ``Event`` and a flattened list
    ``Events`` of ``<Event>`` elements: no XML reader can tell them apart, so only ``Events`` is compared."""
    config = operation.output_shape.members["TopicConfiguration"]
    assert member_element_name("Event", config.members["Event"]) == \
        member_element_name("Events", config.members["Events"]) == "Event"
    return {key: {k: v for k, v in value.items() if k != "Event"} for key, value in result.items()}


def test_list_objects_with_its_documented_root(s3: RestXmlProtocol) -> None:
    protocol = RestXmlProtocol(S3, root_elements={"ListObjectsV2": "ListBucketResult"})
    operation = S3.operation_model("ListObjectsV2")
    response = protocol.serialize_result(operation, {"Name": "b", "KeyCount": 1, "Contents": [{"Key": "k"}]}, "r")
    assert response.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>')
    assert b"<Contents><Key>k</Key></Contents>" in response.body  # a flattened list


def test_operations_sharing_a_route_are_told_apart_by_required_members(s3: RestXmlProtocol) -> None:
    def route(method: str, query: str = "", headers: dict[str, str] | None = None) -> str:
        return s3.parse(HttpRequest(method, "/bucket/key", query, headers or {}))[0].name

    assert route("PUT") == "PutObject"
    assert route("PUT", "partNumber=1&uploadId=u") == "UploadPart"
    assert route("PUT", "", {"x-amz-copy-source": "/a/b"}) == "CopyObject"
    assert route("PUT", "partNumber=1&uploadId=u", {"x-amz-copy-source": "/a/b"}) == "UploadPartCopy"
    assert route("DELETE") == "DeleteObject"
    assert route("DELETE", "uploadId=u") == "AbortMultipartUpload"
    assert route("GET", "uploadId=u") == "ListParts"
    assert route("GET") == "GetObject"


def test_s3_errors_are_bare_error_documents(s3: RestXmlProtocol) -> None:
    operation = S3.operation_model("GetObject")
    response = s3.serialize_error(ServiceError("The specified key does not exist.", code="NoSuchKey", status=404),
                                  operation, "req-1")
    assert response.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>')
    parsed = client_parse("rest-xml", operation, response)
    assert response.status == 404
    assert parsed["Error"] == {"Code": "NoSuchKey", "Message": "The specified key does not exist."}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"


def test_refusals_and_bad_bodies(s3: RestXmlProtocol) -> None:
    chunked = HttpRequest("PUT", "/bucket/key", "", {"content-encoding": "aws-chunked",
                                                     "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
                          b"5;chunk-signature=abc\r\nhello\r\n0;chunk-signature=def\r\n\r\n")
    with pytest.raises(NotImplementedByLamina, match="s3:PutObject"):
        s3.parse(chunked)
    with pytest.raises(SerializationError, match="not well-formed"):
        s3.parse(HttpRequest("PUT", "/bucket", "tagging", {}, b"<Tagging><TagSet>"))
    with pytest.raises(SerializationError):
        s3.parse(HttpRequest("PUT", "/bucket", "versioning", {},
                             b"<VersioningConfiguration><MFADelete>Enabled</MFADelete>"
                             b"<Status>Enabled</Status></VersioningConfiguration>"
                             b"<!-- trailing --><Extra/>"))


@pytest.mark.parametrize("body", [
    # Entity expansion ("billion laughs"): expat refuses the amplification.
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9))
    + b"]><Tagging><TagSet><Tag><Key>&j;</Key><Value>v</Value></Tag></TagSet></Tagging>",
    # External entities are never fetched.
    b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<Tagging><TagSet><Tag><Key>&x;</Key><Value>v</Value></Tag></TagSet></Tagging>",
])
def test_hostile_xml_is_refused(s3: RestXmlProtocol, body: bytes) -> None:
    with pytest.raises(SerializationError, match="not well-formed"):
        s3.parse(HttpRequest("PUT", "/bucket", "tagging", {}, body))
