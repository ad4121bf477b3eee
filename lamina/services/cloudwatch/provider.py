"""The CloudWatch API: metric data, statistics, metric math, and metric alarms."""

from __future__ import annotations

import time
from typing import Any

import orjson

from lamina.services.cloudwatch import metric_input, metric_queries
from lamina.services.cloudwatch.alarm_actions import AlarmTransitions
from lamina.services.cloudwatch.alarm_evaluation import Verdict
from lamina.services.cloudwatch.alarms import AlarmBook, check_definition, public
from lamina.services.cloudwatch.datapoints import MetricStore, dimensions_key, to_seconds
from lamina.services.cloudwatch.errors import (
    InvalidFormatFault,
    InvalidNextToken,
    InvalidParameterValueException,
    ResourceNotFound,
    ResourceNotFoundException,
)
from lamina.services.cloudwatch.metric_queries import Scope
from lamina.services.cloudwatch.prometheus import PrometheusEndpoint
from lamina.services.cloudwatch.value_series import Group, ValueSeries
from lamina.services.context import CallContext
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider, Result
from lamina.triggers.alarm_evaluator import AlarmEvaluator
from lamina.triggers.metric_rollup import MetricRollup

LIST_PAGE = 500
TWO_WEEKS = 14 * 86400


def _scope(ctx: CallContext) -> Scope:
    return Scope(ctx.account_id, ctx.region)


def _page(items: list[Any], token: str | None, size: int) -> tuple[list[Any], str | None]:
    if token is not None and not token.isdigit():
        raise InvalidNextToken("The service couldn't process the NextToken.")
    start = int(token or 0)
    return items[start:start + size], (str(start + size) if start + size < len(items) else None)


