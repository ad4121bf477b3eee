"""Which Python functions name the AWS SDK in their code (engine/sdk_use.py), and how the runtime notices an
import of it that no text shows (zygote/sdk_watch.py)."""

from __future__ import annotations

import builtins
import importlib.util
import os
from pathlib import Path

import pytest

from lamina.engine import sdk_use
from lamina.engine.sdk_use import PYTHON_SDK_MODULES, names_sdk

WATCH = Path(sdk_use.__file__).parent / "zygote" / "sdk_watch.py"  # standalone, as the zygote runs it


@pytest.mark.parametrize("source", [
    "import boto3\n", "from botocore.config import Config\n", "import urllib3\n", "import ssl\n",
    "import http.client\n", "from http import client\n", "    s3 = __import__('boto3')\n",
])
def test_code_that_names_an_sdk_module_is_seen(tmp_path: Path, source: str) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "helper.py").write_text(source)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    assert names_sdk([tmp_path]) is True


def test_code_without_sdk_names_and_layers_are_read_too(tmp_path: Path) -> None:
    code, layer = tmp_path / "code", tmp_path / "layer"
    code.mkdir()
    layer.mkdir()
    (code / "app.py").write_text("import json, time, http.server\nMODULE = 'bo' + 'to3'  # boto3x, sslx\n")
    (layer / "notes.txt").write_text("import boto3\n")  # not Python: not read
    assert names_sdk([code, layer]) is False
    (layer / "lib.py").write_text("import boto3\n")
    assert names_sdk([code, layer]) is True


def test_too_much_code_is_left_to_the_runtime_to_tell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_use, "MAX_BYTES", 100)
    (tmp_path / "big.py").write_text("x = 1\n" * 50)
    assert names_sdk([tmp_path]) is None


@pytest.fixture
def watch_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("lamina_test_sdk_watch", WATCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_runtime_notices_the_first_sdk_import_and_steps_aside(watch_module) -> None:  # type: ignore[no-untyped-def]
    original = builtins.__import__
    watch = watch_module.SdkWatch(PYTHON_SDK_MODULES)
    watch.install()
    try:
        import json  # noqa: F401  (not the SDK)
        from http import cookies  # noqa: F401
        assert not watch.seen and builtins.__import__ is not original
        from http import client  # noqa: F401  (http.client is)
        assert watch.seen and builtins.__import__ is original
    finally:
        builtins.__import__ = original


@pytest.mark.parametrize("name, fromlist", [("boto3", ()), ("botocore.session", ()), ("http", ("client",)),
                                            ("ssl", ())])
def test_sdk_imports_in_every_form(watch_module, name: str, fromlist: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    assert watch_module.SdkWatch(PYTHON_SDK_MODULES).wanted(name, fromlist)


@pytest.mark.parametrize("name, fromlist", [("json", ()), ("http", ("server",)), ("boto3x", ()), ("sslx.y", ())])
def test_other_imports_are_not_the_sdk(watch_module, name: str, fromlist: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    assert not watch_module.SdkWatch(PYTHON_SDK_MODULES).wanted(name, fromlist)


def test_without_watched_modules_nothing_is_installed(watch_module) -> None:  # type: ignore[no-untyped-def]
    original = builtins.__import__
    watch_module.SdkWatch(frozenset()).install()
    assert builtins.__import__ is original


def test_a_hook_the_function_put_over_the_watch_stays(watch_module) -> None:  # type: ignore[no-untyped-def]
    original = builtins.__import__
    watch = watch_module.SdkWatch(PYTHON_SDK_MODULES)
    watch.install()
    watched = builtins.__import__
    calls: list[str] = []

    def theirs(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(name)
        return watched(name, *args, **kwargs)

    builtins.__import__ = theirs
    try:
        import ssl  # noqa: F401
        assert watch.seen and builtins.__import__ is theirs and calls == ["ssl"]
    finally:
        builtins.__import__ = original


def test_only_plain_files_are_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")  # opening it would wait for a writer
    (tmp_path / "elsewhere.txt").write_text("import boto3\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "elsewhere.txt")
    assert names_sdk([tmp_path]) is False
