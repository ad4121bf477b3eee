"""SNS topic policies take part in authorization, as resource policies do
(https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.functions import unique_name
from tests.identities import make_user
from tests.lamina_server import LaminaServer


def test_a_topic_policy_lets_a_user_without_identity_policies_publish(server: LaminaServer) -> None:
    sns = server.client("sns")
    topic = sns.create_topic(Name=unique_name("policy-topic"))["TopicArn"]
    user = make_user(server)
    publisher = user.client("sns")
    with pytest.raises(ClientError) as denied:
        publisher.publish(TopicArn=topic, Message="hello")
    assert denied.value.response["Error"]["Code"] == "AuthorizationError"
    assert f"{user.arn} is not authorized to perform: sns:publish on resource: {topic}" in \
        denied.value.response["Error"]["Message"].lower()

    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": user.arn}, "Action": "sns:Publish",
                       "Resource": topic}]}))
    assert publisher.publish(TopicArn=topic, Message="hello")["MessageId"]
    # The policy allows publishing, nothing else.
    with pytest.raises(ClientError) as still_denied:
        publisher.delete_topic(TopicArn=topic)
    assert still_denied.value.response["Error"]["Code"] == "AuthorizationError"
