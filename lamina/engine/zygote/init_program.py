"""The program an environment's PID 1 runs: a loop around a system call that waits for a signal, forever.

Standalone (runs in the zygote's interpreter). An environment's init only has to stay alive (its death
ends the environment, see ``inits.py``); it starts with SIGCHLD ignored, so the kernel reaps the orphans
that end up with it. This is that program, as the smallest static executable: an ELF header, one segment
and a few instructions, written into the sandbox's root (``confine.build_root``). Starting one costs 0.15 ms
of CPU, against 0.65 ms for a dynamically linked program that blocks (cat on a pipe: the dynamic loader
and libc's relocations), on every environment.
"""

import os
import struct

# Per architecture: the ELF machine number and the code, which touches no memory (not even its stack).
PROGRAMS = {
    # loop: mov eax, 34 (pause); syscall; jmp loop
    "x86_64": (62, bytes([0xB8, 34, 0, 0, 0, 0x0F, 0x05, 0xEB, 0xF7])),
    # loop: mov x0..x3, #0; mov x8, #73 (ppoll with no descriptors and no timeout); svc #0; b loop
    "aarch64": (183, struct.pack("<7I", 0xD2800000, 0xD2800001, 0xD2800002, 0xD2800003, 0xD2800928,
                                 0xD4000001, 0x17FFFFFA)),
}
LOAD_ADDRESS = 0x400000
_ELF_HEADER = struct.Struct("<4sBBBBB7sHHIQQQIHHHHHH")
_PROGRAM_HEADER = struct.Struct("<IIQQQQQQ")


def executable(machine=None):
    """The program's bytes for ``machine`` (``os.uname().machine`` by default)."""
    number, code = PROGRAMS[machine or os.uname().machine]
    headers = _ELF_HEADER.size + _PROGRAM_HEADER.size
    size = headers + len(code)
    elf = _ELF_HEADER.pack(
        b"\x7fELF", 2, 1, 1, 0, 0, b"\0" * 7,  # 64-bit, little-endian, version 1, System V ABI
        2, number, 1,  # an executable for this machine, version 1
        LOAD_ADDRESS + headers, _ELF_HEADER.size, 0, 0,  # entry point (the code), program headers, no sections
        _ELF_HEADER.size, _PROGRAM_HEADER.size, 1, 0, 0, 0)
    # One loadable segment, readable and executable: the whole file, the code at its end.
    segment = _PROGRAM_HEADER.pack(1, 5, 0, LOAD_ADDRESS, LOAD_ADDRESS, size, size, 0x1000)
    return elf + segment + code
