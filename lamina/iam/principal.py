"""Who is calling: the identity a request's credentials belong to."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    arn: str
    account_id: str
    kind: str  # "root" | "user" | "assumed-role" | "anonymous"
    access_key_id: str = ""
    user_id: str = ""
    name: str = ""
    session_token: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def is_root(self) -> bool:
        return self.kind == "root"


def root_principal(account_id: str, access_key_id: str) -> Principal:
    return Principal(arn=f"arn:aws:iam::{account_id}:root", account_id=account_id, kind="root",
                     access_key_id=access_key_id, user_id=account_id, name="root")


def anonymous_principal(account_id: str) -> Principal:
    return Principal(arn="anonymous", account_id=account_id, kind="anonymous")
