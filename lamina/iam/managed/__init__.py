"""AWS managed policies, with their real documents.

Each ``<PolicyName>.json`` holds one policy's metadata and the document of its
default version, as AWS publishes it in the AWS Managed Policy Reference
(the first URL in the file's ``Sources``); the JSON text was taken from a
mirror of IAM's ``GetPolicyVersion`` output (the second URL). Managed
policies are the same in every account: their ARNs have ``aws`` in place of
an account ID.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    name: str
    policy_id: str
    arn: str
    path: str
    version_id: str
    create_date: str
    update_date: str
    version_date: str
    document: str  # the default version's document, as JSON text
    sources: tuple[str, ...]

    def metadata(self) -> dict[str, Any]:
        """The fields of IAM's Policy shape (counts filled in by the caller)."""
        return {"PolicyName": self.name, "PolicyId": self.policy_id, "Arn": self.arn, "Path": self.path,
                "DefaultVersionId": self.version_id, "IsAttachable": True, "CreateDate": self.create_date,
                "UpdateDate": self.update_date}


@functools.cache
def aws_managed_policies() -> dict[str, ManagedPolicy]:
    """Every AWS managed policy lamina knows, by ARN."""
    found: dict[str, ManagedPolicy] = {}
    for entry in resources.files(__name__).iterdir():
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text())
        policy = ManagedPolicy(
            name=data["PolicyName"], policy_id=data["PolicyId"], arn=data["Arn"], path=data["Path"],
            version_id=data["DefaultVersionId"], create_date=data["CreateDate"], update_date=data["UpdateDate"],
            version_date=data["VersionCreateDate"], document=json.dumps(data["Document"], indent=4),
            sources=tuple(data["Sources"]))
        found[policy.arn] = policy
    return found
