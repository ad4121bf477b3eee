"""The SQS API (json and query forms): the operation groups composed into one provider.

Each group lives in ``operations/`` and is thin: each operation finds its queue and
hands over to the broker (messages), the queue table (queues) or the domain modules
beside this file.
"""

from __future__ import annotations

from lamina.services.platform import Platform
from lamina.services.sqs.operations.in_process import InProcessOperations
from lamina.services.sqs.operations.messages import MessageOperations
from lamina.services.sqs.operations.permissions import PermissionOperations
from lamina.services.sqs.operations.queues import QueueOperations
from lamina.services.sqs.operations.redrive import RedriveOperations
from lamina.triggers.sqs_retention import RetentionSweeper


class SqsProvider(
    QueueOperations,
    PermissionOperations,
    MessageOperations,
    RedriveOperations,
    InProcessOperations,
):
    ignored_members = {
        "ReceiveMessage": {"ReceiveRequestAttemptId": "repeated receive attempts are not recognised; each "
                                                      "ReceiveMessage receives anew"},
    }

    # The model types ReceiveMessage's AttributeNames as queue attribute names, but SQS takes message system
    # attribute names there (ApproximateReceiveCount, SentTimestamp...), and answers unknown queue attribute
    # names with InvalidAttributeName, not a validation error
    # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
    unchecked_enums = frozenset({"QueueAttributeName"})

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.sweeper = RetentionSweeper(self.messages)

    async def start(self) -> None:
        self.queues.load()
        await self.move_tasks.start()
        await self.sweeper.start()

    async def stop(self) -> None:
        await self.sweeper.stop()
        await self.move_tasks.stop()
