"""The SNS API: topics, subscriptions (with confirmation), publishing and fan-out."""

from __future__ import annotations

from typing import Any

from lamina.protocol.errors import ServiceError
from lamina.services.context import CallContext
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider, Result
from lamina.services.sns import links, publishing, retry_policy
from lamina.services.sns.errors import (
    BatchEntryIdsNotDistinctException,
    EmptyBatchRequestException,
    InvalidParameterException,
    NotFoundException,
    ResourceNotFoundException,
    TagLimitExceededException,
    TooManyEntriesInBatchRequestException,
)
from lamina.services.sns.subscriptions import (
    NEEDS_CONFIRMATION,
    SubscriptionTable,
    attributes_of,
    check_attribute,
    check_endpoint,
    listed,
)
from lamina.services.sns.topics import TopicTable
from lamina.triggers.sns_delivery import DeliveryWorker

PAGE = 100
MAX_BATCH = 10


def _page(items: list[Any], token: str | None) -> tuple[list[Any], str | None]:
    start = int(token) if token and token.isdigit() else 0
    return items[start:start + PAGE], (str(start + PAGE) if start + PAGE < len(items) else None)


class SnsProvider(Provider):
    service_name = "sns"
    ignored_members = {
        "CreateTopic": {"DataProtectionPolicy": "message data protection is not applied"},
        "ConfirmSubscription": {"AuthenticateOnUnsubscribe": "unsubscribing is not restricted to the owner"},
    }
    unsupported_members = {
        "Publish": {"PhoneNumber": "SMS messages are not sent"},
    }

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.topics = TopicTable(platform.store)
        self.subscriptions = SubscriptionTable(platform.store)
        self.worker = DeliveryWorker(platform, self.topics, self.subscriptions)
        links.register(platform, self)

    async def start(self) -> None:
        await self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    # -- topics -----------------------------------------------------------------------------------
    async def create_topic(self, ctx: CallContext, params: Params) -> Result:
        attributes = params.get("Attributes") or {}
        if attributes.get("DeliveryPolicy"):
            retry_policy.check_document(attributes["DeliveryPolicy"], "Attributes")
        arn = await self.topics.create(ctx.region, ctx.account_id, params["Name"], attributes,
                                       params.get("Tags") or [])
        return {"TopicArn": arn}

    async def delete_topic(self, ctx: CallContext, params: Params) -> Result:
        arn = params["TopicArn"]
        if await self.topics.find(arn) is None:
            raise NotFoundException("Topic does not exist")
        for subscription in await self.subscriptions.of_topic(arn):
            await self.subscriptions.delete(subscription["SubscriptionArn"])
        await self.topics.delete(arn)
        return None

    async def list_topics(self, ctx: CallContext, params: Params) -> Result:
        page, token = _page(await self.topics.list(ctx.region, ctx.account_id), params.get("NextToken"))
        result: dict[str, Any] = {"Topics": [{"TopicArn": arn} for arn in page]}
        if token:
            result["NextToken"] = token
        return result

    async def get_topic_attributes(self, ctx: CallContext, params: Params) -> Result:
        topic = await self.topics.get(params["TopicArn"])
        subscriptions = await self.subscriptions.of_topic(topic["Arn"])
        confirmed = sum(1 for s in subscriptions if s["Confirmed"])
        attributes = {"TopicArn": topic["Arn"], "Owner": topic["Account"],
                      "SubscriptionsConfirmed": str(confirmed),
                      "SubscriptionsPending": str(len(subscriptions) - confirmed),
                      "SubscriptionsDeleted": "0", **topic["Attributes"]}
        return {"Attributes": attributes}

    async def set_topic_attributes(self, ctx: CallContext, params: Params) -> Result:
        if params["AttributeName"] == "DeliveryPolicy" and params.get("AttributeValue"):
            retry_policy.check_document(params["AttributeValue"], "AttributeValue")
        await self.topics.set_attribute(params["TopicArn"], params["AttributeName"], params.get("AttributeValue"))
        return None

    # -- IAM: the topic policy and tags take part in every decision on the topic (interfaces.ResourcePolicies)
    async def resource_policy(self, arn: str) -> str | None:
        topic = await self.topics.find(arn)
        return topic["Attributes"].get("Policy") if topic else None

    async def resource_tags(self, arn: str) -> dict[str, str]:
        topic = await self.topics.find(arn)
        return dict(topic.get("Tags") or {}) if topic else {}

    # -- subscriptions ----------------------------------------------------------------------------
    async def subscribe(self, ctx: CallContext, params: Params) -> Result:
        topic = await self.topics.get(params["TopicArn"])
        protocol, endpoint = params["Protocol"], params.get("Endpoint")
        check_endpoint(protocol, endpoint)
        if self.platform.peer(protocol) is None and protocol in ("sqs", "lambda"):
            raise InvalidParameterException(
                f"Invalid parameter: lamina does not serve {protocol.upper()} on this node, so {endpoint} cannot be "
                "subscribed yet")
        if protocol in ("email", "email-json") and not self.platform.settings.smtp_host:
            raise InvalidParameterException(
                "Invalid parameter: e-mail subscriptions need an SMTP server: start lamina with LAMINA_SMTP_HOST "
                "(and LAMINA_SMTP_PORT) set")
        attributes = params.get("Attributes") or {}
        if attributes.get("DeliveryPolicy"):
            retry_policy.check_document(attributes["DeliveryPolicy"], "Attributes")
        subscription, created = await self.subscriptions.create(topic, protocol, endpoint or "", attributes,
                                                                ctx.account_id, ctx.base_url)
        if protocol in NEEDS_CONFIRMATION and not subscription["Confirmed"]:
            if created:
                await self.worker.enqueue([{"subscription": subscription["SubscriptionArn"],
                                            "kind": "SubscriptionConfirmation",
                                            "message": {"MessageId": publishing.new_id(), "TopicArn": topic["Arn"],
                                                        "DisplayName": topic["Attributes"].get("DisplayName", "")}}])
            if not params.get("ReturnSubscriptionArn"):
                return {"SubscriptionArn": "pending confirmation"}
        return {"SubscriptionArn": subscription["SubscriptionArn"]}

    async def confirm_subscription(self, ctx: CallContext, params: Params) -> Result:
        return {"SubscriptionArn": await self.confirm(params["TopicArn"], params["Token"])}

    async def confirm(self, topic_arn_: str, token: str) -> str:
        await self.topics.get(topic_arn_)
        subscription = await self.subscriptions.by_token(topic_arn_, token)
        if subscription is None:
            raise InvalidParameterException("Invalid token")
        if not subscription["Confirmed"]:
            subscription["Confirmed"] = True
            await self.subscriptions.save(subscription)
        return subscription["SubscriptionArn"]

    async def unsubscribe(self, ctx: CallContext, params: Params) -> Result:
        arn = params["SubscriptionArn"]
        if await self.subscriptions.find(arn) is None:
            if arn.count(":") < 6:
                raise InvalidParameterException("Invalid parameter: SubscriptionArn Reason: An ARN must have at least "
                                                "6 elements, not 1")
            raise NotFoundException("Subscription does not exist")
        await self.subscriptions.delete(arn)
        return None

    async def list_subscriptions(self, ctx: CallContext, params: Params) -> Result:
        found = await self.subscriptions.of_account(ctx.region, ctx.account_id)
        page, token = _page([listed(s) for s in found], params.get("NextToken"))
        result: dict[str, Any] = {"Subscriptions": page}
        if token:
            result["NextToken"] = token
        return result

    async def list_subscriptions_by_topic(self, ctx: CallContext, params: Params) -> Result:
        await self.topics.get(params["TopicArn"])
        found = await self.subscriptions.of_topic(params["TopicArn"])
        page, token = _page([listed(s) for s in found], params.get("NextToken"))
        result: dict[str, Any] = {"Subscriptions": page}
        if token:
            result["NextToken"] = token
        return result

    async def get_subscription_attributes(self, ctx: CallContext, params: Params) -> Result:
        return {"Attributes": attributes_of(await self.subscriptions.get(params["SubscriptionArn"]))}

    async def set_subscription_attributes(self, ctx: CallContext, params: Params) -> Result:
        subscription = await self.subscriptions.get(params["SubscriptionArn"])
        name, value = params["AttributeName"], params.get("AttributeValue") or ""
        check_attribute(name, value)
        if name == "DeliveryPolicy" and value:
            retry_policy.check_document(value, "AttributeValue")
        if name == "RawMessageDelivery" and subscription["Protocol"] not in ("http", "https", "sqs", "firehose"):
            raise InvalidParameterException("Invalid parameter: Delivery protocol [" + subscription["Protocol"]
                                            + "] does not support raw message delivery.")
        if value:
            subscription["Attributes"][name] = value
        else:
            subscription["Attributes"].pop(name, None)
        await self.subscriptions.save(subscription)
        return None

    # -- publishing -------------------------------------------------------------------------------
    async def publish(self, ctx: CallContext, params: Params) -> Result:
        arn = params.get("TopicArn") or params.get("TargetArn")
        if not arn:
            raise InvalidParameterException("Invalid parameter: TopicArn or TargetArn Reason: no value for required "
                                            "parameter")
        topic = await self._topic_for_publish(arn)
        message = publishing.build_message(topic, params)
        await publishing.fan_out(self.worker, self.subscriptions, [message])
        result = {"MessageId": message["MessageId"]}
        if message.get("SequenceNumber"):
            result["SequenceNumber"] = message["SequenceNumber"]
        return result

    async def _topic_for_publish(self, arn: str) -> dict[str, Any]:
        topic = await self.topics.find(arn)
        if topic is None:
            raise NotFoundException("Topic does not exist")
        return topic

    async def publish_batch(self, ctx: CallContext, params: Params) -> Result:
        topic = await self._topic_for_publish(params["TopicArn"])
        entries = params["PublishBatchRequestEntries"]
        if not entries:
            raise EmptyBatchRequestException("The batch request doesn't contain any entries.")
        if len(entries) > MAX_BATCH:
            raise TooManyEntriesInBatchRequestException("The batch request contains more entries than permissible.")
        ids = [e["Id"] for e in entries]
        if len(set(ids)) != len(ids):
            raise BatchEntryIdsNotDistinctException("Two or more batch entries in the request have the same Id.")
        successful, failed, built = [], [], []
        for entry in entries:
            try:
                message = publishing.build_message(topic, entry)
            except ServiceError as error:
                failed.append({"Id": entry["Id"], "Code": error.code.removesuffix("Exception"),
                               "Message": error.message, "SenderFault": True})
                continue
            built.append(message)
            done = {"Id": entry["Id"], "MessageId": message["MessageId"]}
            if message.get("SequenceNumber"):
                done["SequenceNumber"] = message["SequenceNumber"]
            successful.append(done)
        await publishing.fan_out(self.worker, self.subscriptions, built)
        return {"Successful": successful, "Failed": failed}

    async def publish_to_topic(self, topic_arn_: str, message: str, *, subject: str | None = None,
                               attributes: dict[str, dict[str, Any]] | None = None,
                               message_structure: str | None = None) -> str:
        """The TopicPublisher interface (alarm actions, Lambda destinations and dead-letter topics)."""
        topic = await self._topic_for_publish(topic_arn_)
        entry: dict[str, Any] = {"Message": message, "Subject": subject, "MessageAttributes": attributes,
                                 "MessageStructure": message_structure}
        built = publishing.build_message(topic, {k: v for k, v in entry.items() if v is not None})
        await publishing.fan_out(self.worker, self.subscriptions, [built])
        return built["MessageId"]

    # -- tags -------------------------------------------------------------------------------------
    async def _tagged(self, arn: str) -> dict[str, Any]:
        topic = await self.topics.find(arn)
        if topic is None:
            raise ResourceNotFoundException("Resource does not exist")
        return topic

    async def tag_resource(self, ctx: CallContext, params: Params) -> Result:
        topic = await self._tagged(params["ResourceArn"])
        topic["Tags"].update({t["Key"]: t["Value"] for t in params["Tags"]})
        if len(topic["Tags"]) > 50:
            raise TagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
        await self.topics.save(topic)
        return {}

    async def untag_resource(self, ctx: CallContext, params: Params) -> Result:
        topic = await self._tagged(params["ResourceArn"])
        for key in params["TagKeys"]:
            topic["Tags"].pop(key, None)
        await self.topics.save(topic)
        return {}

    async def list_tags_for_resource(self, ctx: CallContext, params: Params) -> Result:
        topic = await self._tagged(params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in topic["Tags"].items()]}

