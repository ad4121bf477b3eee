"""Queue names, URLs and ARNs.

A queue is named by (account, region, name). Clients reach it by URL, which boto3 and the
CLI build as ``<endpoint>/<account>/<name>``
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html);
other services name it by ARN ``arn:aws:sqs:<region>:<account>:<name>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lamina.services.sqs.errors import InvalidParameterValue, QueueDoesNotExist

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")
_REGION_HOST = re.compile(r"^(?:sqs\.)?(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)\.")


@dataclass(frozen=True, slots=True)
class QueueAddress:
    account: str
    region: str
    name: str

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.name}"

    def url(self, base_url: str) -> str:
        return f"{base_url}/{self.account}/{self.name}"


def check_name(name: str, fifo: bool) -> None:
    if fifo:
        if not _FIFO_NAME.match(name):
            raise InvalidParameterValue(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                "must end with .fifo suffix and be 1 to 80 in length.")
    elif not _NAME.match(name):
        raise InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. "
                                    "1 to 80 in length")


def from_url(url: str, region: str, account: str) -> QueueAddress:
    """The queue a URL names. The host may name a region (``sqs.eu-west-1.amazonaws.com``); lamina's own
    host does not, and then the request's region applies."""
    parts = urlsplit(url if "://" in url else "http://host/" + url.lstrip("/"))
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 2 or not segments[0].isdigit() or len(segments[0]) != 12:
        # Only a well-formed URL can name a queue; anything else names none
        # (AWS: "The address ... is not valid for this endpoint", answered as a missing queue by the SDKs).
        raise QueueDoesNotExist("The specified queue does not exist.")
    found = _REGION_HOST.match(parts.hostname or "")
    return QueueAddress(segments[0], found["region"] if found else region, segments[1])


def from_arn(arn: str) -> QueueAddress:
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        raise InvalidParameterValue(f"Invalid queue ARN: {arn}")
    return QueueAddress(parts[4], parts[3], parts[5])
