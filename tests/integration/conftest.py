from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.lamina_server import LaminaServer


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaminaServer]:
    """One lamina for the tests that do not restart it."""
    node = LaminaServer(tmp_path_factory.mktemp("lamina") / "data").start()
    try:
        node.create_role()  # tests.functions.ROLE, the execution role the tests' functions run as
        yield node
    finally:
        node.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[LaminaServer]:
    """A lamina of the test's own, for tests that restart or kill it."""
    node = LaminaServer(tmp_path / "data")
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def lambda_client(server: LaminaServer):  # type: ignore[no-untyped-def]
    return server.client("lambda")
