"""The Logs Insights subset: parsing queries and running them over rows."""

from __future__ import annotations

import pytest

from lamina.services.logs.insights_run import row_of, run
from lamina.services.logs.insights_syntax import QuerySyntaxError, parse_query

REPORTS = [row_of(1_700_000_000_000 + i * 60_000, 0,
                  f"REPORT RequestId: r{i}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\t"
                  f"Memory Size: 128 MB\tMax Memory Used: {40 + i} MB\t", "s", "acct:/aws/lambda/f", str(i))
           for i, d in enumerate([12.5, 300.25, 45.0, 7.75])]


def query(text: str, rows=None, limit: int = 1000):  # type: ignore[no-untyped-def]
    results, matched = run(parse_query(text), [dict(r) for r in (rows or REPORTS)], limit)
    return [{f["field"]: f["value"] for f in row if f["field"] != "@ptr"} for row in results], matched


def test_report_fields_sort_and_limit() -> None:
    rows, matched = query('filter @type = "REPORT" | fields @requestId, @billedDuration | sort @billedDuration desc '
                          '| limit 2')
    assert [(r["@requestId"], r["@billedDuration"]) for r in rows] == [("r1", "301"), ("r2", "46")]
    assert matched == 4


def test_stats_by_bin_and_percentiles() -> None:
    rows, _ = query("stats count(*) as n, avg(@duration) as mean, max(@maxMemoryUsed), pct(@duration, 50) "
                    "by bin(1h)")
    assert rows == [{"bin(1h)": "2023-11-14 22:00:00.000", "n": "4", "mean": "91.375",
                     "max(@maxMemoryUsed)": "43", "pct(@duration, 50)": "12.5"}]


def test_filter_expressions() -> None:
    assert [r["@requestId"] for r in query("filter @duration > 40 and @duration < 100 | fields @requestId")[0]] == ["r2"]
    assert len(query("filter @message like /Duration: 3\\d\\d/")[0]) == 1
    assert len(query('filter @requestId in ["r0", "r3"]')[0]) == 2
    assert len(query('filter @requestId not in ["r0", "r3"] and not @duration > 100')[0]) == 1
    assert len(query("filter strlen(@requestId) = 2 and @duration * 2 > 600")[0]) == 1


def test_parse_glob_and_regex() -> None:
    rows = [row_of(0, 0, "user=ann action=login took=15", "s", "g", "1"),
            row_of(0, 0, "user=bob action=logout took=7", "s", "g", "2")]
    found, _ = query("parse @message 'user=* action=* took=*' as who, what, ms | filter ms > 10 | fields who, what",
                     rows)
    assert found == [{"who": "ann", "what": "login"}]
    found, _ = query(r"parse @message /user=(?<who>\w+)/ | stats count(*) by who", rows)
    assert found == [{"who": "ann", "count(*)": "1"}, {"who": "bob", "count(*)": "1"}]


def test_json_events_are_flattened() -> None:
    rows = [row_of(0, 0, '{"level": "ERROR", "ctx": {"id": 7}}', "s", "g", "1")]
    found, _ = query('filter level = "ERROR" | fields ctx.id', rows)
    assert found == [{"ctx.id": "7"}]


@pytest.mark.parametrize("text", ["frobnicate", "stats nothing(x)", "limit many", "filter (a = 1",
                                  "parse @message 'a=* b=*' as one"])
def test_malformed_queries(text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        parse_query(text)
