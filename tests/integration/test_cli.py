"""`lamina env` and the AWS CLI: the README's path for a new user."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.functions import python_zip, unique_name
from tests.lamina_server import LaminaServer

# The README's way to make an execution role; a second run finds it already there.
CREATE_ROLE = """
aws iam create-role --role-name cli-role --assume-role-policy-document \\
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}' \\
    > /dev/null 2>&1 || true
ROLE_ARN=$(aws iam get-role --role-name cli-role --query Role.Arn --output text)
"""

SOURCE = """
def handler(event, context):
    return {"greeting": "hello " + event["name"]}
"""


def _shell(server: LaminaServer, script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    prelude = f'eval "$({sys.executable} -m lamina env --data-dir {server.data_dir})"\n'
    return subprocess.run(["bash", "-euo", "pipefail", "-c", prelude + script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_env_prints_exports(server: LaminaServer, tmp_path: Path) -> None:
    result = _shell(server, 'echo "$AWS_ENDPOINT_URL $AWS_ACCESS_KEY_ID $AWS_DEFAULT_REGION"', tmp_path)
    assert result.returncode == 0, result.stderr
    key, _ = server.credentials()
    assert result.stdout.split() == [server.endpoint, key, "us-east-1"]


def test_aws_cli_creates_invokes_updates_and_deletes(server: LaminaServer, tmp_path: Path) -> None:
    (tmp_path / "fn.zip").write_bytes(python_zip(SOURCE))
    name = unique_name("cli")
    script = f"""
{CREATE_ROLE}
aws lambda create-function --function-name {name} --runtime python3.11 --handler app.handler \\
    --role "$ROLE_ARN" --zip-file fileb://fn.zip > created.json
aws lambda wait function-active-v2 --function-name {name}
aws lambda invoke --function-name {name} --payload '{{"name": "cli"}}' out.json > invoke.json
aws lambda update-function-configuration --function-name {name} --timeout 7 > updated.json
aws lambda wait function-updated-v2 --function-name {name}
aws lambda list-functions > list.json
aws lambda delete-function --function-name {name}
"""
    result = _shell(server, script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "created.json").read_text())["FunctionName"] == name
    assert json.loads((tmp_path / "out.json").read_text()) == {"greeting": "hello cli"}
    assert json.loads((tmp_path / "invoke.json").read_text())["StatusCode"] == 200
    assert json.loads((tmp_path / "updated.json").read_text())["Timeout"] == 7
    assert name in [f["FunctionName"] for f in json.loads((tmp_path / "list.json").read_text())["Functions"]]
    gone = _shell(server, f"aws lambda get-function --function-name {name}", tmp_path)
    assert gone.returncode != 0 and "ResourceNotFoundException" in gone.stderr


def test_aws_cli_reports_handler_errors(server: LaminaServer, tmp_path: Path) -> None:
    (tmp_path / "fn.zip").write_bytes(python_zip("def handler(event, context):\n    raise KeyError('k')\n"))
    name = unique_name("cli-err")
    script = f"""
{CREATE_ROLE}
aws lambda create-function --function-name {name} --runtime python3.11 --handler app.handler \\
    --role "$ROLE_ARN" --zip-file fileb://fn.zip > /dev/null
aws lambda wait function-active-v2 --function-name {name}
aws lambda invoke --function-name {name} out.json > invoke.json
"""
    result = _shell(server, script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "invoke.json").read_text())["FunctionError"] == "Unhandled"
    assert json.loads((tmp_path / "out.json").read_text())["errorType"] == "KeyError"


def test_root_credentials_file_is_private_and_kept(fresh_server: LaminaServer) -> None:
    fresh_server.extra_env = {"LAMINA_ROOT_ACCESS_KEY_ID": "AKIAFIXEDFIXEDFIXED0",
                              "LAMINA_ROOT_SECRET_ACCESS_KEY": "fixed-secret"}
    fresh_server.start()
    path = fresh_server.data_dir / "root-credentials.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert fresh_server.credentials() == ("AKIAFIXEDFIXEDFIXED0", "fixed-secret")
    fresh_server.stop()
    fresh_server.extra_env = {"LAMINA_ROOT_ACCESS_KEY_ID": "AKIAOTHEROTHEROTHER0",
                              "LAMINA_ROOT_SECRET_ACCESS_KEY": "other"}
    fresh_server.start()
    assert fresh_server.credentials() == ("AKIAFIXEDFIXEDFIXED0", "fixed-secret")
    assert fresh_server.client("lambda").list_functions()["Functions"] == []
