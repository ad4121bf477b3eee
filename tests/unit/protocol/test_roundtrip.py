"""Every operation and error of every covered model, through botocore's own client code.

Requests: botocore's serializer → HTTP as it arrives → our parser → the same params.
Responses: our serializer → botocore's parser → the same result.
Errors: our serializer → botocore's parser → the right code, message, status and fields.
Where the two cannot agree for a reason of the model, the exact difference is asserted.
"""

from __future__ import annotations

import pytest

from lamina.protocol.errors import NotImplementedByLamina, ServiceError
from lamina.protocol.query_compat import query_error_shapes
from tests.unit.protocol.botocore_wire import (
    client_parse,
    client_request,
    drop_empty_structures,
    normalise,
    strip_metadata,
)
from tests.unit.protocol.cases import Form, error_cases, operation_cases
from tests.unit.protocol.known_differences import client_class
from tests.unit.protocol.shape_values import ValueMaker

OPERATIONS = operation_cases()
ERRORS = error_cases()


def _id(case: tuple[Form, str]) -> str:
    return f"{case[0].id}-{case[1]}"


@pytest.mark.parametrize("case", OPERATIONS, ids=_id)
def test_request_reads_back_what_botocore_sent(case: tuple[Form, str]) -> None:
    form, name = case
    operation = form.client_model.operation_model(name)
    params = ValueMaker().make(operation.input_shape) if operation.input_shape is not None else {}
    request = client_request(form.family, operation, params)

    parsed_operation, parsed = form.protocol.parse(request)

    assert parsed_operation.name == name
    expected = params
    if form.family == "query" and operation.input_shape is not None:
        expected = drop_empty_structures(operation.input_shape, expected)
    assert normalise(parsed) == normalise(expected)


@pytest.mark.parametrize("case", OPERATIONS, ids=_id)
def test_botocore_reads_back_the_result(case: tuple[Form, str]) -> None:
    form, name = case
    operation = form.server_model.operation_model(name)
    shape = operation.output_shape
    result = ValueMaker().make(shape) if shape is not None else {}
    if operation.has_event_stream_output:
        with pytest.raises(NotImplementedByLamina, match=f"{form.service}:{name}"):
            form.protocol.serialize_result(operation, result, "request-1")
        return

    response = form.protocol.serialize_result(operation, result, "request-1")
    parsed = client_parse(form.family, form.client_model.operation_model(name), response)

    assert response.status < 300
    if shape is not None or form.family != "smithy-rpc-v2-cbor":
        # botocore's CBOR parser reads the request id only for operations with an output.
        assert parsed["ResponseMetadata"].get("RequestId") == "request-1"
    expected = result
    if form.family == "query" and shape is not None:
        expected = drop_empty_structures(shape, expected)
    assert normalise(strip_metadata(parsed)) == normalise(expected)


def _expected_code(form: Form, shape_name: str) -> str:
    """The Error.Code a botocore client reports: the query-era code where the service keeps one."""
    shape = query_error_shapes(form.server_model).get(shape_name)
    query_code = shape.metadata.get("error", {}).get("code")
    keeps_query_codes = form.family == "query" or "awsQueryCompatible" in form.server_model.metadata
    return query_code if keeps_query_codes and query_code else shape_name


@pytest.mark.parametrize("case", ERRORS, ids=_id)
def test_botocore_reads_back_each_error(case: tuple[Form, str]) -> None:
    form, shape_name = case
    shape = form.client_model.shape_for(shape_name)
    fields = {k: v for k, v in (ValueMaker().make(shape) or {}).items() if k.lower() != "message"}
    error = ServiceError("It went wrong: <&> 'quoted'", code=shape_name, **fields)
    operation = form.server_model.operation_model(form.server_model.operation_names[0])

    response = form.protocol.serialize_error(error, operation, "request-2")
    parsed = client_parse(form.family, form.client_model.operation_model(operation.name), response)

    code = _expected_code(form, shape_name)
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == "It went wrong: <&> 'quoted'"
    meta = query_error_shapes(form.server_model)[shape_name].metadata.get("error", {})
    assert response.status == int(meta.get("httpStatusCode", 400))
    # The exception class a client raises: botocore maps SQS by the shape name it keeps in
    # QueryErrorCode, every other service by Code.
    class_code = parsed["Error"]["Code"]
    if form.service == "sqs" and form.family == "json":
        class_code = parsed["Error"].get("QueryErrorCode") or class_code
    assert form.client_model.shape_for_error_code(class_code).name == client_class(form, shape_name)
    modeled = {k: v for k, v in parsed.items() if k not in ("Error", "ResponseMetadata")}
    if fields:
        assert normalise(modeled) == normalise({**fields, **_message_member(shape, modeled)})


def _message_member(shape, modeled):  # noqa: ANN001, ANN202 - a test helper
    """Modeled errors may read the message back into their own message member."""
    return {k: v for k, v in modeled.items() if k.lower() == "message" and k in shape.members}
