"""Operations to IAM actions, resources and condition keys, as the Service Authorization Reference and
the Lambda Developer Guide give them (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html)."""

from __future__ import annotations

import pytest

from lamina.iam.actions import access_for, tables
from lamina.iam.actions.table import Where
from lamina.protocol.models import load_service_model

WHERE = Where("us-east-1", "123456789012", caller="arn:aws:iam::123456789012:user/me")
FN = "arn:aws:lambda:us-east-1:123456789012:function"


@pytest.mark.parametrize("service, operation, params, action, resource, keys", [
    ("lambda", "Invoke", {"FunctionName": "f"}, "lambda:InvokeFunction", f"{FN}:f", {}),
    ("lambda", "Invoke", {"FunctionName": "f", "Qualifier": "prod"}, "lambda:InvokeFunction", f"{FN}:f:prod", {}),
    ("lambda", "Invoke", {"FunctionName": "123456789012:function:f:7"}, "lambda:InvokeFunction", f"{FN}:f:7", {}),
    ("lambda", "Invoke", {"FunctionName": "arn:aws:lambda:eu-west-1:210987654321:function:f"},
     "lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:210987654321:function:f", {}),
    ("lambda", "InvokeAsync", {"FunctionName": "f"}, "lambda:InvokeAsync", f"{FN}:f", {}),
    ("lambda", "GetFunction", {"FunctionName": "f", "Qualifier": "3"}, "lambda:GetFunction", f"{FN}:f:3", {}),
    ("lambda", "CreateFunction", {"FunctionName": "f", "Tags": {"team": "a"}, "Layers": ["arn:l:1"]},
     "lambda:CreateFunction", f"{FN}:f",
     {"aws:requesttag/team": "a", "aws:tagkeys": ("team",), "lambda:layer": ("arn:l:1",)}),
    ("lambda", "CreateAlias", {"FunctionName": "f", "Name": "live"}, "lambda:CreateAlias", f"{FN}:f", {}),
    ("lambda", "ListFunctions", {}, "lambda:ListFunctions", "*", {}),
    ("lambda", "GetAccountSettings", {}, "lambda:GetAccountSettings", "*", {}),
    ("lambda", "AddPermission", {"FunctionName": "f", "Principal": "sns.amazonaws.com"}, "lambda:AddPermission",
     f"{FN}:f", {"lambda:principal": "sns.amazonaws.com"}),
    ("lambda", "CreateEventSourceMapping", {"FunctionName": "f", "EventSourceArn": "arn:aws:sqs:us-east-1:1:q"},
     "lambda:CreateEventSourceMapping", "*", {"lambda:functionarn": f"{FN}:f"}),
    ("lambda", "DeleteEventSourceMapping", {"UUID": "u-1"}, "lambda:DeleteEventSourceMapping",
     "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:u-1", {}),
    ("lambda", "GetLayerVersion", {"LayerName": "l", "VersionNumber": 2}, "lambda:GetLayerVersion",
     "arn:aws:lambda:us-east-1:123456789012:layer:l:2", {}),
    ("lambda", "GetLayerVersionByArn", {"Arn": "arn:aws:lambda:us-east-1:123456789012:layer:l:2"},
     "lambda:GetLayerVersion", "arn:aws:lambda:us-east-1:123456789012:layer:l:2", {}),
    ("lambda", "PublishLayerVersion", {"LayerName": "l"}, "lambda:PublishLayerVersion",
     "arn:aws:lambda:us-east-1:123456789012:layer:l", {}),
    ("lambda", "TagResource", {"Resource": f"{FN}:f", "Tags": {"k": "v"}}, "lambda:TagResource", f"{FN}:f",
     {"aws:requesttag/k": "v", "aws:tagkeys": ("k",)}),
    ("lambda", "UntagResource", {"Resource": f"{FN}:f", "TagKeys": ["k"]}, "lambda:UntagResource", f"{FN}:f",
     {"aws:tagkeys": ("k",)}),
    ("iam", "AttachRolePolicy", {"RoleName": "r", "PolicyArn": "arn:aws:iam::aws:policy/P"}, "iam:AttachRolePolicy",
     "arn:aws:iam::123456789012:role/r", {"iam:policyarn": "arn:aws:iam::aws:policy/P"}),
    ("iam", "AddUserToGroup", {"GroupName": "g", "UserName": "u"}, "iam:AddUserToGroup",
     "arn:aws:iam::123456789012:group/g", {}),
    ("iam", "CreateUser", {"UserName": "u", "Path": "/a/b/"}, "iam:CreateUser", "arn:aws:iam::123456789012:user/a/b/u", {}),
    ("iam", "CreateAccessKey", {}, "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/me", {}),
    ("iam", "ListUsers", {}, "iam:ListUsers", "*", {}),
    ("iam", "CreateUser", {"UserName": "u", "Tags": [{"Key": "k", "Value": "v"}]}, "iam:CreateUser",
     "arn:aws:iam::123456789012:user/u", {"aws:requesttag/k": "v", "aws:tagkeys": ("k",)}),
    ("sts", "GetAccessKeyInfo", {"AccessKeyId": "AKIA"}, "sts:GetAccessKeyInfo", "*", {}),
    ("sqs", "SendMessage", {"QueueUrl": "http://127.0.0.1:9060/123456789012/q"}, "sqs:SendMessage",
     "arn:aws:sqs:us-east-1:123456789012:q", {}),
    ("sqs", "SendMessageBatch", {"QueueUrl": "http://127.0.0.1:9060/123456789012/q"}, "sqs:SendMessage",
     "arn:aws:sqs:us-east-1:123456789012:q", {}),
    ("sqs", "GetQueueUrl", {"QueueName": "q"}, "sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:123456789012:q", {}),
    ("sqs", "ListQueues", {}, "sqs:ListQueues", "*", {}),
    ("sns", "Publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}, "sns:Publish",
     "arn:aws:sns:us-east-1:123456789012:t", {}),
    ("sns", "Unsubscribe", {"SubscriptionArn": "arn:aws:sns:us-east-1:123456789012:t:0c1e"}, "sns:Unsubscribe",
     "arn:aws:sns:us-east-1:123456789012:t", {}),
    ("sns", "CreateTopic", {"Name": "t"}, "sns:CreateTopic", "arn:aws:sns:us-east-1:123456789012:t", {}),
    ("logs", "PutLogEvents", {"logGroupName": "/aws/lambda/f", "logStreamName": "s", "logEvents": []},
     "logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:s", {}),
    ("logs", "CreateLogGroup", {"logGroupName": "/aws/lambda/f"}, "logs:CreateLogGroup",
     "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f", {}),
    ("logs", "GetLogEvents", {"logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:g:*",
                              "logStreamName": "s"}, "logs:GetLogEvents",
     "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", {}),
    ("logs", "DescribeLogGroups", {}, "logs:DescribeLogGroups", "*", {}),
    ("events", "PutRule", {"Name": "r"}, "events:PutRule", "arn:aws:events:us-east-1:123456789012:rule/r", {}),
    ("events", "PutTargets", {"Rule": "r", "EventBusName": "orders", "Targets": []}, "events:PutTargets",
     "arn:aws:events:us-east-1:123456789012:rule/orders/r", {}),
    ("events", "PutEvents", {"Entries": [{"EventBusName": "orders"}]}, "events:PutEvents",
     "arn:aws:events:us-east-1:123456789012:event-bus/orders", {}),
    ("cloudwatch", "PutMetricAlarm", {"AlarmName": "a"}, "cloudwatch:PutMetricAlarm",
     "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a", {}),
    ("cloudwatch", "PutMetricData", {"Namespace": "App", "MetricData": []}, "cloudwatch:PutMetricData", "*",
     {"cloudwatch:namespace": "App"}),
    # A service without a table yet is still checked: <service>:<Operation> on *.
    ("dynamodb", "ListTables", {}, "dynamodb:ListTables", "*", {}),
    # API Gateway: HTTP verbs on the API's paths.
    ("apigateway", "GetRestApi", {"restApiId": "a1b2"}, "apigateway:GET",
     "arn:aws:apigateway:us-east-1::/restapis/a1b2", {}),
    ("apigateway", "CreateResource", {"restApiId": "a1b2", "parentId": "p9", "pathPart": "x"}, "apigateway:POST",
     "arn:aws:apigateway:us-east-1::/restapis/a1b2/resources/p9", {}),
    ("apigatewayv2", "GetApis", {}, "apigateway:GET", "arn:aws:apigateway:us-east-1::/v2/apis", {}),
    ("apigatewayv2", "DeleteRoute", {"ApiId": "x1", "RouteId": "r2"}, "apigateway:DELETE",
     "arn:aws:apigateway:us-east-1::/v2/apis/x1/routes/r2", {}),
])
def test_access(service: str, operation: str, params: dict, action: str, resource: str, keys: dict) -> None:
    access = access_for(service, operation, params, WHERE)
    assert (access.action, access.resource, access.keys, access.checked) == (action, resource, keys, True)


@pytest.mark.parametrize("operation", ["AssumeRole", "GetCallerIdentity", "GetSessionToken"])
def test_sts_operations_the_provider_decides(operation: str) -> None:
    assert not access_for("sts", operation, {}, WHERE).checked


@pytest.mark.parametrize("service", sorted(tables()))
def test_every_table_entry_names_an_operation_of_the_model(service: str) -> None:
    model = load_service_model(service)
    assert set(tables()[service].operations) <= set(model.operation_names)
    members = {m for op in model.operation_names if model.operation_model(op).input_shape
               for m in model.operation_model(op).input_shape.members}
    assert {member for member, _ in tables()[service].resources} <= members
