"""SQS throughput: SendMessage/s and ReceiveMessage+DeleteMessage/s from 1 and 16 clients (boto3, one
process each), and SQS -> Lambda end-to-end messages/s through an event-source mapping with batches of 10.

    PYTHONPATH=. python bench/sqs.py [--messages 10000] [--seconds 3] [--rounds 3] [--baseline http://127.0.0.1:4566]

With --baseline, the SQS figures are measured against that endpoint too (LocalStack) in the same run and
printed as ratios.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import start_lamina  # noqa: E402
from tests.functions import ROLE, python_zip  # noqa: E402

NOOP = "def handler(event, context):\n    return {'n': len(event['Records'])}\n"


def _client(endpoint: str, key: str, secret: str, service: str = "sqs"):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 0}, max_pool_connections=4))


def _sender(args: tuple[str, str, str, str, float, multiprocessing.Barrier]) -> int:
    endpoint, key, secret, url, seconds, barrier = args
    sqs = _client(endpoint, key, secret)
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])  # warm the connection
    barrier.wait()
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        sqs.send_message(QueueUrl=url, MessageBody="benchmark message body")
        done += 1
    return done


def _consumer(args: tuple[str, str, str, str, float, multiprocessing.Barrier]) -> int:
    endpoint, key, secret, url, seconds, barrier = args
    sqs = _client(endpoint, key, secret)
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    barrier.wait()
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            done += 1
    return done


def _parallel(worker, endpoint: str, key: str, secret: str, url: str, clients: int, seconds: float) -> float:  # type: ignore[no-untyped-def]
    with multiprocessing.Manager() as manager:
        barrier = manager.Barrier(clients + 1)
        with multiprocessing.Pool(clients) as pool:
            result = pool.map_async(worker, [(endpoint, key, secret, url, seconds, barrier)] * clients)
            barrier.wait()
            started = time.perf_counter()
            total = sum(result.get())
            elapsed = max(seconds, time.perf_counter() - started)
    return total / elapsed


def _fill(sqs, url: str, count: int) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, count, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"}
                                                      for i in range(min(10, count - start))])


def measure_sqs(endpoints: dict[str, tuple[str, str, str]], seconds: float, rounds: int) -> dict[str, dict[str, float]]:
    """Median rates per figure and per system; the systems take turns within each round, so background
    load on the machine falls on both alike."""
    samples: dict[str, dict[str, list[float]]] = {}
    for _ in range(rounds):
        for clients in (1, 16):
            for system, (endpoint, key, secret) in endpoints.items():
                sqs = _client(endpoint, key, secret)
                url = sqs.create_queue(QueueName=f"bench-{uuid.uuid4().hex[:8]}")["QueueUrl"]
                rate = _parallel(_sender, endpoint, key, secret, url, clients, seconds)
                samples.setdefault(f"send/s {clients} client(s)", {}).setdefault(system, []).append(rate)
                _fill(sqs, url, 3000)  # consumers must not run dry
                rate = _parallel(_consumer, endpoint, key, secret, url, clients, seconds)
                samples.setdefault(f"receive+delete/s {clients} client(s)", {}).setdefault(system, []).append(rate)
                sqs.delete_queue(QueueUrl=url)
    return {label: {system: statistics.median(values) for system, values in by_system.items()}
            for label, by_system in samples.items()}


def measure_end_to_end(endpoint: str, key: str, secret: str, messages: int) -> float:
    """Messages/s from mapping creation until the queue is empty, with a function that succeeds at once."""
    sqs, lam = _client(endpoint, key, secret), _client(endpoint, key, secret, "lambda")
    name = f"bench-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip(NOOP)})
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    lam.invoke(FunctionName=name, Payload=b'{"Records": []}')  # one warm sandbox, as a running service has
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _fill(sqs, url, messages)
    started = time.perf_counter()
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)
    while True:
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                        "ApproximateNumberOfMessagesNotVisible"])
        if all(v == "0" for v in counts["Attributes"].values()):
            return messages / (time.perf_counter() - started)
        time.sleep(0.02)  # sampling the queue's depth is the measurement


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per figure; the median is printed")
    parser.add_argument("--baseline", help="endpoint of another SQS (LocalStack) to measure in the same run")
    parser.add_argument("--skip-clients", action="store_true", help="only the end-to-end figure")
    args = parser.parse_args()
    node = start_lamina()
    try:
        key, secret = node.credentials()
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; lamina at {node.endpoint}")
        endpoints = {"lamina": (node.endpoint, key, secret)}
        if args.baseline:
            endpoints["baseline"] = (args.baseline, "test", "test")
        figures = {} if args.skip_clients else measure_sqs(endpoints, args.seconds, args.rounds)
        for label, by_system in figures.items():
            line = f"{label:34s} lamina {by_system['lamina']:7.0f}"
            if "baseline" in by_system:
                line += f"   baseline {by_system['baseline']:7.0f}   ratio {by_system['lamina'] / by_system['baseline']:5.2f}x"
            print(line)
        rates = [measure_end_to_end(node.endpoint, key, secret, args.messages) for _ in range(args.rounds)]
        print(f"{'SQS->Lambda messages/s (batch 10)':34s} lamina {statistics.median(rates):7.0f}"
              f"   (median of {args.rounds} runs of {args.messages} messages: "
              f"{', '.join(f'{r:.0f}' for r in rates)})")
    finally:
        node.stop()


if __name__ == "__main__":
    main()
