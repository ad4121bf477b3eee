"""A seccomp filter denying what a function has no business doing.

Standalone (runs in the zygote under any CPython 3.10-3.13). Denied with EPERM:
mounting and namespaces, module loading, kexec and reboot, bpf and perf,
ptrace and cross-process memory access, keyrings, clock and host settings,
file-handle tricks; ``clone`` with namespace flags; ``clone3`` answers ENOSYS
so that libc falls back to ``clone``, whose flags the filter can check.
Only x86_64 is covered; elsewhere the sandbox runs without the filter and says so.
"""

import ctypes
import errno
import platform

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000

# x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl).
CLONE = 56
CLONE3 = 435
DENIED = {
    "ptrace": 101, "syslog": 103, "uselib": 134, "vhangup": 153, "pivot_root": 155, "_sysctl": 156,
    "adjtimex": 159, "chroot": 161, "acct": 163, "settimeofday": 164, "mount": 165, "umount2": 166,
    "swapon": 167, "swapoff": 168, "reboot": 169, "sethostname": 170, "setdomainname": 171, "iopl": 172,
    "ioperm": 173, "create_module": 174, "init_module": 175, "delete_module": 176, "get_kernel_syms": 177,
    "query_module": 178, "quotactl": 179, "nfsservctl": 180, "lookup_dcookie": 212, "clock_settime": 227,
    "add_key": 248, "request_key": 249, "keyctl": 250, "kexec_load": 246, "unshare": 272,
    "perf_event_open": 298, "fanotify_init": 300, "name_to_handle_at": 303, "open_by_handle_at": 304,
    "clock_adjtime": 305, "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
    "finit_module": 313, "kexec_file_load": 320, "bpf": 321, "userfaultfd": 323, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442,
}
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000

# BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
JSET_K = 0x45
RET_K = 0x06
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
RET_KILL_PROCESS = 0x80000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
# offsets in struct seccomp_data
NR, ARCH, ARG0 = 0, 4, 16


def supported():
    return platform.machine() == "x86_64"


def program():
    """The filter as a list of (code, jt, jf, k) instructions; jumps skip jt/jf instructions."""
    denied = sorted(set(DENIED.values()))
    # Layout: 0-7 checks, then one test per denied number, then allow (A), deny (D), clone flag check (C).
    allow_at = 8 + len(denied)
    deny_at = allow_at + 1
    clone_check_at = deny_at + 1
    eperm = RET_ERRNO | errno.EPERM
    code = [
        (LD_W_ABS, 0, 0, ARCH),
        (JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        (RET_K, 0, 0, RET_KILL_PROCESS),
        (LD_W_ABS, 0, 0, NR),
        (JGE_K, deny_at - 5, 0, X32_SYSCALL_BIT),
        (JEQ_K, 0, 1, CLONE3),
        (RET_K, 0, 0, RET_ERRNO | errno.ENOSYS),
        (JEQ_K, clone_check_at - 8, 0, CLONE),
    ]
    for position, number in enumerate(denied, start=8):
        code.append((JEQ_K, deny_at - (position + 1), 0, number))
    code += [
        (RET_K, 0, 0, RET_ALLOW),
        (RET_K, 0, 0, eperm),
        (LD_W_ABS, 0, 0, ARG0),
        (JSET_K, 0, 1, CLONE_NAMESPACE_FLAGS),
        (RET_K, 0, 0, eperm),
        (RET_K, 0, 0, RET_ALLOW),
    ]
    return code


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def compile_filter():
    """The filter, built once in the zygote (its children only install it)."""
    instructions = program()
    assert all(jt < 256 and jf < 256 for _, jt, jf, _ in instructions)
    filters = (SockFilter * len(instructions))(*[SockFilter(*instruction) for instruction in instructions])
    return SockFprog(len(instructions), filters)


def install(libc, compiled):
    """no_new_privs, then the filter: from here on this process and its children are confined."""
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(compiled), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")
