"""Engine tests drive the real Engine: real runtime processes, real function code on disk, no HTTP."""

from __future__ import annotations

import asyncio
import json
import textwrap
import uuid
from collections import defaultdict
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from lamina.engine import Engine, EngineSettings
from lamina.engine.api import FunctionSpec, Invocation, InvocationResult

ACCOUNT = "000000000000"
REGION = "us-east-1"


class CollectingSink:
    """A LogSink that keeps every event, per (group, stream)."""

    def __init__(self) -> None:
        self.streams: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)

    def write(self, account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        self.streams[(group, stream)].extend(events)

    def messages(self, group: str | None = None) -> list[str]:
        return [message for (g, _), events in self.streams.items() if group in (None, g) for _, message in events]


class Harness:
    """An Engine on its own event loop, driven synchronously from a test."""

    def __init__(self, settings: EngineSettings, functions_dir: Path) -> None:
        self.runner = asyncio.Runner()
        self.sink = CollectingSink()
        self.engine = Engine(settings, self.sink)
        self.functions_dir = functions_dir
        self.run(self.engine.start())

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return self.runner.run(coroutine)

    def close(self) -> None:
        try:
            self.run(self.engine.stop())
        finally:
            self.runner.close()

    def function(self, files: dict[str, str], *, handler: str = "app.handler", runtime: str = "python3.11",
                 name: str | None = None, **overrides: Any) -> FunctionSpec:
        """Write the function's files to disk and describe it the way the Lambda provider would."""
        name = name or f"fn-{uuid.uuid4().hex[:8]}"
        code_dir = self.functions_dir / f"{name}-{uuid.uuid4().hex[:6]}"
        code_dir.mkdir(parents=True)
        for relative, text in files.items():
            path = code_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
            if relative == "bootstrap":
                path.chmod(0o755)
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        fields: dict[str, Any] = dict(key=f"{arn}:$LATEST:{uuid.uuid4().hex}", function_name=name, function_arn=arn,
                                      version="$LATEST", runtime=runtime, handler=handler, code_dir=code_dir,
                                      region=REGION, account_id=ACCOUNT)
        fields.update(overrides)
        return FunctionSpec(**fields)

    def invocation(self, spec: FunctionSpec, event: Any = None, **overrides: Any) -> Invocation:
        payload = event if isinstance(event, bytes) else json.dumps({} if event is None else event).encode()
        fields: dict[str, Any] = dict(request_id=str(uuid.uuid4()), payload=payload,
                                      invoked_function_arn=spec.function_arn, tail_log=True)
        fields.update(overrides)
        return Invocation(**fields)

    def invoke(self, spec: FunctionSpec, event: Any = None, **overrides: Any) -> InvocationResult:
        return self.run(self.engine.invoke(spec, self.invocation(spec, event, **overrides)))


@pytest.fixture(scope="session")
def engine_work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Shared by every test: the runtime trees (the SDK copy) are built once per session.
    return tmp_path_factory.mktemp("engine-work")


@pytest.fixture
def make_harness(engine_work_dir: Path, tmp_path: Path) -> Iterator[Callable[..., Harness]]:
    harnesses: list[Harness] = []

    def make(**settings: Any) -> Harness:
        harness = Harness(EngineSettings(work_dir=engine_work_dir, **settings), tmp_path / "functions")
        harnesses.append(harness)
        return harness

    yield make
    for harness in harnesses:
        harness.close()


@pytest.fixture
def harness(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness()
