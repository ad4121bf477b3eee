"""The services a node serves, in start order (a service may use the ones before it)."""

from __future__ import annotations

from typing import Callable

from lamina.gateway.services import ServiceEndpoint
from lamina.services import iam, lambda_, sts
from lamina.services.platform import Platform

Builder = Callable[[Platform], ServiceEndpoint]

BUILDERS: list[Builder] = [
    iam.build,
    sts.build,
    lambda_.build,
]
