"""Compiled code that cannot load for the function is named with the reason."""

from __future__ import annotations

import struct
from pathlib import Path

from lamina.services.lambda_.native_code import foreign_binaries, host_architecture

ELF_MACHINE = {"x86_64": 0x3E, "aarch64": 0xB7}


def _elf(path: Path, arch: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8 + struct.pack("<HH", 3, ELF_MACHINE[arch])
    path.write_bytes(header + b"\0" * 64)


def test_aarch64_shared_object_on_x86_64(tmp_path: Path) -> None:
    host = host_architecture()
    other = "aarch64" if host == "x86_64" else "x86_64"
    _elf(tmp_path / "numpy" / "core" / "_multiarray.cpython-311-x86_64-linux-gnu.so", other)
    _elf(tmp_path / "ok" / "fine.cpython-311-x86_64-linux-gnu.so", host)
    arch = "x86_64" if host == "x86_64" else "arm64"
    [finding] = foreign_binaries(tmp_path, "python3.11", arch)
    assert finding.path == "numpy/core/_multiarray.cpython-311-x86_64-linux-gnu.so"
    assert finding.reason == f"built for {other}, but the function runs on {host}"


def test_macos_and_windows_binaries(tmp_path: Path) -> None:
    (tmp_path / "mac.so").write_bytes(b"\xcf\xfa\xed\xfe" + b"\0" * 32)
    (tmp_path / "win.pyd").write_bytes(b"MZ" + b"\0" * 32)
    reasons = {f.path: f.reason for f in foreign_binaries(tmp_path, "python3.11", "x86_64")}
    assert "macOS" in reasons["mac.so"] and "Windows" in reasons["win.pyd"]


def test_other_python_abi_and_musl(tmp_path: Path) -> None:
    host = host_architecture()
    _elf(tmp_path / "a.cpython-312-x86_64-linux-gnu.so", host)
    _elf(tmp_path / "b.cpython-311-x86_64-linux-musl.so", host)
    _elf(tmp_path / "c.abi3.so", host)
    arch = "x86_64" if host == "x86_64" else "arm64"
    reasons = {f.path: f.reason for f in foreign_binaries(tmp_path, "python3.11", arch)}
    assert reasons == {"a.cpython-312-x86_64-linux-gnu.so":
                       "built for CPython 3.12, but the function's runtime is python3.11",
                       "b.cpython-311-x86_64-linux-musl.so": "built for musl libc; Lambda's Linux uses glibc"}
