"""Extracts the query-protocol traits of an old botocore model into an overlay file.

Some services moved from the query protocol to json (SQS in botocore 1.31.81).
Their current models dropped the ``locationName``s and query error codes that
older clients still put on the wire. The overlay keeps exactly those traits,
taken from the last botocore release that described the service in the query
protocol, so that ``lamina.protocol.query_compat`` can lay them over the
current model. Regenerate with::

    pip download botocore==1.31.80 --no-deps -d /tmp/old && unzip -q /tmp/old/*.whl -d /tmp/old
    python -m lamina.protocol.data.extract_query_traits sqs \\
        /tmp/old/botocore/data/sqs/2012-11-05/service-2.json "botocore 1.31.80" \\
        > lamina/protocol/data/sqs.query-traits.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from botocore.loaders import Loader

_SHAPE_TRAITS = ("flattened", "locationName", "xmlNamespace", "error", "exception")
_REF_TRAITS = ("flattened", "locationName", "xmlNamespace", "xmlAttribute", "queryName")


def _ref_traits(ref: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ref.items() if k in _REF_TRAITS}


def extract(service: str, old: dict[str, Any], source: str) -> dict[str, Any]:
    current = Loader().load_service_model(service, "service-2")
    overlay: dict[str, Any] = {
        "source": f"{source}: {service}/{old['metadata']['apiVersion']} (protocol {old['metadata']['protocol']})",
        "metadata": {k: old["metadata"][k] for k in ("xmlNamespace",) if k in old["metadata"]},
        "operations": {},
        "shapes": {},
    }
    for name, operation in old["operations"].items():
        output = operation.get("output", {})
        if name in current["operations"] and "resultWrapper" in output:
            overlay["operations"][name] = {"output": {"resultWrapper": output["resultWrapper"]}}
    for name, shape in old["shapes"].items():
        now = current["shapes"].get(name)
        if now is None or now["type"] != shape["type"]:
            continue
        traits = {k: v for k, v in shape.items() if k in _SHAPE_TRAITS and now.get(k) != v}
        for part in ("member", "key", "value"):
            if part in shape and _ref_traits(shape[part]):
                traits[part] = _ref_traits(shape[part])
        members = {m: _ref_traits(ref) for m, ref in shape.get("members", {}).items()
                   if m in now.get("members", {}) and _ref_traits(ref)}
        members = {m: t for m, t in members.items() if t != _ref_traits(now["members"][m])}
        if members:
            traits["members"] = members
        if traits:
            overlay["shapes"][name] = traits
    return overlay


if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as handle:
        old_model = json.load(handle)
    json.dump(extract(sys.argv[1], old_model, sys.argv[3]), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
