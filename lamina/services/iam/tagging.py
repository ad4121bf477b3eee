"""Tags on IAM users, roles and policies: at most 50, keys unique regardless of case
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_rules_creating)."""

from __future__ import annotations

from typing import Any

from lamina.services.iam.errors import LimitExceededException

MAX_TAGS = 50

Tag = dict[str, Any]


def merged(existing: list[Tag], new: list[Tag] | None) -> list[Tag]:
    tags = [dict(t) for t in existing]
    for tag in new or ():
        for current in tags:
            if current["Key"].lower() == tag["Key"].lower():
                current.update(Key=tag["Key"], Value=tag.get("Value", ""))
                break
        else:
            tags.append({"Key": tag["Key"], "Value": tag.get("Value", "")})
    if len(tags) > MAX_TAGS:
        raise LimitExceededException(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    return tags


def untagged(existing: list[Tag], keys: list[str]) -> list[Tag]:
    gone = {k.lower() for k in keys}
    return [t for t in existing if t["Key"].lower() not in gone]
