"""IAM users, roles and clients signed with their credentials, for tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from tests.lamina_server import REGION, LaminaServer


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


@dataclass
class Identity:
    """Credentials and the clients they sign."""

    server: LaminaServer
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    arn: str = ""

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.server.endpoint, region_name=REGION,
                            aws_access_key_id=self.access_key_id, aws_secret_access_key=self.secret_access_key,
                            aws_session_token=self.session_token,
                            config=Config(retries={"max_attempts": 1}, read_timeout=120))


def make_user(server: LaminaServer, *inline: str, managed: tuple[str, ...] = (), name: str | None = None) -> Identity:
    """A new IAM user with the given inline policy documents and managed policy ARNs, and a key."""
    iam = server.client("iam")
    name = name or f"user-{uuid.uuid4().hex[:8]}"
    user = iam.create_user(UserName=name)["User"]
    for index, document in enumerate(inline):
        iam.put_user_policy(UserName=name, PolicyName=f"inline-{index}", PolicyDocument=document)
    for arn in managed:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Identity(server, key["AccessKeyId"], key["SecretAccessKey"], arn=user["Arn"])


def from_credentials(server: LaminaServer, credentials: dict[str, Any], arn: str = "") -> Identity:
    """An identity from STS's Credentials."""
    return Identity(server, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"],
                    arn=arn)
