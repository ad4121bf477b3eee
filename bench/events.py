"""EventBridge: PutEvents per second from 1 and 16 clients, and event -> target latency.

    python bench/events.py

One rule on the default bus matches every event and delivers it to an SQS queue, so each accepted
event is matched and its delivery queued durably before PutEvents answers. Requests are signed once
and replayed on keep-alive connections (the server still verifies every signature). Latency is from
just before PutEvents is sent to the queue's SentTimestamp of the delivered message (ms resolution).
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time

from _harness import machine, percentile, presign, start_lamina, summary, timed_requests

PUT_SECONDS = 5.0
LATENCY_SAMPLES = 200


def put_loop(server, body: bytes, headers: dict[str, str], stop_at: float, counts: list[int]) -> None:  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    done = 0
    while time.monotonic() < stop_at:
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200 or b'"FailedEntryCount":0' not in payload:
            raise RuntimeError(f"PutEvents answered {response.status}: {payload[:200]!r}")
        done += 1
    conn.close()
    counts.append(done)


def put_events_per_second(server, clients: int, entries: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Events accepted per second, and how many were accepted."""
    body = json.dumps({"Entries": [{"Source": "bench", "DetailType": "tick", "Detail": '{"n": 1}'}] * entries})
    headers = presign(server, "POST", "/", body.encode(), {"X-Amz-Target": "AWSEvents.PutEvents",
                                                            "Content-Type": "application/x-amz-json-1.1"},
                      service="events")
    counts: list[int] = []
    stop_at = time.monotonic() + PUT_SECONDS
    threads = [threading.Thread(target=put_loop, args=(server, body.encode(), headers, stop_at, counts))
               for _ in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accepted = sum(counts) * entries
    return accepted / (time.monotonic() - start), accepted


def wait_delivered(server, queue_url: str, total: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds until the queue holds ``total`` messages (polling its attributes: the bench's only view)."""
    sqs = server.client("sqs")
    start = time.monotonic()
    while int(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"]["ApproximateNumberOfMessages"]) < total:
        time.sleep(0.05)
    return time.monotonic() - start


def latencies(server, queue_url: str) -> list[float]:  # type: ignore[no-untyped-def]
    events, sqs = server.client("events"), server.client("sqs")
    samples = []
    for i in range(LATENCY_SAMPLES):
        sent = time.time()
        events.put_events(Entries=[{"Source": "latency", "DetailType": "probe", "Detail": json.dumps({"i": i})}])
        messages = []
        while not messages:
            messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5,
                                           MessageSystemAttributeNames=["SentTimestamp"]).get("Messages", [])
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
        samples.append(int(messages[0]["Attributes"]["SentTimestamp"]) - sent * 1000)
    return samples


def tag_queue_latency(server, queue_url: str) -> list[float]:  # type: ignore[no-untyped-def]
    """A mutating call (SQS TagQueue): the gateway's API-activity observer runs after each one."""
    body = json.dumps({"QueueUrl": queue_url, "Tags": {"k": "v"}}).encode()
    headers = presign(server, "POST", "/", body, {"X-Amz-Target": "AmazonSQS.TagQueue",
                                                  "Content-Type": "application/x-amz-json-1.0"}, service="sqs")
    return timed_requests(server, "POST", "/", body, headers, 2000)


def main() -> None:
    print(machine())
    server = start_lamina()
    try:
        events, sqs = server.client("events"), server.client("sqs")
        tagged = sqs.create_queue(QueueName="bench-tagged")["QueueUrl"]
        print(f"TagQueue, no rule on the default bus:        {summary(tag_queue_latency(server, tagged))}")
        sink = sqs.create_queue(QueueName="bench-sink")["QueueUrl"]
        sink_arn = sqs.get_queue_attributes(QueueUrl=sink, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="all", EventPattern=json.dumps({"source": ["bench"]}))
        events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": sink_arn}])
        probe = sqs.create_queue(QueueName="bench-latency")["QueueUrl"]
        probe_arn = sqs.get_queue_attributes(QueueUrl=probe, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="latency", EventPattern=json.dumps({"source": ["latency"]}))
        events.put_targets(Rule="latency", Targets=[{"Id": "q", "Arn": probe_arn}])

        delivered = 0
        for clients in (1, 16):
            for entries in (1, 10):
                rate, accepted = put_events_per_second(server, clients, entries)
                delivered += accepted
                # Every accepted event goes to the sink queue; wait for the backlog before the next run.
                drain = wait_delivered(server, sink, delivered)
                print(f"PutEvents, {clients:2d} client(s), {entries:2d} entries/request: {rate:8.0f} events/s "
                      f"({accepted} events; all delivered {drain:.1f} s after the last put)")
        print(f"TagQueue, pattern rules on the default bus:   {summary(tag_queue_latency(server, tagged))}")
        events.put_rule(Name="api-calls", EventPattern=json.dumps({
            "detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventName": ["TagQueue"]}}))
        events.put_targets(Rule="api-calls", Targets=[{"Id": "q", "Arn": probe_arn}])
        print(f"TagQueue, a rule matching it (event built, delivered): {summary(tag_queue_latency(server, tagged))}")
        events.remove_targets(Rule="api-calls", Ids=["q"])
        events.delete_rule(Name="api-calls")
        sqs.purge_queue(QueueUrl=probe)
        samples = latencies(server, probe)
        print(f"event -> SQS target latency: p50 {statistics.median(samples):.1f} ms  "
              f"p99 {percentile(samples, 0.99):.1f} ms  (n={len(samples)})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
