"""boto3 clients that speak one chosen protocol of a multi-protocol service (CloudWatch: cbor, json, query).

botocore picks the first protocol of its own priority list that the model lists; a copy of the
model listing only the wanted protocol, put first on the loader's search path, makes it pick that one.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import botocore.session
from botocore.config import Config


def model_dir_for(service: str, protocol: str, root: Path) -> Path:
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    version = loader.determine_latest_version(service, "service-2")
    model = loader.load_service_model(service, "service-2", version)
    model = json.loads(json.dumps(model))
    model["metadata"]["protocol"] = protocol
    model["metadata"]["protocols"] = [protocol]
    target = root / f"models-{protocol}" / service / version
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    return root / f"models-{protocol}"


def client_speaking(server, service: str, protocol: str, root: Path):  # type: ignore[no-untyped-def]
    core = botocore.session.Session()
    core.get_component("data_loader").search_paths.insert(0, str(model_dir_for(service, protocol, root)))
    key, secret = server.credentials()
    client = boto3.session.Session(botocore_session=core).client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))
    assert client.meta.service_model.resolved_protocol == protocol
    return client
