"""CloudWatch Logs (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).

A log group is ``arn:aws:logs:<region>:<account>:log-group:<name>``, a stream
``...:log-group:<name>:log-stream:<stream>``: the resources Lambda's own policies name
("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/my-function:*" for
CreateLogStream and PutLogEvents, https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html).
"""

from __future__ import annotations

from lamina.iam.actions.table import Op, Params, ServiceActions, Where, any_resource, given_arn

SERVICE = "logs"


def _group(name: str, where: Where) -> str:
    return where.arn("logs", f"log-group:{name}")


def log_group(params: Params, where: Where) -> str:
    return _group(str(params["logGroupName"]), where)


def log_stream(params: Params, where: Where) -> str:
    group = log_group(params, where) if params.get("logGroupName") else group_identifier(params, where)
    return f"{group}:log-stream:{params['logStreamName']}"


def group_identifier(params: Params, where: Where) -> str:
    """``logGroupIdentifier``: a name or an ARN (with or without the trailing ``:*``)."""
    identifier = str(params["logGroupIdentifier"])
    return identifier.removesuffix(":*") if identifier.startswith("arn:") else _group(identifier, where)


def first_group(params: Params, where: Where) -> str | None:
    names = params.get("logGroupNames") or params.get("logGroupIdentifiers") or ()
    return group_identifier({"logGroupIdentifier": names[0]}, where) if names else None


TABLE = ServiceActions(
    service=SERVICE,
    prefix="logs",
    # A stream when the request names one, else its group.
    resources=(("logStreamName", log_stream), ("logGroupName", log_group), ("logGroupIdentifier", group_identifier),
               ("resourceArn", given_arn("resourceArn"))),
    operations={
        "DescribeLogGroups": Op(resource=any_resource),
        "DescribeLogStreams": Op(resource=lambda params, where: log_group(params, where)
                                 if params.get("logGroupName") else None),
        "StartQuery": Op(resource=lambda params, where: (log_group(params, where) if params.get("logGroupName")
                                                         else first_group(params, where))),
    },
)
