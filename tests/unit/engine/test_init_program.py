"""The environments' init program (lamina/engine/zygote/init_program.py): a static ELF that waits forever."""

from __future__ import annotations

import os
import signal
import struct
from pathlib import Path

import pytest

from lamina.engine.zygote import init_program

# The system call each architecture's program waits in (pause on x86-64, ppoll on arm64).
WAITS_IN = {"x86_64": 34, "aarch64": 73}


@pytest.mark.parametrize("machine, number", [("x86_64", 62), ("aarch64", 183)])
def test_the_executable_is_one_segment_whose_entry_is_its_code(machine: str, number: int) -> None:
    program = init_program.executable(machine)
    magic, bits, endian, _, _, _, _, kind, elf_machine, _, entry, phoff, shoff, _, ehsize, phentsize, phnum, \
        _, shnum, _ = struct.unpack_from("<4sBBBBB7sHHIQQQIHHHHHH", program)
    assert (magic, bits, endian, kind, elf_machine) == (b"\x7fELF", 2, 1, 2, number)
    assert (phoff, shoff, phnum, shnum) == (ehsize, 0, 1, 0)
    segment_type, flags, offset, vaddr, _, filesz, memsz, _ = struct.unpack_from("<IIQQQQQQ", program, phoff)
    assert (segment_type, flags, offset) == (1, 5, 0)  # loadable, read + execute, the whole file
    assert filesz == memsz == len(program)
    code = init_program.PROGRAMS[machine][1]
    assert entry == vaddr + len(program) - len(code) and program.endswith(code)


def test_it_waits_in_its_system_call_until_killed(tmp_path: Path) -> None:
    path = tmp_path / "init"
    path.write_bytes(init_program.executable())
    path.chmod(0o555)
    pid = os.posix_spawn(str(path), ["lamina-init"], {})
    try:
        # /proc/<pid>/syscall names the system call a blocked process is in ("running" while it runs).
        syscall = Path(f"/proc/{pid}/syscall")
        for _ in range(100_000):
            state = syscall.read_text().split()
            if state[0] == str(WAITS_IN[os.uname().machine]):
                break
        assert state[0] == str(WAITS_IN[os.uname().machine])
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)
    finally:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
