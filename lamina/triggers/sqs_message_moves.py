"""SQS message move tasks: redriving a dead-letter queue's messages back to their source queue (or to a
chosen queue) at a steady rate, in the background
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html).

A task's progress is a record in the store; a task that was running when the
process stopped carries on when it starts again. One task may run per source queue.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

import orjson

from lamina.services.sqs.errors import ResourceNotFoundException, UnsupportedOperation
from lamina.store import Store

if TYPE_CHECKING:
    from lamina.services.sqs.broker import Broker
    from lamina.services.sqs.queues import Queue

log = logging.getLogger("lamina.sqs")
TABLE = "sqs:move-tasks"
DEFAULT_RATE = 500  # messages per second when the caller leaves it to SQS ("system optimized")
TICK = 0.1


def _handle(task_id: str, source_arn: str) -> str:
    return base64.b64encode(orjson.dumps({"taskId": task_id, "sourceArn": source_arn})).decode()


class MoveTasks:
    def __init__(self, store: Store, broker: "Broker") -> None:
        self.store = store
        self.broker = broker
        self._running: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        for record in await self.store.scan(TABLE):
            if record.value["Status"] == "RUNNING":
                self._run(record.key)

    async def stop(self) -> None:
        for task in self._running.values():
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)
        self._running.clear()

    async def start_task(self, source: "Queue", destination: "Queue | None", rate: int | None) -> str:
        for record in await self.store.scan(TABLE, source.arn + "/"):
            if record.value["Status"] in ("RUNNING", "CANCELLING"):
                raise UnsupportedOperation("There is already a task running. Only one active task is allowed for "
                                           "a source queue arn at a given time.")
        task_id = str(uuid.uuid4())
        now = time.time()
        value: dict[str, Any] = {
            "TaskHandle": _handle(task_id, source.arn), "Status": "RUNNING", "SourceArn": source.arn,
            "ApproximateNumberOfMessagesMoved": 0,
            "ApproximateNumberOfMessagesToMove": int(self.broker.counts(source)["ApproximateNumberOfMessages"]),
            "StartedTimestamp": int(now * 1000),
        }
        if destination is not None:
            value["DestinationArn"] = destination.arn
        if rate is not None:
            value["MaxNumberOfMessagesPerSecond"] = rate
        key = f"{source.arn}/{int(now * 1000):015d}/{task_id}"
        await self.store.put(TABLE, key, value)
        self._run(key)
        return value["TaskHandle"]

    def _run(self, key: str) -> None:
        self._running[key] = asyncio.get_running_loop().create_task(self._move(key))

    async def _move(self, key: str) -> None:
        from lamina.services.sqs.addresses import from_arn

        try:
            while True:
                record = await self.store.get(TABLE, key)
                if record is None:
                    return
                task = record.value
                if task["Status"] == "CANCELLING":
                    task["Status"] = "CANCELLED"
                    await self.store.put(TABLE, key, task)
                    return
                source = self.broker.queues.find(from_arn(task["SourceArn"]))
                destination = (self.broker.queues.find(from_arn(task["DestinationArn"]))
                               if task.get("DestinationArn") else None)
                if source is None or (task.get("DestinationArn") and destination is None):
                    task.update(Status="FAILED", FailureReason="The source or destination queue no longer exists.")
                    await self.store.put(TABLE, key, task)
                    return
                chunk = max(1, int(task.get("MaxNumberOfMessagesPerSecond", DEFAULT_RATE) * TICK))
                task["ApproximateNumberOfMessagesMoved"] += self.broker.move_messages(source, chunk, destination)
                # Complete in the same step that moves the last message, so the task never reads as running
                # once the source is empty.
                done = self.broker.counts(source)["ApproximateNumberOfMessages"] == "0"
                if done:
                    task["Status"] = "COMPLETED"
                await self.store.put(TABLE, key, task)
                if done:
                    return
                await asyncio.sleep(TICK)  # the task's rate limit
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("message move task %s failed", key)
        finally:
            self._running.pop(key, None)

    async def listed(self, source: "Queue", limit: int) -> list[dict[str, Any]]:
        """The most recent tasks of a source queue, newest first."""
        records = await self.store.scan(TABLE, source.arn + "/")
        results = []
        for record in reversed(records[-limit:]):
            task = dict(record.value)
            if task["Status"] != "RUNNING":
                task.pop("TaskHandle", None)  # only a running task can be cancelled, so only it shows a handle
            results.append(task)
        return results

    async def cancel(self, handle: str) -> int:
        try:
            document = orjson.loads(base64.b64decode(handle, validate=True))
            task_id, source_arn = document["taskId"], document["sourceArn"]
        except (ValueError, binascii.Error, KeyError, TypeError, orjson.JSONDecodeError):
            raise ResourceNotFoundException("Task does not exist.") from None
        for record in await self.store.scan(TABLE, source_arn + "/"):
            if record.key.endswith("/" + task_id):
                task = record.value
                if task["Status"] != "RUNNING":
                    raise UnsupportedOperation("Only active tasks can be cancelled.")
                task["Status"] = "CANCELLING"
                await self.store.put(TABLE, record.key, task)
                return int(task["ApproximateNumberOfMessagesMoved"])
        raise ResourceNotFoundException("Task does not exist.")
