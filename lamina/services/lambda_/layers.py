"""Layer versions in the store: immutable, numbered per layer, content-addressed like function code
(https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html)."""

from __future__ import annotations

import base64
import re
from typing import Any

from lamina.services.lambda_.errors import InvalidParameterValueException
from lamina.store import PreconditionFailed, Store
from lamina.store.base import Put

LAYERS = "lambda:layers"
VERSIONS = "lambda:layer-versions"
_ARN = re.compile(r"^arn:[a-zA-Z0-9-]+:lambda:(?P<region>[a-zA-Z0-9-]+):(?P<account>\d{12}):layer:"
                  r"(?P<name>[a-zA-Z0-9-_]+)(?::(?P<version>[0-9]+))?$")


def layer_arn(region: str, account: str, name: str, version: int | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:layer:{name}"
    return f"{arn}:{version}" if version is not None else arn


def parse_layer_arn(arn: str) -> tuple[str, str, str, int | None]:
    found = _ARN.match(arn)
    if found is None:
        raise InvalidParameterValueException(f"Invalid layer arn: {arn}")
    version = found["version"]
    return found["region"], found["account"], found["name"], int(version) if version else None


def layer_name_of(text: str, region: str, account: str) -> tuple[str, str, str]:
    """(region, account, name) of a LayerName given as a name or a layer ARN."""
    if text.startswith("arn:"):
        found_region, found_account, name, _ = parse_layer_arn(text)
        return found_region, found_account, name
    return region, account, text


def _layer_key(region: str, account: str, name: str) -> str:
    return f"{account}/{region}/{name}"


def _version_key(region: str, account: str, name: str, version: int) -> str:
    return f"{_layer_key(region, account, name)}/{version:010d}"


class LayerTable:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add_version(self, region: str, account: str, name: str,
                          build: "Any") -> dict[str, Any]:
        """Give the layer its next version number; ``build(number)`` returns the version document."""
        while True:
            found = await self.store.get(LAYERS, _layer_key(region, account, name))
            number = (found.value["last_version"] if found else 0) + 1
            document = build(number)
            try:
                await self.store.apply([
                    Put(LAYERS, _layer_key(region, account, name), {"last_version": number},
                        if_version=found.version if found else None),
                    Put(VERSIONS, _version_key(region, account, name, number), document, if_version=None),
                ])
                return document
            except PreconditionFailed:
                continue  # another publish took this number first

    async def get_version(self, region: str, account: str, name: str, version: int) -> tuple[dict[str, Any], int] | None:
        found = await self.store.get(VERSIONS, _version_key(region, account, name, version))
        return (found.value, found.version) if found else None

    async def put_version(self, document: dict[str, Any], if_version: int) -> None:
        region, account, name, version = parse_layer_arn(document["LayerVersionArn"])
        await self.store.put(VERSIONS, _version_key(region, account, name, version or 0), document,
                             if_version=if_version)

    async def versions(self, region: str, account: str, name: str) -> list[dict[str, Any]]:
        prefix = _layer_key(region, account, name) + "/"
        return [r.value for r in await self.store.scan(VERSIONS, prefix)]

    async def all_versions(self, region: str, account: str) -> list[dict[str, Any]]:
        return [r.value for r in await self.store.scan(VERSIONS, f"{account}/{region}/")]

    async def delete_version(self, region: str, account: str, name: str, version: int) -> bool:
        return await self.store.delete(VERSIONS, _version_key(region, account, name, version))

    async def every_digest(self) -> set[str]:
        return {r.value["_code"]["digest"] for r in await self.store.scan(VERSIONS)}

    async def refresh_folder(self, folder: str, digest: str, size: int) -> None:
        """A hot-reload layer's folder changed: its reported hash and size follow the content."""
        for found in await self.store.scan(VERSIONS):
            code = found.value["_code"]
            if code.get("path") == folder and code.get("digest") != digest:
                code.update(digest=digest, size=size, unzipped=size,
                            sha256=base64.b64encode(bytes.fromhex(digest)).decode())
                await self.store.put(VERSIONS, found.key, found.value)
