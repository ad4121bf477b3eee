"""The CloudWatch Logs API through boto3: groups, streams, PutLogEvents' rules, GetLogEvents' tokens,
FilterLogEvents' patterns, retention and tags."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from tests.functions import unique_name

DAY_MS = 86_400_000


@pytest.fixture
def logs(server):  # type: ignore[no-untyped-def]
    return server.client("logs")


@pytest.fixture
def group(logs) -> str:  # type: ignore[no-untyped-def]
    name = f"/app/{unique_name('g')}"
    logs.create_log_group(logGroupName=name, tags={"team": "ops"})
    logs.create_log_stream(logGroupName=name, logStreamName="s1")
    return name


def _put(logs, group: str, messages: list[str], start: int | None = None, stream: str = "s1") -> int:  # type: ignore[no-untyped-def]
    start = start if start is not None else int(time.time() * 1000) - len(messages)
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": start + i, "message": m} for i, m in enumerate(messages)])
    return start


def test_duplicate_and_missing_groups_are_aws_errors(logs, group: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as exists:
        logs.create_log_group(logGroupName=group)
    assert exists.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as missing:
        logs.put_log_events(logGroupName=group + "-x", logStreamName="s1",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": "m"}])
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["Error"]["Message"] == "The specified log group does not exist."


def test_put_log_events_rules(logs, group: str) -> None:  # type: ignore[no-untyped-def]
    now = int(time.time() * 1000)
    with pytest.raises(ClientError) as unordered:
        logs.put_log_events(logGroupName=group, logStreamName="s1",
                            logEvents=[{"timestamp": now, "message": "b"}, {"timestamp": now - 5, "message": "a"}])
    assert unordered.value.response["Error"]["Code"] == "InvalidParameterException"
    answer = logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": now - 14 * DAY_MS - 3_600_000, "message": "too old"},
        {"timestamp": now - 14 * DAY_MS + 3_600_000, "message": "old but fine"}])
    assert answer["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0}
    with pytest.raises(ClientError) as too_long:
        logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
            {"timestamp": now - 2 * DAY_MS, "message": "a"}, {"timestamp": now, "message": "b"}])
    assert "cannot span more than 24 hours" in too_long.value.response["Error"]["Message"]
    stored = logs.get_log_events(logGroupName=group, logStreamName="s1")["events"]
    assert [e["message"] for e in stored] == ["old but fine"]


def test_get_log_events_pages_forward_and_backward(logs, group: str) -> None:  # type: ignore[no-untyped-def]
    _put(logs, group, [f"line {i}" for i in range(25)])
    first = logs.get_log_events(logGroupName=group, logStreamName="s1", startFromHead=True, limit=10)
    assert [e["message"] for e in first["events"]] == [f"line {i}" for i in range(10)]
    second = logs.get_log_events(logGroupName=group, logStreamName="s1", nextToken=first["nextForwardToken"],
                                 limit=10)
    assert [e["message"] for e in second["events"]] == [f"line {i}" for i in range(10, 20)]
    back = logs.get_log_events(logGroupName=group, logStreamName="s1", nextToken=second["nextBackwardToken"],
                               limit=5)
    assert [e["message"] for e in back["events"]] == [f"line {i}" for i in range(5, 10)]
    tail = logs.get_log_events(logGroupName=group, logStreamName="s1", limit=3)  # no token: the newest events
    assert [e["message"] for e in tail["events"]] == ["line 22", "line 23", "line 24"]
    end = logs.get_log_events(logGroupName=group, logStreamName="s1", nextToken=tail["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == tail["nextForwardToken"]


def test_filter_patterns(logs, group: str) -> None:  # type: ignore[no-untyped-def]
    logs.create_log_stream(logGroupName=group, logStreamName="s2")
    _put(logs, group, ["ERROR disk full", "WARN disk slow", "INFO all good", "ERROR Exiting now"])
    _put(logs, group, ['{"level": "ERROR", "latency": 250, "user": {"id": "alice"}}',
                       '{"level": "INFO", "latency": 12, "user": {"id": "bob"}}'], stream="s2")

    def found(pattern: str, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
        events = logs.filter_log_events(logGroupName=group, filterPattern=pattern, **kwargs)["events"]
        return [e["message"] for e in events]

    assert found("ERROR -Exiting") == ["ERROR disk full", '{"level": "ERROR", "latency": 250, "user": {"id": "alice"}}']
    assert found("?WARN ?INFO") == ["WARN disk slow", "INFO all good", '{"level": "INFO", "latency": 12, "user": {"id": "bob"}}']
    assert found('"disk full"') == ["ERROR disk full"]
    assert found('{ $.level = "ERROR" && $.latency > 100 }') == [
        '{"level": "ERROR", "latency": 250, "user": {"id": "alice"}}']
    assert found('{ $.user.id = "b*" }') == ['{"level": "INFO", "latency": 12, "user": {"id": "bob"}}']
    assert found("disk", logStreamNames=["s2"]) == []
    with pytest.raises(ClientError) as bad:
        found("{ $.level = ")
    assert bad.value.response["Error"]["Code"] == "InvalidParameterException"


def test_filter_log_events_pages_with_next_token(logs, group: str) -> None:  # type: ignore[no-untyped-def]
    _put(logs, group, [f"event {i}" for i in range(12)])
    page = logs.filter_log_events(logGroupName=group, limit=5)
    seen = [e["message"] for e in page["events"]]
    while "nextToken" in page:
        page = logs.filter_log_events(logGroupName=group, limit=5, nextToken=page["nextToken"])
        seen += [e["message"] for e in page["events"]]
    assert seen == [f"event {i}" for i in range(12)]


def test_retention_really_deletes_expired_events(logs, group: str) -> None:  # type: ignore[no-untyped-def]
    now = int(time.time() * 1000)
    _put(logs, group, ["ten days old"], start=now - 10 * DAY_MS)
    _put(logs, group, ["two days old"], start=now - 2 * DAY_MS)
    _put(logs, group, ["fresh"])
    stored = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["storedBytes"]
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert described["retentionInDays"] == 7
    assert described["storedBytes"] == stored - (len("ten days old") + 26)
    messages = [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName="s1",
                                                          startFromHead=True)["events"]]
    assert messages == ["two days old", "fresh"]
    with pytest.raises(ClientError) as bad:
        logs.put_retention_policy(logGroupName=group, retentionInDays=8)
    assert bad.value.response["Error"]["Code"] == "InvalidParameterException"
    logs.delete_retention_policy(logGroupName=group)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]


def test_tags_and_deleting_a_group(logs, group: str) -> None:  # type: ignore[no-untyped-def]
    arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"env": "test"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "ops", "env": "test"}
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"env": "test"}
    _put(logs, group, ["bye"])
    logs.delete_log_group(logGroupName=group)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    with pytest.raises(ClientError):
        logs.get_log_events(logGroupName=group, logStreamName="s1")


def test_insights_stats_by_bin(logs, group: str) -> None:  # type: ignore[no-untyped-def]
    base = (int(time.time()) // 3600 * 3600 - 7200) * 1000
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": base + 60_000 * i, "message": f"ERROR request {i} latency={10 * i}"} for i in range(6)] + [
        {"timestamp": base + 3_600_000 + i, "message": f"ERROR request late latency={i}"} for i in range(2)])
    query = logs.start_query(
        logGroupName=group, startTime=base // 1000, endTime=base // 1000 + 7200,
        queryString="filter @message like /ERROR/ | parse @message 'latency=*' as latency "
                    "| stats count(*) as errors, max(latency) as worst by bin(1h)")
    while (results := logs.get_query_results(queryId=query["queryId"]))["status"] != "Complete":
        assert results["status"] in ("Scheduled", "Running")
        time.sleep(0.05)  # GetQueryResults is polled, as clients poll it
    rows = [{f["field"]: f["value"] for f in row} for row in results["results"]]
    assert rows == [{"bin(1h)": time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(base / 1000)),
                     "errors": "6", "worst": "50"},
                    {"bin(1h)": time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(base / 1000 + 3600)),
                     "errors": "2", "worst": "1"}]
    with pytest.raises(ClientError) as bad:
        logs.start_query(logGroupName=group, startTime=0, endTime=10, queryString="frobnicate everything")
    assert bad.value.response["Error"]["Code"] == "MalformedQueryException"
