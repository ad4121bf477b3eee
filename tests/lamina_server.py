"""Starting and stopping real ``lamina serve`` processes for tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config

REGION = "us-east-1"
# A trust policy that lets Lambda assume a role: what an execution role needs
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LaminaServer:
    data_dir: Path
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "LaminaServer":
        env = {**os.environ, **self.extra_env}
        env.pop("AWS_ENDPOINT_URL", None)
        self.log_path = self.data_dir.parent / f"lamina-{self.port}.log"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lamina", "serve", "--port", str(self.port),
             "--data-dir", str(self.data_dir), *self.extra_args],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"lamina exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_lamina/health", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.05)  # polling a process that gives no other readiness signal
        self.stop()
        raise RuntimeError(f"lamina did not become healthy in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def credentials(self) -> tuple[str, str]:
        data = json.loads((self.data_dir / "root-credentials.json").read_text())
        return data["AccessKeyId"], data["SecretAccessKey"]

    def client(self, service: str, region: str = REGION, **config: object):  # type: ignore[no-untyped-def]
        key, secret = self.credentials()
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=region, aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"total_max_attempts": 1}, read_timeout=120, **config))  # type: ignore[arg-type]

    def create_role(self, name: str = "lambda-role", trust: str = LAMBDA_TRUST) -> str:
        """An execution role Lambda may assume (made once per server); returns its ARN."""
        iam = self.client("iam")
        try:
            return iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        except iam.exceptions.EntityAlreadyExistsException:
            return iam.get_role(RoleName=name)["Role"]["Arn"]

    def env(self) -> dict[str, str]:
        key, secret = self.credentials()
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": key,
                "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": REGION}

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 10 s; also kills anything left in its process group."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._kill_group()
        return self.process.returncode

    def kill(self) -> None:
        """kill -9: the crash the durability tests simulate."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._kill_group()

    def _kill_group(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
