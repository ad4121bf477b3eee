"""The CloudWatch Logs API: groups, streams, events, retention, tags and Logs Insights queries."""

from __future__ import annotations

import time
from typing import Any

from lamina.services.context import CallContext
from lamina.services.logs import events, ingestion
from lamina.services.logs.errors import InvalidParameterException, ResourceNotFoundException
from lamina.services.logs.filter_pattern import PatternError, compile_pattern
from lamina.services.logs.groups import TAGS, LogGroups, Scope, group_arn
from lamina.services.logs.queries import QueryRunner
from lamina.services.logs.storage import LogStorage
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider, Result
from lamina.triggers.log_retention import RetentionSweeper


def _scope(ctx: CallContext) -> Scope:
    return Scope(ctx.account_id, ctx.region)


def _group_name(params: Params) -> str:
    """logGroupName, or logGroupIdentifier (a name or an ARN, with or without the trailing ``:*``)."""
    name = params.get("logGroupName") or params.get("logGroupIdentifier")
    if not name:
        raise InvalidParameterException("Either logGroupName or logGroupIdentifier must be specified.")
    if params.get("logGroupName") and params.get("logGroupIdentifier"):
        raise InvalidParameterException("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if name.startswith("arn:"):
        name = name.split(":log-group:", 1)[-1].removesuffix(":*")
    return name


class LogsProvider(Provider):
    service_name = "logs"
    ignored_members = {
        "CreateLogGroup": {"kmsKeyId": "log data is not encrypted with a customer key",
                           "logGroupClass": "every group is STANDARD"},
        "PutLogEvents": {"entity": "entities are not recorded",
                         "sequenceToken": "sequence tokens are not checked, as CloudWatch Logs no longer checks them"},
        "DescribeLogGroups": {"accountIdentifiers": "there are no linked accounts",
                              "includeLinkedAccounts": "there are no linked accounts"},
        "GetLogEvents": {"unmask": "no data protection policies mask data"},
        "FilterLogEvents": {"unmask": "no data protection policies mask data",
                            "interleaved": "results are always interleaved (deprecated member)"},
    }
    unsupported_members = {
        "CreateLogGroup": {"deletionProtectionEnabled": "deletion protection is not implemented"},
        "StartQuery": {"queryLanguage": "only the Logs Insights query language (CWLI) is implemented"},
    }

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.storage: LogStorage = platform.logs
        self.db = platform.store
        self.groups = LogGroups(self.storage)
        self.queries = QueryRunner(self.storage)
        self.sweeper = RetentionSweeper(self.db)

    async def start(self) -> None:
        self.sweeper.start()

    async def stop(self) -> None:
        await self.sweeper.stop()
        await self.queries.stop()

    # -- groups -----------------------------------------------------------------------------------
    async def create_log_group(self, ctx: CallContext, params: Params) -> Result:
        self.groups.create(_scope(ctx), params["logGroupName"])
        if params.get("tags"):
            await self._tag(group_arn(ctx.region, ctx.account_id, params["logGroupName"]), params["tags"])
        return None

    async def delete_log_group(self, ctx: CallContext, params: Params) -> Result:
        self.groups.delete(_scope(ctx), params["logGroupName"])
        await self.db.delete(TAGS, group_arn(ctx.region, ctx.account_id, params["logGroupName"]))
        return None

    async def describe_log_groups(self, ctx: CallContext, params: Params) -> Result:
        if params.get("logGroupNamePrefix") and params.get("logGroupNamePattern"):
            raise InvalidParameterException(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        groups, last = self.groups.describe(
            _scope(ctx), params.get("logGroupNamePrefix"), params.get("logGroupNamePattern"),
            params.get("nextToken"), params.get("limit") or 50, params.get("logGroupIdentifiers"))
        result: dict[str, Any] = {"logGroups": groups}
        if last:
            result["nextToken"] = last
        return result

    async def put_retention_policy(self, ctx: CallContext, params: Params) -> Result:
        self.groups.set_retention(_scope(ctx), params["logGroupName"], params["retentionInDays"])
        # Events already past the new retention go now; the sweeper deletes the rest as they age.
        events.expire(self.db, int(time.time() * 1000), self.groups.require(_scope(ctx), params["logGroupName"]))
        return None

    async def delete_retention_policy(self, ctx: CallContext, params: Params) -> Result:
        self.groups.set_retention(_scope(ctx), params["logGroupName"], None)
        return None

    # -- streams ----------------------------------------------------------------------------------
    async def create_log_stream(self, ctx: CallContext, params: Params) -> Result:
        self.groups.create_stream(_scope(ctx), params["logGroupName"], params["logStreamName"])
        return None

    async def delete_log_stream(self, ctx: CallContext, params: Params) -> Result:
        self.groups.delete_stream(_scope(ctx), params["logGroupName"], params["logStreamName"])
        return None

    async def describe_log_streams(self, ctx: CallContext, params: Params) -> Result:
        order = params.get("orderBy", "LogStreamName")
        if order == "LastEventTime" and params.get("logStreamNamePrefix"):
            raise InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.")
        streams = self.groups.streams(_scope(ctx), _group_name(params), params.get("logStreamNamePrefix"),
                                      order, bool(params.get("descending")))
        start = int(params["nextToken"]) if str(params.get("nextToken") or "").isdigit() else 0
        limit = params.get("limit") or 50
        result: dict[str, Any] = {"logStreams": streams[start:start + limit]}
        if start + limit < len(streams):
            result["nextToken"] = str(start + limit)
        return result

    # -- events -----------------------------------------------------------------------------------
    async def put_log_events(self, ctx: CallContext, params: Params) -> Result:
        scope = _scope(ctx)
        group, stream = params["logGroupName"], params["logStreamName"]
        group_id, _ = self.groups.require_stream(scope, group, stream)
        retention = self.db.query("SELECT retention_days FROM logs_groups WHERE id=?", (group_id,))[0][0]
        accepted, rejected = ingestion.check_batch(params["logEvents"], int(time.time() * 1000), retention)
        if accepted:
            self.storage.write_now(scope.account, scope.region, group, stream, accepted)
        result: dict[str, Any] = {"nextSequenceToken": ingestion.sequence_token()}
        if rejected:
            result["rejectedLogEventsInfo"] = rejected
        return result

    async def get_log_events(self, ctx: CallContext, params: Params) -> Result:
        _, stream = self.groups.require_stream(_scope(ctx), _group_name(params), params["logStreamName"])
        return events.stream_page(self.db, stream, events.Window(params.get("startTime"), params.get("endTime")),
                                  params.get("nextToken"), params.get("limit"), bool(params.get("startFromHead")))

    async def filter_log_events(self, ctx: CallContext, params: Params) -> Result:
        group = self.groups.require(_scope(ctx), _group_name(params))
        if params.get("logStreamNames") and params.get("logStreamNamePrefix"):
            raise InvalidParameterException(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        names = self.groups.stream_names(group)
        streams: list[int] | None = None
        if params.get("logStreamNames"):
            wanted = set(params["logStreamNames"])
            streams = [ident for ident, name in names.items() if name in wanted]
        elif params.get("logStreamNamePrefix"):
            streams = [ident for ident, name in names.items() if name.startswith(params["logStreamNamePrefix"])]
        try:
            matcher = compile_pattern(params.get("filterPattern"))
        except PatternError as error:
            raise InvalidParameterException(str(error)) from None
        return events.filter_group(self.db, group, names, streams,
                                   events.Window(params.get("startTime"), params.get("endTime")),
                                   matcher, params.get("nextToken"), params.get("limit"))

    # -- tags -------------------------------------------------------------------------------------
    async def _tag(self, arn: str, tags: dict[str, str]) -> None:
        found = await self.db.get(TAGS, arn)
        current = dict(found.value["tags"]) if found else {}
        current.update(tags)
        if len(current) > 50:
            raise InvalidParameterException("A log group can have at most 50 tags.")
        await self.db.put(TAGS, arn, {"tags": current})

    def _existing_arn(self, ctx: CallContext, arn: str) -> str:
        name = arn.split(":log-group:", 1)[-1].removesuffix(":*")
        if ":log-group:" not in arn or not self.groups.exists(_scope(ctx), name):
            raise ResourceNotFoundException(f"The specified resource does not exist: {arn}")
        return group_arn(ctx.region, ctx.account_id, name)

    async def tag_resource(self, ctx: CallContext, params: Params) -> Result:
        await self._tag(self._existing_arn(ctx, params["resourceArn"]), params["tags"])
        return None

    async def untag_resource(self, ctx: CallContext, params: Params) -> Result:
        arn = self._existing_arn(ctx, params["resourceArn"])
        found = await self.db.get(TAGS, arn)
        tags = {k: v for k, v in (found.value["tags"] if found else {}).items() if k not in params["tagKeys"]}
        await self.db.put(TAGS, arn, {"tags": tags})
        return None

    async def list_tags_for_resource(self, ctx: CallContext, params: Params) -> Result:
        found = await self.db.get(TAGS, self._existing_arn(ctx, params["resourceArn"]))
        return {"tags": found.value["tags"] if found else {}}

    async def tag_log_group(self, ctx: CallContext, params: Params) -> Result:
        self.groups.require(_scope(ctx), params["logGroupName"])
        await self._tag(group_arn(ctx.region, ctx.account_id, params["logGroupName"]), params["tags"])
        return None

    async def untag_log_group(self, ctx: CallContext, params: Params) -> Result:
        arn = group_arn(ctx.region, ctx.account_id, params["logGroupName"])
        return await self.untag_resource(ctx, {"resourceArn": arn, "tagKeys": params["tags"]})

    async def list_tags_log_group(self, ctx: CallContext, params: Params) -> Result:
        self.groups.require(_scope(ctx), params["logGroupName"])
        found = await self.db.get(TAGS, group_arn(ctx.region, ctx.account_id, params["logGroupName"]))
        return {"tags": found.value["tags"] if found else {}}

    # -- Logs Insights ----------------------------------------------------------------------------
    async def start_query(self, ctx: CallContext, params: Params) -> Result:
        names = [params["logGroupName"]] if params.get("logGroupName") else list(params.get("logGroupNames") or [])
        names += [i.split(":log-group:", 1)[-1].removesuffix(":*") for i in params.get("logGroupIdentifiers") or []]
        if not names:
            raise InvalidParameterException("Specify at least one log group (logGroupName, logGroupNames or "
                                            "logGroupIdentifiers).")
        groups = {name: self.groups.require(_scope(ctx), name) for name in names}
        query_id = await self.queries.start(_scope(ctx), groups, params["startTime"], params["endTime"],
                                            params["queryString"], params.get("limit"))
        return {"queryId": query_id}

    async def get_query_results(self, ctx: CallContext, params: Params) -> Result:
        found = await self.queries.results(_scope(ctx), params["queryId"])
        start = int(params["nextToken"]) if str(params.get("nextToken") or "").isdigit() else 0
        size = params.get("maxItems") or len(found["results"]) or 1
        rows = found["results"]
        found["results"] = rows[start:start + size]
        if start + size < len(rows):
            found["nextToken"] = str(start + size)
        return found

    async def stop_query(self, ctx: CallContext, params: Params) -> Result:
        return {"success": await self.queries.cancel(_scope(ctx), params["queryId"])}

    async def describe_queries(self, ctx: CallContext, params: Params) -> Result:
        found = await self.queries.describe(_scope(ctx), params.get("logGroupName"), params.get("status"))
        return {"queries": found[:params.get("maxResults") or 1000]}
