"""Host names that address a function URL or an API on lamina's port.

``<id>.lambda-url.<region>.localhost`` and ``<id>.execute-api.<region>.localhost`` stand in for
AWS's ``<id>.lambda-url.<region>.on.aws`` and ``<id>.execute-api.<region>.amazonaws.com``:
``*.localhost`` resolves to the loopback address in browsers and most resolvers (RFC 6761).
Clients that cannot choose a host use the path forms under ``/_lamina/`` instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

_HOST = re.compile(r"^([a-z0-9]+)\.(lambda-url|execute-api)\.([a-z0-9-]+)\.localhost\.?$")


def hostname(host_header: str) -> str:
    """The host without its port, lower-cased."""
    host = host_header.lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


@lru_cache(maxsize=4096)  # asked by every front door of every request, and the same few hosts come back
def service_host(host_header: str, kind: str) -> tuple[str, str] | None:
    """(id, region) when the host addresses ``kind`` ("lambda-url" or "execute-api")."""
    if kind not in host_header:
        return None
    match = _HOST.match(hostname(host_header))
    if match is None or match.group(2) != kind:
        return None
    return match.group(1), match.group(3)


def split_path_form(rest: str) -> tuple[str, str]:
    """``<id>/<path...>`` (what follows ``/_lamina/<kind>/``) as (id, "/<path...>")."""
    ident, slash, path = rest.partition("/")
    return ident, "/" + path if slash else "/"
