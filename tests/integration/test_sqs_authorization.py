"""SQS under IAM: queue policies take part in authorization, and a function's execution role decides what
it may do with queues (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html)."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.functions import python_zip, unique_name
from tests.identities import make_user
from tests.lamina_server import LAMBDA_TRUST, LaminaServer

SENDER = """
import boto3
from botocore.exceptions import ClientError

sqs = boto3.client("sqs")

def handler(event, context):
    try:
        sqs.send_message(QueueUrl=event["queue"], MessageBody="from the function")
        return "sent"
    except ClientError as error:
        return error.response["Error"]["Code"]
"""


def test_a_queue_policy_lets_a_user_without_identity_policies_send(server: LaminaServer) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=unique_name("policy-q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    user = make_user(server)
    sender = user.client("sqs")
    with pytest.raises(ClientError) as denied:
        sender.send_message(QueueUrl=url, MessageBody="hello")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": user.arn}, "Action": "sqs:SendMessage",
                       "Resource": arn}]})})
    assert sender.send_message(QueueUrl=url, MessageBody="hello")["MessageId"]
    with pytest.raises(ClientError):
        sender.receive_message(QueueUrl=url)  # the policy grants sending only


def test_the_execution_role_decides_whether_a_function_may_send(server: LaminaServer) -> None:
    sqs, iam, lam = server.client("sqs"), server.client("iam"), server.client("lambda")
    url = sqs.create_queue(QueueName=unique_name("role-q"))["QueueUrl"]
    role = f"sender-{uuid.uuid4().hex[:8]}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    name = unique_name("sender")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=role_arn, Handler="app.handler",
                        Code={"ZipFile": python_zip(SENDER)}, Timeout=30)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})

    def invoke() -> str:
        return json.loads(lam.invoke(FunctionName=name, Payload=json.dumps({"queue": url}))["Payload"].read())

    assert invoke() == "AccessDenied"
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    assert invoke() == "sent"
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]["Body"] == "from the function"
