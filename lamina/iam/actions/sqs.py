"""Amazon SQS (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html).

A queue is ``arn:aws:sqs:<region>:<account>:<name>``; requests name it by URL
(``.../<account>/<name>``). The batch operations need the permission of their single form:
"SendMessageBatch ... permission: sqs:SendMessage"
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lamina.iam.actions.table import Op, Params, ServiceActions, Where, any_resource

SERVICE = "sqs"


def queue_from_url(params: Params, where: Where) -> str | None:
    parts = [p for p in urlsplit(str(params["QueueUrl"])).path.split("/") if p]
    if len(parts) < 2:
        return None
    return f"arn:{where.partition}:sqs:{where.region}:{parts[-2]}:{parts[-1]}"


def queue_from_name(params: Params, where: Where) -> str:
    owner = params.get("QueueOwnerAWSAccountId") or where.account
    return f"arn:{where.partition}:sqs:{where.region}:{owner}:{params['QueueName']}"


TABLE = ServiceActions(
    service=SERVICE,
    prefix="sqs",
    resources=(("QueueUrl", queue_from_url), ("QueueName", queue_from_name),
               ("SourceArn", lambda params, where: params["SourceArn"])),
    operations={
        "SendMessageBatch": Op("SendMessage"),
        "DeleteMessageBatch": Op("DeleteMessage"),
        "ChangeMessageVisibilityBatch": Op("ChangeMessageVisibility"),
        "ListQueues": Op(resource=any_resource),
        "CancelMessageMoveTask": Op(resource=any_resource),
    },
    # SQS's query-era code, which its JSON protocol carries too (x-amzn-query-error: AccessDenied;Sender).
    denied_code="AccessDenied",
)
