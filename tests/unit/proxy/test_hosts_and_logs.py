"""Invoke-URL host names, integration URIs and access log lines."""

from __future__ import annotations

from lamina.proxy.access_log import format_line, log_group_of
from lamina.proxy.hosts import service_host, split_path_form
from lamina.proxy.lambda_integration import function_arn_of

ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"


def test_hosts() -> None:
    assert service_host("abc123.lambda-url.us-east-1.localhost:9060", "lambda-url") == ("abc123", "us-east-1")
    assert service_host("ABC123.execute-api.eu-west-1.localhost", "execute-api") == ("abc123", "eu-west-1")
    assert service_host("abc.execute-api.us-east-1.localhost", "lambda-url") is None
    assert service_host("127.0.0.1:9060", "lambda-url") is None
    assert split_path_form("id/a/b") == ("id", "/a/b") and split_path_form("id") == ("id", "/")


def test_integration_uris() -> None:
    assert function_arn_of(ARN) == ARN
    assert function_arn_of(f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{ARN}:live/invocations") \
        == ARN + ":live"
    assert function_arn_of("arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}",
                           {"fn": "other"}) == "arn:aws:lambda:us-east-1:000000000000:function:other"
    assert function_arn_of("https://example.com") is None


def test_access_log_lines() -> None:
    assert log_group_of("arn:aws:logs:us-east-1:000000000000:log-group:/my/group:*") == "/my/group"
    assert log_group_of("arn:aws:s3:::bucket") is None
    line = format_line('$context.requestId "$context.routeKey" $context.status $context.error.message',
                       {"requestId": "r1", "routeKey": "GET /x", "status": 200})
    assert line == 'r1 "GET /x" 200 -'
