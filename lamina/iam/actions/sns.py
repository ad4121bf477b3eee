"""Amazon SNS (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html).

A topic is ``arn:aws:sns:<region>:<account>:<name>``; a subscription's ARN is its topic's with an
ID after it, and operations on subscriptions are authorized on the topic. PublishBatch needs
sns:Publish (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html).
"""

from __future__ import annotations

from lamina.iam.actions.table import Op, Params, ServiceActions, Where, any_resource, given_arn

SERVICE = "sns"


def topic_of_subscription(params: Params, where: Where) -> str | None:
    arn = str(params["SubscriptionArn"])
    return arn.rsplit(":", 1)[0] if arn.count(":") >= 6 else None


def topic_from_name(params: Params, where: Where) -> str:
    return where.arn("sns", str(params["Name"]))


TABLE = ServiceActions(
    service=SERVICE,
    prefix="sns",
    resources=(("TopicArn", given_arn("TopicArn")), ("TargetArn", given_arn("TargetArn")),
               ("SubscriptionArn", topic_of_subscription), ("ResourceArn", given_arn("ResourceArn"))),
    operations={
        "CreateTopic": Op(resource=topic_from_name),
        "PublishBatch": Op("Publish"),
        "ListTopics": Op(resource=any_resource),
        "ListSubscriptions": Op(resource=any_resource),
    },
)
