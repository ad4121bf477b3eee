"""Naming compiled code in a package that cannot run for the function here.

A wheel built for another CPU (``aarch64`` on an x86_64 host), another OS
(macOS Mach-O, Windows PE) or another CPython ABI (``cpython-312`` for a
python3.11 function) fails only at import time in Lambda, with an obscure
error. lamina reads each native file's header and name when the code is
created or updated, and says which files will not load, and why.
"""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

# ELF e_machine values (https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html).
_ELF_MACHINES = {0x03: "x86", 0x28: "arm", 0x3E: "x86_64", 0xB7: "aarch64", 0xF3: "riscv", 0x15: "ppc64"}
_MACHO_MAGICS = {b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
                 b"\xca\xfe\xba\xbe"}
_NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll", ".node")
_CPYTHON_TAG = re.compile(r"\.cpython-(\d)(\d+)[a-z]*-([^.]+)\.so$")
_ARCH_OF_FUNCTION = {"x86_64": "x86_64", "arm64": "aarch64"}
LOG_STREAM = "lamina/package-check"  # where the findings go in the function's log group


@dataclass(frozen=True)
class ForeignBinary:
    path: str  # relative to the package root
    reason: str


def host_architecture() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def _header_problem(path: Path, wanted_arch: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return None
    if header[:4] == b"\x7fELF" and len(header) >= 20:
        little = header[5] == 1
        machine = int.from_bytes(header[18:20], "little" if little else "big")
        arch = _ELF_MACHINES.get(machine, f"machine type {machine:#x}")
        if arch != wanted_arch:
            return f"built for {arch}, but the function runs on {wanted_arch}"
        return None
    if header[:4] in _MACHO_MAGICS:
        return "a macOS (Mach-O) binary; Lambda runs Linux"
    if header[:2] == b"MZ":
        return "a Windows (PE) binary; Lambda runs Linux"
    return None


def _abi_problem(name: str, runtime: str) -> str | None:
    found = _CPYTHON_TAG.search(name)
    if found is None or not runtime.startswith("python"):
        return None
    built_for = f"{found.group(1)}.{found.group(2)}"
    wanted = runtime.removeprefix("python")
    if built_for != wanted:
        return f"built for CPython {built_for}, but the function's runtime is {runtime}"
    if "musl" in found.group(3):
        return "built for musl libc; Lambda's Linux uses glibc"
    return None


def foreign_binaries(root: Path, runtime: str, architecture: str) -> list[ForeignBinary]:
    """Native files under ``root`` that cannot be loaded by ``runtime`` on ``architecture`` on this host."""
    wanted = _ARCH_OF_FUNCTION.get(architecture, architecture)
    host = host_architecture()
    findings = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(_NATIVE_SUFFIXES) and ".so." not in name:
                continue
            path = Path(dirpath) / name
            relative = str(path.relative_to(root))
            reason = _header_problem(path, wanted) or _abi_problem(name, runtime)
            if reason is None and wanted != host:
                reason = f"the function's architecture is {architecture}, but this lamina runs on {host}"
            if reason is not None:
                findings.append(ForeignBinary(relative, reason))
    return findings


def describe(findings: list[ForeignBinary], where: str) -> list[str]:
    """Log lines naming each file that will not load."""
    lines = [f"lamina: the {where} carries compiled code that cannot run for this function:"]
    lines += [f"lamina:   {finding.path}: {finding.reason}" for finding in findings]
    return lines
