"""The account root's access key: created once per data dir, kept (mode 0600) across restarts."""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "root-credentials.json"
_KEY_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class RootCredentials:
    access_key_id: str
    secret_access_key: str


def _generate() -> RootCredentials:
    # Same look as AWS keys: "AKIA" + 16 upper-case alphanumerics, a 40-character secret.
    key_id = "AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
    secret = secrets.token_urlsafe(30)[:40]
    return RootCredentials(key_id, secret)


def load_root_credentials(data_dir: Path) -> RootCredentials | None:
    path = data_dir / FILE_NAME
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return RootCredentials(data["AccessKeyId"], data["SecretAccessKey"])


def ensure_root_credentials(data_dir: Path) -> RootCredentials:
    """The stored root key; on first start, from LAMINA_ROOT_* variables or newly generated."""
    existing = load_root_credentials(data_dir)
    if existing is not None:
        return existing
    key_id = os.environ.get("LAMINA_ROOT_ACCESS_KEY_ID")
    secret = os.environ.get("LAMINA_ROOT_SECRET_ACCESS_KEY")
    creds = RootCredentials(key_id, secret) if key_id and secret else _generate()
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return creds
