"""Amazon CloudWatch (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).

An alarm is ``arn:aws:cloudwatch:<region>:<account>:alarm:<name>``; metric operations act on
``*``, narrowed by the ``cloudwatch:namespace`` condition key.
"""

from __future__ import annotations

from lamina.iam.actions.table import Op, Params, ServiceActions, Where, given_arn

SERVICE = "cloudwatch"


def alarm(params: Params, where: Where) -> str:
    return where.arn("cloudwatch", f"alarm:{params['AlarmName']}")


def first_alarm(params: Params, where: Where) -> str | None:
    names = params.get("AlarmNames") or ()
    return alarm({"AlarmName": names[0]}, where) if len(names) == 1 else None


def dashboard(params: Params, where: Where) -> str:
    return f"arn:{where.partition}:cloudwatch::{where.account}:dashboard/{params['DashboardName']}"


def _namespace(params: Params, where: Where) -> dict[str, object]:
    return {"cloudwatch:namespace": params.get("Namespace")}


TABLE = ServiceActions(
    service=SERVICE,
    prefix="cloudwatch",
    resources=(("AlarmName", alarm), ("AlarmNames", first_alarm), ("DashboardName", dashboard),
               ("ResourceARN", given_arn("ResourceARN"))),
    operations={"PutMetricData": Op(keys=_namespace)},
)
