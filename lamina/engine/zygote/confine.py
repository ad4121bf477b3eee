"""The Linux primitives that confine an execution environment: namespaces, mounts, credentials, limits.

Standalone (runs in the zygote under any CPython 3.10-3.13, through ctypes:
os.unshare only exists from 3.12). The zygote builds the sandbox's root once
(``build_root``); each environment then gets its own mount, PID, IPC and UTS
namespaces (made by the init factory, ``inits.py``) with its code, layers, /tmp
and /proc (``enter_environment`` and ``finish_in_pid_namespace``, in the runtime
once it joined its init's namespaces with ``setns``), and drops to an unprivileged uid with no capabilities
(``empty_bounding_set`` once in the zygote, ``drop_privileges`` per process).
"""

import ctypes
import fcntl
import os
import resource
import socket
import struct

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
# fork() called with the GIL held, as os.fork calls it (a CDLL call would let go of it around the call).
_fork = ctypes.PyDLL(None, use_errno=True).fork

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

# The few raw system calls Python has no function for, by architecture.
SYSCALLS = {"x86_64": {"pivot_root": 155, "capget": 125, "capset": 126},
            "aarch64": {"pivot_root": 41, "capget": 90, "capset": 91}}[os.uname().machine]
LINUX_CAPABILITY_VERSION_3 = 0x20080522

HOST = "/.host"  # the host's root, visible to the zygote and to environment set-up only
INIT = "/init"  # the program each environment's PID 1 runs (init_program.py)
# The directories of the host that every sandbox sees, read-only (the OS's programs and libraries).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, "{}: {}".format(what, os.strerror(error)))


def _path(value):
    return value.encode() if isinstance(value, str) else value


def unshare(flags):
    _check(libc.unshare(flags), "unshare")


def mount(source, target, fstype, flags, data=None):
    _check(libc.mount(_path(source), _path(target), _path(fstype), ctypes.c_ulong(flags), _path(data)),
           "mount {} on {}".format(source, target))


def umount(target):
    _check(libc.umount2(_path(target), MNT_DETACH), "umount {}".format(target))


MS_NOATIME = 1 << 10
MS_NODIRATIME = 1 << 11
MS_RELATIME = 1 << 21
# statvfs flags -> the mount flags a remount must keep (a user namespace may not clear them).
_KEPT = ((os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
         (os.ST_RELATIME, MS_RELATIME))


def bind(source, target, read_only=True, recursive=False):
    flags = MS_BIND | (MS_REC if recursive else 0)
    mount(source, target, None, flags)
    if read_only:
        # A bind mount takes its flags from a remount, which must keep what the source mount has.
        kept = os.statvfs(target).f_flag
        extra = sum(flag for stat_flag, flag in _KEPT if kept & stat_flag)
        mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | extra)


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def enter_user_namespace(inside_uid, outside_uid, outside_gid):
    """Unprivileged mode: a user namespace where we hold capabilities, mapped to our own uid outside."""
    unshare(CLONE_NEWUSER | CLONE_NEWNS)
    write_file("/proc/self/setgroups", "deny")
    write_file("/proc/self/uid_map", "{} {} 1".format(inside_uid, outside_uid))
    write_file("/proc/self/gid_map", "{} {} 1".format(inside_uid, outside_gid))


def _make_dirs(root, path, mode=0o755):
    target = root + path
    os.makedirs(target, mode=mode, exist_ok=True)
    return target


