"""AddPermission and RemovePermission: statements in the queue's access policy, keyed by label
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html).
The policy is stored; the IAM layer enforces it."""

from __future__ import annotations

from typing import Any

import orjson

from lamina.services.sqs.errors import invalid_value


def _document(policy: str | None, queue_arn: str) -> dict[str, Any]:
    if policy:
        return orjson.loads(policy)
    return {"Version": "2012-10-17", "Id": f"{queue_arn}/SQSDefaultPolicy", "Statement": []}


def add(policy: str | None, queue_arn: str, label: str, accounts: list[str], actions: list[str]) -> str:
    document = _document(policy, queue_arn)
    statements = document.setdefault("Statement", [])
    if any(s.get("Sid") == label for s in statements):
        raise invalid_value("Label", label, "Already exists.")
    statements.append({
        "Sid": label, "Effect": "Allow",
        "Principal": {"AWS": [f"arn:aws:iam::{account}:root" for account in accounts]},
        "Action": [f"SQS:{action}" for action in actions],
        "Resource": queue_arn,
    })
    return orjson.dumps(document).decode()


def remove(policy: str | None, label: str) -> str | None:
    """The policy without the label's statement; None when no statement is left."""
    document = orjson.loads(policy) if policy else {"Statement": []}
    statements = document.get("Statement", [])
    kept = [s for s in statements if s.get("Sid") != label]
    if len(kept) == len(statements):
        raise invalid_value("Label", label, "can't find label on existing policy.")
    if not kept:
        return None
    document["Statement"] = kept
    return orjson.dumps(document).decode()
