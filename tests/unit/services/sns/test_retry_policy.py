"""Delivery retry schedules (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html)."""

from __future__ import annotations

import json

from lamina.services.sns.retry_policy import HTTP_DEFAULT, MANAGED, SMTP, RetryPolicy, for_subscription


def test_http_default_is_three_retries_twenty_seconds_apart() -> None:
    assert [HTTP_DEFAULT.delay(n) for n in range(1, 5)] == [20.0, 20.0, 20.0, None]


def test_managed_endpoints_phases() -> None:
    assert [MANAGED.delay(n) for n in (1, 2, 3)] == [0.0, 0.0, 0.0]
    assert [MANAGED.delay(n) for n in (4, 5)] == [1.0, 1.0]
    backoff = [MANAGED.delay(n) for n in range(6, 16)]
    assert backoff == sorted(backoff) and backoff[-1] == 20.0
    assert MANAGED.delay(100_015) == 20.0 and MANAGED.delay(100_016) is None


def test_smtp_phases() -> None:
    assert [SMTP.delay(1), SMTP.delay(2)] == [10.0, 10.0]
    assert SMTP.delay(12) == 600.0 and SMTP.delay(50) == 600.0 and SMTP.delay(51) is None


def test_subscription_policy_overrides_topic_unless_disabled() -> None:
    mine = json.dumps({"healthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 1, "maxDelayTarget": 9,
                                              "backoffFunction": "linear"}})
    topic = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 2,
                                                               "maxDelayTarget": 2}}})
    policy = for_subscription("https", mine, topic)
    assert policy.num_retries == 5 and policy.delay(5) == 9.0
    locked = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 2,
                                                                "maxDelayTarget": 2},
                                  "disableSubscriptionOverrides": True}})
    assert for_subscription("https", mine, locked) == RetryPolicy(1, 2.0, 2.0)
    assert for_subscription("lambda", mine, topic) is MANAGED