def build_root(root, runtime_dirs, hidden_dirs, init):
    """Make ``root`` the zygote's file system: the OS read-only, the given runtime trees read-only at their
    paths (``{sandbox path: host path}``), empty read-only directories over ``hidden_dirs``, mount points
    for /var/task /opt /tmp /proc, minimal /dev, the environments' init program (``init``, the executable's
    bytes) at /init, and the host at /.host. Then pivot into it."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    with open(root + INIT, "wb") as f:
        f.write(init)
    os.chmod(root + INIT, 0o555)
    for directory in SYSTEM_DIRS:
        if os.path.islink(directory):
            os.symlink(os.readlink(directory), root + directory)
        elif os.path.isdir(directory):
            bind(directory, _make_dirs(root, directory), recursive=True)
    for inside, outside in runtime_dirs.items():
        if os.path.isdir(outside):
            bind(outside, _make_dirs(root, inside))
    for directory in hidden_dirs:
        if os.path.isdir(directory):
            mount("tmpfs", _make_dirs(root, directory), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")
    for directory in ("/var/task", "/var/runtime", "/opt", "/proc", HOST):
        _make_dirs(root, directory)
    _make_dirs(root, "/tmp", 0o1777)
    os.chmod(root + "/tmp", 0o1777)
    _make_dirs(root, "/dev")
    for device in DEVICES:
        if os.path.exists("/dev/" + device):
            open(root + "/dev/" + device, "w").close()
            mount("/dev/" + device, root + "/dev/" + device, None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, root + "/dev/" + name)
    mount("/", root + HOST, None, MS_BIND | MS_REC)
    os.chdir(root)
    # pivot_root(".", "."): the old root ends up stacked over the new one, and is then detached.
    _check(libc.syscall(SYSCALLS["pivot_root"], b".", b"."), "pivot_root")
    umount(".")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


ENVIRONMENT_NAMESPACES = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS


def fork():
    """The C library's fork(), without the work CPython does around os.fork (see ``Zygote.fork_into``)."""
    pid = _fork()
    if pid < 0:
        error = ctypes.get_errno()
        raise OSError(error, "fork: " + os.strerror(error))
    return pid


def setns(fd, flags):
    """Join the namespaces ``flags`` of the process behind pidfd ``fd`` (Linux 5.8+)."""
    _check(libc.setns(fd, flags), "setns")


def enter_environment(spec):
    """In the environment's namespaces, still privileged: its code, layers, /tmp and hostname."""
    bind(HOST + spec["task_dir"], "/var/task")
    if spec.get("opt_dir"):
        bind(HOST + spec["opt_dir"], "/opt")
    if spec.get("runtime_dir"):
        bind(HOST + spec["runtime_dir"], "/var/runtime")
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size={}m,mode=1777".format(spec["tmp_mb"]))
    hostname = spec["hostname"].encode()
    _check(libc.sethostname(hostname, len(hostname)), "sethostname")


def finish_in_pid_namespace():
    """In the environment's PID namespace: its own /proc, and the host's file system out of reach for good."""
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    umount(HOST)


SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
_IFREQ = struct.Struct("16sH22x")  # struct ifreq: the interface's name, then ifr_flags (40 bytes on Linux)


def loopback_up():
    """A new network namespace's loopback interface starts down: bring it up, as a machine's is."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        flags = _IFREQ.unpack(fcntl.ioctl(sock, SIOCGIFFLAGS, _IFREQ.pack(b"lo", 0)))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, _IFREQ.pack(b"lo", flags | IFF_UP))


def set_limits(limits):
    for name, value in limits.items():
        kind = getattr(resource, "RLIMIT_" + name.upper())
        resource.setrlimit(kind, (value, value))


def empty_bounding_set():
    """No capability can be gained through execve any more, by this process or any it forks. Done once, in
    the zygote, whose children all inherit it (it keeps the capabilities it has, but no inheritable or
    ambient ones: a program it or its children exec, the environments' inits above all, starts with none)."""
    for capability in range(64):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    # struct __user_cap_data_struct[2]: effective, permitted, inheritable (low words, then high words).
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(libc.syscall(SYSCALLS["capget"], header, data), "capget")
    data[2] = data[5] = 0
    _check(libc.syscall(SYSCALLS["capset"], header, data), "capset")


def drop_privileges(uid, gid):
    """Become ``uid`` with no capabilities at all, none to regain (the bounding set is empty already:
    ``empty_bounding_set``; the ambient set is cleared here)."""
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if os.getuid() != uid or os.getgid() != gid:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    # A uid that owns its user namespace keeps capabilities through setuid: clear them explicitly.
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(libc.syscall(SYSCALLS["capset"], header, data), "capset")


def become_subreaper():
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def die_with_parent(signal_number):
    libc.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0)
