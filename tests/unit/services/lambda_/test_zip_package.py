"""Hostile deployment packages are refused with Lambda's error and leave nothing on disk."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from lamina.services.lambda_.zip_package import (
    UNZIP_FAILED,
    PackageRefused,
    extract_package,
    remove_tree,
    unzipped_limit_message,
)


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def _symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def _leftovers(parent: Path) -> list[str]:
    return sorted(os.listdir(parent))


def test_extracts_files_read_only_and_keeps_executable_bits(tmp_path: Path) -> None:
    exe = zipfile.ZipInfo("bootstrap")
    exe.create_system = 3
    exe.external_attr = (stat.S_IFREG | 0o755) << 16
    data = _zip([("app.py", b"x = 1\n"), ("pkg/mod.py", b"y = 2\n"), (exe, b"#!/bin/sh\n")])
    target = tmp_path / "code"
    size = extract_package(data, target)
    assert size == len(b"x = 1\n") + len(b"y = 2\n") + len(b"#!/bin/sh\n")
    assert (target / "pkg" / "mod.py").read_text() == "y = 2\n"
    assert os.stat(target / "bootstrap").st_mode & 0o111
    assert not os.stat(target / "app.py").st_mode & 0o222
    remove_tree(target)
    assert not target.exists()


@pytest.mark.parametrize("name", ["../evil.py", "a/../../evil.py", "/etc/evil.py", "C:/evil.py", "..\\evil.py"])
def test_path_traversal_is_refused(tmp_path: Path, name: str) -> None:
    data = _zip([("ok.py", b""), (name, b"boom")])
    with pytest.raises(PackageRefused) as refused:
        extract_package(data, tmp_path / "code")
    assert refused.value.code == "InvalidParameterValueException"
    assert _leftovers(tmp_path) == []
    assert not (tmp_path.parent / "evil.py").exists()


@pytest.mark.parametrize("target", ["/etc/passwd", "../../outside", "sub/../../outside"])
def test_symlinks_out_of_the_tree_are_refused(tmp_path: Path, target: str) -> None:
    data = _zip([("app.py", b""), _symlink("link", target)])
    with pytest.raises(PackageRefused):
        extract_package(data, tmp_path / "code")
    assert _leftovers(tmp_path) == []


def test_symlinks_inside_the_tree_are_kept(tmp_path: Path) -> None:
    data = _zip([("lib/real.py", b"z = 3\n"), _symlink("alias.py", "lib/real.py")])
    extract_package(data, tmp_path / "code")
    assert os.readlink(tmp_path / "code" / "alias.py") == "lib/real.py"
    assert (tmp_path / "code" / "alias.py").read_text() == "z = 3\n"


def test_zip_bomb_is_stopped_by_bytes_written_not_headers(tmp_path: Path) -> None:
    data = _zip([("bomb.bin", b"\0" * (3 * 1024 * 1024))])
    assert len(data) < 10_000
    with pytest.raises(PackageRefused) as refused:
        extract_package(data, tmp_path / "code", limit=1024 * 1024)
    assert refused.value.message == unzipped_limit_message(1024 * 1024)
    assert _leftovers(tmp_path) == []


def test_header_that_lies_about_size_is_still_counted(tmp_path: Path) -> None:
    data = bytearray(_zip([("big.bin", b"a" * 200_000)]))
    # Rewrite the central directory's uncompressed size to claim 10 bytes.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(PackageRefused):
        extract_package(bytes(data), tmp_path / "code", limit=100_000)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04garbage"])
def test_non_zip_bytes_are_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(PackageRefused) as refused:
        extract_package(data, tmp_path / "code")
    assert refused.value.message == UNZIP_FAILED
    assert _leftovers(tmp_path) == []


def test_corrupt_member_data_is_refused(tmp_path: Path) -> None:
    data = bytearray(_zip([("app.py", b"print('hello world')\n" * 100)]))
    start = data.find(b"app.py") + len("app.py")
    data[start + 5:start + 15] = b"\xff" * 10
    with pytest.raises(PackageRefused):
        extract_package(bytes(data), tmp_path / "code")
    assert _leftovers(tmp_path) == []
