"""The query protocol beyond the generic round trip: literal requests as old clients send them,
the XML AWS documents, and the errors of malformed input."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest

from lamina.protocol.errors import SerializationError, ServiceError, UnknownOperationError
from lamina.protocol.http import HttpRequest
from lamina.protocol.models import load_service_model
from lamina.protocol.query import MissingAction, QueryProtocol
from lamina.protocol.query_compat import query_model
from tests.unit.protocol.botocore_wire import client_parse, client_request

UTC = dt.timezone.utc
FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8", "host": "localhost:9060"}


def _post(body: str, path: str = "/") -> HttpRequest:
    return HttpRequest("POST", path, "", dict(FORM), body.encode())


def _xml(body: bytes) -> ElementTree.Element:
    root = ElementTree.fromstring(body)
    for element in root.iter():  # drop the namespace so paths stay readable
        element.tag = element.tag.split("}", 1)[-1]
    return root


@pytest.fixture(scope="module")
def sqs() -> QueryProtocol:
    return QueryProtocol(load_service_model("sqs"))


@pytest.fixture(scope="module")
def sns() -> QueryProtocol:
    return QueryProtocol(load_service_model("sns"))


def test_sqs_send_message_as_the_api_reference_shows_it(sqs: QueryProtocol) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
    # (the query-API sample: a GET to the queue URL, attributes as MessageAttribute.N.Name/Value).
    query = ("Action=SendMessage&MessageBody=This+is+a+test+message"
             "&MessageAttribute.1.Name=my_attribute_name_1"
             "&MessageAttribute.1.Value.StringValue=my_attribute_value_1"
             "&MessageAttribute.1.Value.DataType=String"
             "&MessageAttribute.2.Name=my_attribute_name_2"
             "&MessageAttribute.2.Value.StringValue=my_attribute_value_2"
             "&MessageAttribute.2.Value.DataType=String&Version=2012-11-05")
    request = HttpRequest("GET", "/123456789012/MyQueue/", query, {"host": "sqs.us-east-2.amazonaws.com"})

    operation, params = sqs.parse(request)

    assert operation.name == "SendMessage"
    assert params == {
        "QueueUrl": "http://sqs.us-east-2.amazonaws.com/123456789012/MyQueue/",
        "MessageBody": "This is a test message",
        # Current member names: the provider serves json and query clients alike.
        "MessageAttributes": {
            "my_attribute_name_1": {"StringValue": "my_attribute_value_1", "DataType": "String"},
            "my_attribute_name_2": {"StringValue": "my_attribute_value_2", "DataType": "String"},
        },
    }


def test_sqs_queue_url_param_wins_over_the_path(sqs: QueryProtocol) -> None:
    _, params = sqs.parse(_post("Action=PurgeQueue&QueueUrl=http%3A%2F%2Fh%2F1%2Fq", path="/2/other"))
    assert params == {"QueueUrl": "http://h/1/q"}


def test_sqs_attribute_names_and_flattened_maps(sqs: QueryProtocol) -> None:
    _, params = sqs.parse(_post(
        "Action=ReceiveMessage&QueueUrl=u&AttributeName.1=All&MessageAttributeName.1=a"
        "&MessageAttributeName.2=b&MaxNumberOfMessages=5&WaitTimeSeconds=20"))
    assert params == {"QueueUrl": "u", "AttributeNames": ["All"], "MessageAttributeNames": ["a", "b"],
                      "MaxNumberOfMessages": 5, "WaitTimeSeconds": 20}
    _, params = sqs.parse(_post(
        "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5"
        "&Tag.1.Key=team&Tag.1.Value=core"))
    assert params == {"QueueName": "q", "Attributes": {"DelaySeconds": "5"}, "tags": {"team": "core"}}


def test_sqs_receive_message_xml_has_the_query_era_elements(sqs: QueryProtocol) -> None:
    operation = load_service_model("sqs").operation_model("ReceiveMessage")
    result = {"Messages": [{
        "MessageId": "m-1", "ReceiptHandle": "r-1", "MD5OfBody": "d", "Body": "hello",
        "Attributes": {"SenderId": "AID", "SentTimestamp": "1"},
        "MessageAttributes": {"colour": {"StringValue": "red", "DataType": "String"}},
    }]}

    response = sqs.serialize_result(operation, result, "rid-1")

    assert response.status == 200
    assert response.header("Content-Type") == "text/xml"
    root = _xml(response.body)
    assert ElementTree.fromstring(response.body).tag == "{http://queue.amazonaws.com/doc/2012-11-05/}ReceiveMessageResponse"
    message = root.find("ReceiveMessageResult/Message")
    assert message.findtext("Body") == "hello"
    assert [(a.findtext("Name"), a.findtext("Value")) for a in message.findall("Attribute")] == [
        ("SenderId", "AID"), ("SentTimestamp", "1")]
    assert message.findtext("MessageAttribute/Name") == "colour"
    assert message.findtext("MessageAttribute/Value/StringValue") == "red"
    assert root.findtext("ResponseMetadata/RequestId") == "rid-1"


def test_sqs_query_errors_carry_the_query_era_code_and_status(sqs: QueryProtocol) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html
    response = sqs.serialize_error(ServiceError("The specified queue does not exist.", code="QueueDoesNotExist"),
                                   None, "rid-2")
    root = _xml(response.body)
    assert response.status == 400
    assert root.tag == "ErrorResponse"
    assert root.findtext("Error/Type") == "Sender"
    assert root.findtext("Error/Code") == "AWS.SimpleQueueService.NonExistentQueue"
    assert root.findtext("Error/Message") == "The specified queue does not exist."
    assert root.findtext("RequestId") == "rid-2"
    # The query model gives OverLimit its own status.
    assert sqs.serialize_error(ServiceError("too many", code="OverLimit"), None, "r").status == 403


def test_a_provider_may_raise_with_the_query_code_too(sqs: QueryProtocol) -> None:
    response = sqs.serialize_error(ServiceError("gone", code="AWS.SimpleQueueService.NonExistentQueue"), None, "r")
    assert _xml(response.body).findtext("Error/Code") == "AWS.SimpleQueueService.NonExistentQueue"


def test_receiver_faults_say_so(sns: QueryProtocol) -> None:
    response = sns.serialize_error(ServiceError("boom", code="InternalErrorException"), None, "r")
    root = _xml(response.body)
    assert (response.status, root.findtext("Error/Type"), root.findtext("Error/Code")) == (500, "Receiver", "InternalError")


def test_get_with_query_string_and_non_flattened_maps(sns: QueryProtocol) -> None:
    request = HttpRequest("GET", "/", "Action=CreateTopic&Version=2010-03-31&Name=alerts"
                          "&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Alerts"
                          "&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=false"
                          "&Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1",
                          {"host": "localhost"})
    operation, params = sns.parse(request)
    assert operation.name == "CreateTopic"
    assert params == {"Name": "alerts", "Attributes": {"DisplayName": "Alerts", "FifoTopic": "false"},
                      "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}


def test_an_empty_list_is_sent_as_a_bare_name(sns: QueryProtocol) -> None:
    operation = sns.model.operation_model("CreateTopic")
    request = client_request("query", operation, {"Name": "t", "Tags": []})
    assert b"Tags=&" in request.body or request.body.endswith(b"Tags=")
    assert sns.parse(request)[1] == {"Name": "t", "Tags": []}


def test_missing_and_unknown_actions() -> None:
    sts = QueryProtocol(load_service_model("sts"))
    with pytest.raises(MissingAction) as missing:
        sts.parse(_post("Version=2011-06-15"))
    assert (missing.value.code, missing.value.status) == ("MissingAction", 400)
    with pytest.raises(UnknownOperationError) as unknown:
        sts.parse(_post("Action=MakeMeAdmin&Version=2011-06-15"))
    assert (unknown.value.code, unknown.value.status) == ("InvalidAction", 400)
    assert "MakeMeAdmin" in unknown.value.message


@pytest.mark.parametrize("body, member", [
    ("Action=AssumeRole&RoleArn=a&RoleSessionName=s&DurationSeconds=soon", "DurationSeconds"),
    ("Action=GetSessionToken&DurationSeconds=1.5", "DurationSeconds"),
])
def test_values_of_the_wrong_type_are_invalid_parameter_values(body: str, member: str) -> None:
    with pytest.raises(SerializationError) as caught:
        QueryProtocol(load_service_model("sts")).parse(_post(body))
    assert caught.value.code == "InvalidParameterValue"
    assert member in caught.value.message


def test_booleans_and_blobs() -> None:
    sns = QueryProtocol(load_service_model("sns"))
    with pytest.raises(SerializationError):
        sns.parse(_post("Action=Publish&Message=m&MessageAttributes.entry.1.Name=a"
                        "&MessageAttributes.entry.1.Value.DataType=Binary"
                        "&MessageAttributes.entry.1.Value.BinaryValue=%%%"))
    _, params = sns.parse(_post("Action=Publish&Message=m&MessageAttributes.entry.1.Name=a"
                                "&MessageAttributes.entry.1.Value.DataType=Binary"
                                "&MessageAttributes.entry.1.Value.BinaryValue=AAEC"))
    assert params["MessageAttributes"] == {"a": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"}}


def test_timestamps_keep_milliseconds_both_ways() -> None:
    cloudwatch = QueryProtocol(load_service_model("cloudwatch"))
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
    operation = cloudwatch.model.operation_model("GetMetricStatistics")
    params = {"Namespace": "n", "MetricName": "m", "StartTime": when, "EndTime": when,
              "Period": 60, "Statistics": ["Sum"]}
    assert cloudwatch.parse(client_request("query", operation, params))[1]["StartTime"] == when

    response = cloudwatch.serialize_result(operation, {"Datapoints": [{"Timestamp": when, "Sum": 2.5}]}, "r")
    assert b"<Timestamp>2024-05-06T07:08:09.123Z</Timestamp>" in response.body
    assert client_parse("query", operation, response)["Datapoints"][0]["Timestamp"].timestamp() == when.timestamp()


def test_text_that_xml_would_alter_survives() -> None:
    sts = QueryProtocol(load_service_model("sts"))
    operation = sts.model.operation_model("GetCallerIdentity")
    tricky = "line\r\nnext ]]> <![CDATA[ & \"quoted\" 'single' \t tab"
    response = sts.serialize_result(operation, {"UserId": tricky, "Account": "1", "Arn": "a"}, "r")
    assert client_parse("query", operation, response)["UserId"] == tricky


def test_the_query_model_of_sqs_only_adds_wire_traits() -> None:
    plain, query = load_service_model("sqs"), query_model(load_service_model("sqs"))
    assert query.metadata["xmlNamespace"] == "http://queue.amazonaws.com/doc/2012-11-05/"
    assert set(query.operation_names) == set(plain.operation_names)
    for name in plain.shape_names:
        old, new = plain.shape_for(name), query.shape_for(name)
        assert new.type_name == old.type_name
        if old.type_name == "structure":
            assert list(new.members) == list(old.members)
            assert new.required_members == old.required_members
    assert query.shape_for("QueueDoesNotExist").error_code == "AWS.SimpleQueueService.NonExistentQueue"
    # Models that describe their query form are used as they are.
    cloudwatch = load_service_model("cloudwatch")
    assert query_model(cloudwatch) is cloudwatch
    with pytest.raises(LookupError):
        query_model(load_service_model("lambda"))


def test_special_floats_in_xml_and_form_values() -> None:
    cloudwatch = QueryProtocol(load_service_model("cloudwatch"))
    operation = cloudwatch.model.operation_model("GetMetricStatistics")
    result = {"Datapoints": [{"Sum": float("inf"), "Minimum": float("-inf"), "Maximum": 0.1}]}
    response = cloudwatch.serialize_result(operation, result, "r")
    assert b"<Sum>Infinity</Sum>" in response.body and b"<Minimum>-Infinity</Minimum>" in response.body
    assert client_parse("query", operation, response)["Datapoints"] == result["Datapoints"]
    put = cloudwatch.model.operation_model("PutMetricData")
    request = client_request("query", put, {"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 0.1}]})
    assert cloudwatch.parse(request)[1]["MetricData"][0]["Value"] == 0.1
