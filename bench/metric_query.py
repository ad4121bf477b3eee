"""Metric query latency over a day of 1-second data.

    python bench/metric_query.py [--repeat 30]

Loads 86,400 one-second points of one high-resolution metric (the last 24 hours) with PutMetricData
(1,000 points per call), then times, through boto3 and the signed API, the queries a dashboard or
an alarm makes: GetMetricStatistics over the day at 1-minute periods (standard statistics, then
p99), the last hour at 1-second periods, and GetMetricData with a metric math expression. Baseline,
same run: the same queries over a metric holding a single point (the fixed cost of a query).
Then the roll-up runs (one-second points older than 3 hours go; their minutes stay summed) and the
day is queried again. Times are client-side, boto3 included: parsing 1,440 datapoints costs boto3
itself some 20-25 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

from _harness import machine, percentile, presign, start_lamina, timed_requests

DAY = 86_400


def timed(call, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    call()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def queries(cw, namespace: str, end: dt.datetime):  # type: ignore[no-untyped-def]
    day = {"StartTime": end - dt.timedelta(days=1), "EndTime": end}
    hour = {"StartTime": end - dt.timedelta(hours=1) + dt.timedelta(seconds=1), "EndTime": end}
    metric = {"Namespace": namespace, "MetricName": "Load"}
    return {
        "day, 1-min periods, 5 statistics": lambda: cw.get_metric_statistics(
            **metric, Period=60, Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"], **day),
        "day, 1-hour periods, p99": lambda: cw.get_metric_statistics(
            **metric, Period=3600, ExtendedStatistics=["p99"], **day),
        "last hour, 5-second periods, Average": lambda: cw.get_metric_statistics(
            **metric, Period=5, Statistics=["Average"], **hour),
        "GetMetricData, day, 1-min, m1*2+1": lambda: cw.get_metric_data(MetricDataQueries=[
            {"Id": "m1", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Average"}, "ReturnData": False},
            {"Id": "e1", "Expression": "m1 * 2 + 1"}], **day),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    server = start_lamina()
    try:
        cw = server.client("cloudwatch")
        end = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        first = end - dt.timedelta(seconds=DAY)
        start = time.perf_counter()
        for offset in range(0, DAY, 1000):
            cw.put_metric_data(Namespace="Bench", MetricData=[
                {"MetricName": "Load", "Timestamp": first + dt.timedelta(seconds=s), "Value": float(s % 100),
                 "StorageResolution": 1, "Unit": "Percent"} for s in range(offset, min(offset + 1000, DAY))])
        loading = time.perf_counter() - start
        cw.put_metric_data(Namespace="Tiny", MetricData=[{"MetricName": "Load", "Value": 1.0, "StorageResolution": 1,
                                                          "Timestamp": end - dt.timedelta(minutes=30)}])
        print(f"machine: {machine()}")
        print(f"PutMetricData, a day of 1-second points in 87 calls of 1,000: {DAY / loading:,.0f} points/s")
        baseline = {name: statistics.median(timed(call, args.repeat))
                    for name, call in queries(cw, "Tiny", end).items()}
        for stage in ("raw 1-second points", "after roll-up (older than 3 h: 1-minute points)"):
            if stage.startswith("after"):
                from lamina.services.cloudwatch.rollup import roll_up
                from lamina.store.sqlite import SqliteStore

                server.stop()  # roll up in the stopped node's store, as the running node does every 5 minutes
                store = SqliteStore(server.data_dir / "lamina.db")
                rolled_start = time.perf_counter()
                removed = roll_up(store, time.time())
                raw = store.query("SELECT COUNT(*) FROM metric_points")[0][0]
                minutes = store.query("SELECT COUNT(*) FROM metric_summary")[0][0]
                print(f"roll-up of the day: {removed:,} rows removed in {time.perf_counter() - rolled_start:.2f} s; "
                      f"{raw:,} one-second points (the last 3 hours) and {minutes:,} minute rows remain")
                store.close()
                server.start()
                cw = server.client("cloudwatch")
            print(f"{stage}:")
            # The same day query as one pre-signed json-protocol request whose answer is not parsed: the
            # server's share of the time, without boto3's parsing of 1,440 datapoints.
            body = json.dumps({"Namespace": "Bench", "MetricName": "Load", "Period": 60,
                               "StartTime": (end - dt.timedelta(days=1)).timestamp(), "EndTime": end.timestamp(),
                               "Statistics": ["SampleCount", "Sum", "Average", "Minimum", "Maximum"]}).encode()
            headers = presign(server, "POST", "/", body, {
                "X-Amz-Target": "GraniteServiceVersion20100801.GetMetricStatistics",
                "Content-Type": "application/x-amz-json-1.0"}, service="monitoring")
            raw = timed_requests(server, "POST", "/", body, headers, args.repeat)
            print(f"  day, 1-min periods, 5 statistics, server only (raw request): p50 {statistics.median(raw):.1f} ms  "
                  f"p99 {percentile(raw, 0.99):.1f} ms")
            for name, call in queries(cw, "Bench", end).items():
                samples = timed(call, args.repeat)
                print(f"  {name}: p50 {statistics.median(samples):.1f} ms  p99 {percentile(samples, 0.99):.1f} ms  "
                      f"(baseline, 1 point: {baseline[name]:.1f} ms; ratio {statistics.median(samples) / baseline[name]:.1f})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