class CloudWatchProvider(Provider):
    service_name = "cloudwatch"
    ignored_members = {
        "PutMetricData": {"StrictEntityValidation": "entities are not recorded"},
        "ListMetrics": {"IncludeLinkedAccounts": "there are no linked accounts",
                        "OwningAccount": "there are no linked accounts"},
        "GetMetricData": {"LabelOptions": "labels are not localised (no time zone offset)"},
        "PutMetricAlarm": {"EvaluateLowSampleCountPercentile": "percentile alarms always evaluate",
                           "EvaluationInterval": "alarms are evaluated every minute and as their data arrives"},
        "DescribeAlarmHistory": {"AlarmContributorId": "alarms have no contributors (no multi-series alarms)"},
    }
    unsupported_members = {
        "PutMetricData": {"EntityMetricData": "entity-associated metrics are not recorded"},
        "PutMetricAlarm": {"EvaluationCriteria": "PromQL alarms are not evaluated",
                           "ThresholdMetricId": "anomaly detection alarms are not evaluated"},
        "DescribeAlarms": {"ChildrenOfAlarmName": "composite alarms are not implemented",
                           "ParentsOfAlarmName": "composite alarms are not implemented"},
    }

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.metrics = MetricStore(platform.store)
        self.alarms = AlarmBook(platform.store)
        self.transitions = AlarmTransitions(platform, self.alarms)
        self.evaluator = AlarmEvaluator(self.alarms, self.metrics, self.transitions,
                                        platform.settings.alarm_evaluation_seconds)
        self.rollup = MetricRollup(self.metrics)
        self.prometheus = PrometheusEndpoint(platform)
        platform.logs.metrics = self  # Embedded Metric Format lines become metrics
        platform.front_doors.append(self.prometheus)

    async def start(self) -> None:
        self.evaluator.start()
        self.rollup.start()

    async def stop(self) -> None:
        await self.evaluator.stop()
        await self.rollup.stop()
        self.metrics.flush()

    # -- PutMetricData, and the MetricPublisher interface ----------------------------------------
    def put_metric_data(self, *args: Any) -> Any:
        """Both the PutMetricData operation, ``(ctx, params)``, awaited by the gateway, and the in-process
        MetricPublisher interface, ``(account, region, namespace, data)``, called by the engine's hooks, EMF
        and other services: the gateway finds operations by name, and the interface has the same name."""
        if isinstance(args[0], CallContext):
            return self._put_metric_data_operation(args[0], args[1])
        account, region, namespace, data = args
        for datum in data:
            self.metrics.add(account, region, namespace, datum)
            self.prometheus.observe(namespace, datum)
        self.metrics.schedule_flush()
        return None

    def value_series(self, account: str, region: str, namespace: str, groups: list[Group]) -> ValueSeries:
        """The MetricPublisher handle for series published together again and again (one value per group:
        metric name, unit, dimension sets with their ``dimensions_key``)."""
        observers = []
        for index, (name, _, dimension_sets) in enumerate(groups):
            for dimensions, _ in dimension_sets:
                observe = self.prometheus.observer(namespace, name, dimensions)
                if observe is not None:
                    observers.append((index, observe))
        return ValueSeries(self.metrics, account, region, namespace, groups, observers)

    async def _put_metric_data_operation(self, ctx: CallContext, params: Params) -> Result:
        data = params.get("MetricData") or []
        if not data:
            raise InvalidParameterValueException("The parameter MetricData is required and must not be empty.")
        metric_input.check(params["Namespace"], data)
        for datum in data:
            self.metrics.add(ctx.account_id, ctx.region, params["Namespace"], datum)
            self.prometheus.observe(params["Namespace"], datum)
        self.metrics.flush()  # acknowledged data is in the store before the answer
        # Alarms on these metrics are evaluated before the answer too, so a caller reads its own writes.
        await self.evaluator.evaluate_written()
        return None

    async def list_metrics(self, ctx: CallContext, params: Params) -> Result:
        since = time.time() - (3 * 3600 if params.get("RecentlyActive") == "PT3H" else TWO_WEEKS)
        found = self.metrics.list_metrics(ctx.account_id, ctx.region, params.get("Namespace"),
                                          params.get("MetricName"), params.get("Dimensions"), int(since))
        page, token = _page(found, params.get("NextToken"), LIST_PAGE)
        result: dict[str, Any] = {"Metrics": page}
        if token:
            result["NextToken"] = token
        return result

    async def get_metric_statistics(self, ctx: CallContext, params: Params) -> Result:
        return metric_queries.get_metric_statistics(self.metrics, _scope(ctx), params)

    async def get_metric_data(self, ctx: CallContext, params: Params) -> Result:
        token = params.get("NextToken")
        if token is not None and not token.isdigit():
            raise InvalidNextToken("The service couldn't process the NextToken.")
        result = metric_queries.get_metric_data(self.metrics, _scope(ctx), params)
        return metric_queries.page_of(result, int(token or 0), params.get("MaxDatapoints") or 100_800)

    # -- alarms -----------------------------------------------------------------------------------
    async def put_metric_alarm(self, ctx: CallContext, params: Params) -> Result:
        check_definition(params)
        if params.get("Metrics"):
            # Evaluate once now so a broken expression is refused here, not silently at every round.
            metric_queries.run_queries(self.metrics, _scope(ctx), params["Metrics"], time.time() - 3600, time.time())
        alarm, created = await self.alarms.put(ctx.account_id, ctx.region, params)
        if created and alarm.get("ActionsEnabled", True) and alarm.get("InsufficientDataActions"):
            alarm["StateValue"] = "_NEW"  # so the first transition to INSUFFICIENT_DATA runs its actions
            await self.transitions.apply(alarm, Verdict("INSUFFICIENT_DATA", alarm["StateReason"]), "")
        await self.evaluator.evaluate_one(alarm, time.time())
        return None

    def _shown(self, alarm: dict[str, Any]) -> dict[str, Any]:
        return public(alarm)

    async def describe_alarms(self, ctx: CallContext, params: Params) -> Result:
        types = params.get("AlarmTypes") or ["MetricAlarm"]
        alarms = await self.alarms.all(ctx.account_id, ctx.region)
        names = params.get("AlarmNames")
        if names:
            alarms = [a for a in alarms if a["AlarmName"] in names]
        if params.get("AlarmNamePrefix"):
            alarms = [a for a in alarms if a["AlarmName"].startswith(params["AlarmNamePrefix"])]
        if params.get("StateValue"):
            alarms = [a for a in alarms if a["StateValue"] == params["StateValue"]]
        if params.get("ActionPrefix"):
            prefix = params["ActionPrefix"]
            alarms = [a for a in alarms if any(x.startswith(prefix) for k in ("AlarmActions", "OKActions",
                                                                             "InsufficientDataActions")
                                               for x in a.get(k) or ())]
        if "MetricAlarm" not in types:
            alarms = []
        page, token = _page(sorted(alarms, key=lambda a: a["AlarmName"]), params.get("NextToken"),
                            params.get("MaxRecords") or 50)
        result: dict[str, Any] = {"MetricAlarms": [self._shown(a) for a in page], "CompositeAlarms": []}
        if token:
            result["NextToken"] = token
        return result

    async def describe_alarms_for_metric(self, ctx: CallContext, params: Params) -> Result:
        wanted = dimensions_key(params.get("Dimensions"))
        found = []
        for alarm in await self.alarms.all(ctx.account_id, ctx.region):
            if alarm.get("MetricName") != params["MetricName"] or alarm.get("Namespace") != params["Namespace"]:
                continue
            if params.get("Dimensions") is not None and dimensions_key(alarm.get("Dimensions")) != wanted:
                continue
            if any(params.get(k) is not None and alarm.get(k) != params[k]
                   for k in ("Statistic", "ExtendedStatistic", "Period", "Unit")):
                continue
            found.append(self._shown(alarm))
        return {"MetricAlarms": found}

    async def delete_alarms(self, ctx: CallContext, params: Params) -> Result:
        missing = [n for n in params["AlarmNames"] if await self.alarms.get(ctx.account_id, ctx.region, n) is None]
        if missing:
            raise ResourceNotFound(f"The following alarms could not be found: [{', '.join(missing)}]")
        for name in params["AlarmNames"]:
            await self.alarms.delete(ctx.account_id, ctx.region, name)
            await self.platform.store.delete("cloudwatch:tags",
                                             f"arn:aws:cloudwatch:{ctx.region}:{ctx.account_id}:alarm:{name}")
        return None

    async def set_alarm_state(self, ctx: CallContext, params: Params) -> Result:
        alarm = await self.alarms.get(ctx.account_id, ctx.region, params["AlarmName"])
        if alarm is None:
            raise ResourceNotFound(f"Alarm {params['AlarmName']} not found")
        data = params.get("StateReasonData")
        if data is not None:
            try:
                orjson.loads(data)
            except orjson.JSONDecodeError:
                raise InvalidFormatFault("The StateReasonData is not valid JSON.") from None
        await self.transitions.apply(alarm, Verdict(params["StateValue"], params["StateReason"]), data or "")
        return None

    async def _set_actions(self, ctx: CallContext, names: list[str], enabled: bool) -> None:
        for name in names:
            alarm = await self.alarms.get(ctx.account_id, ctx.region, name)
            if alarm is not None:
                alarm["ActionsEnabled"] = enabled
                await self.alarms.save(alarm)

    async def enable_alarm_actions(self, ctx: CallContext, params: Params) -> Result:
        await self._set_actions(ctx, params["AlarmNames"], True)
        return None

    async def disable_alarm_actions(self, ctx: CallContext, params: Params) -> Result:
        await self._set_actions(ctx, params["AlarmNames"], False)
        return None

    async def describe_alarm_history(self, ctx: CallContext, params: Params) -> Result:
        start = to_seconds(params["StartDate"]) if params.get("StartDate") else None
        end = to_seconds(params["EndDate"]) if params.get("EndDate") else None
        items = self.alarms.history(ctx.account_id, ctx.region, params.get("AlarmName"),
                                    params.get("HistoryItemType"), start, end,
                                    params.get("ScanBy") == "TimestampAscending")
        if params.get("AlarmTypes") and "MetricAlarm" not in params["AlarmTypes"]:
            items = []
        page, token = _page(items, params.get("NextToken"), params.get("MaxRecords") or 100)
        result: dict[str, Any] = {"AlarmHistoryItems": page}
        if token:
            result["NextToken"] = token
        return result

    # -- tags -------------------------------------------------------------------------------------
    async def _alarm_for_arn(self, ctx: CallContext, arn: str) -> str:
        parts = arn.split(":", 6)
        if len(parts) < 7 or parts[2] != "cloudwatch" or parts[5] != "alarm":
            raise InvalidParameterValueException(f"Invalid ARN: {arn}")
        if await self.alarms.get(ctx.account_id, ctx.region, parts[6]) is None:
            raise ResourceNotFoundException(f"The resource {arn} does not exist.")
        return arn

    async def tag_resource(self, ctx: CallContext, params: Params) -> Result:
        arn = await self._alarm_for_arn(ctx, params["ResourceARN"])
        found = await self.platform.store.get("cloudwatch:tags", arn)
        tags = {t["Key"]: t["Value"] for t in (found.value["tags"] if found else [])}
        tags.update({t["Key"]: t["Value"] for t in params["Tags"]})
        await self.platform.store.put("cloudwatch:tags", arn, {"tags": [{"Key": k, "Value": v} for k, v in tags.items()]})
        return {}

    async def untag_resource(self, ctx: CallContext, params: Params) -> Result:
        arn = await self._alarm_for_arn(ctx, params["ResourceARN"])
        found = await self.platform.store.get("cloudwatch:tags", arn)
        tags = [t for t in (found.value["tags"] if found else []) if t["Key"] not in params["TagKeys"]]
        await self.platform.store.put("cloudwatch:tags", arn, {"tags": tags})
        return {}

    async def list_tags_for_resource(self, ctx: CallContext, params: Params) -> Result:
        arn = await self._alarm_for_arn(ctx, params["ResourceARN"])
        found = await self.platform.store.get("cloudwatch:tags", arn)
        return {"Tags": found.value["tags"] if found else []}
