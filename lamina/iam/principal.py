"""Who is calling: the identity a request's credentials belong to."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    arn: str
    account_id: str
    kind: str  # "root" | "user" | "assumed-role" | "service" | "anonymous"
    access_key_id: str = ""
    user_id: str = ""  # aws:userid: the account ID (root), AIDA... (user), AROA...:session (role session)
    name: str = ""  # user name, role name, or a service principal's name ("events.amazonaws.com")
    session_token: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # Temporary credentials (STS): the role a session belongs to, when they were issued (epoch seconds),
    # the session policies passed when they were issued (JSON documents), and the function whose
    # execution environment holds them (Lambda's lambda:SourceFunctionArn).
    role_arn: str = ""
    issued_at: float | None = None
    session_policies: tuple[str, ...] = ()
    source_function_arn: str = ""

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def temporary(self) -> bool:
        return self.issued_at is not None

    @property
    def policy_arn(self) -> str:
        """aws:PrincipalArn: the role's ARN for a role session, the principal's own otherwise."""
        return self.role_arn or self.arn


def root_principal(account_id: str, access_key_id: str) -> Principal:
    return Principal(arn=f"arn:aws:iam::{account_id}:root", account_id=account_id, kind="root",
                     access_key_id=access_key_id, user_id=account_id, name="root")


def anonymous_principal(account_id: str) -> Principal:
    return Principal(arn="anonymous", account_id=account_id, kind="anonymous")


def service_principal(service: str, account_id: str = "") -> Principal:
    """An AWS service acting on a resource owner's behalf (events.amazonaws.com invoking a function)."""
    return Principal(arn=service, account_id=account_id, kind="service", name=service)
