"""Queue tags: at most 50 per queue, keys 1-128 and values 0-256 characters
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-tags.html)."""

from __future__ import annotations

from lamina.services.sqs.errors import InvalidParameterValue

MAX_TAGS = 50


def check_tags(tags: dict[str, str]) -> None:
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise InvalidParameterValue(f"Tag {key!r} is invalid: keys are 1 to 128 and values at most 256 "
                                        "characters long.")
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags: a queue has at most {MAX_TAGS}.")


def tag_limit(tags: dict[str, str], queue_name: str) -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags added for queue {queue_name}.")
