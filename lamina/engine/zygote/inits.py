"""The environments' PID 1 processes, made by a small process so that making one is cheap.

Standalone (runs in the zygote's interpreter). An environment is two processes: its init, PID 1 of
new mount, PID, IPC and UTS namespaces, which sets the environment's file system up, reaps orphans
and, by dying, ends everything in the environment; and its runtime, forked from the zygote into
those namespaces. A fork costs in proportion to the memory of the process forked: the zygote holds
the runtime and the SDK (tens of MB), so the init is cloned by this factory instead, a child the
zygote forks before it imports anything, and only the runtime is a fork of the zygote.

The runtime is then the zygote's child, not the init's: inside the environment its parent is not
visible (``getppid()`` is 0, where Lambda shows its init as 1), the price of one fork per
environment instead of two.
"""

import os
import signal
import socket
import traceback

import confine
from wire import close_all_but, receive, send


# What an init needs of a spawn request (see confine.enter_environment).
INIT_FIELDS = ("task_dir", "opt_dir", "runtime_dir", "tmp_mb", "hostname", "uid", "gid", "network_namespace")


class InitFactory:
    """The zygote's side: ask for an init, get its pid and a pidfd."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            close_all_but([0, 1, 2, theirs.fileno()])  # not the zygote's channel to the engine
            serve(theirs)
        theirs.close()
        self.pid = pid
        self.socket = ours

    def make(self, request, ready_w, output_fd):
        """An init for ``request``; it writes one byte to ``ready_w`` once the file system is ready."""
        send(self.socket, {name: request.get(name) for name in INIT_FIELDS}, [ready_w, output_fd])
        answer, fds = receive(self.socket)
        if answer is None:
            raise OSError("the init factory exited")
        if "error" in answer:
            raise OSError(answer["error"])
        return answer["pid"], fds[0]


def serve(control):
    """The factory's loop (in its own small process, for as long as the zygote lives)."""
    try:
        confine.die_with_parent(signal.SIGKILL)
        # Inits are reaped by the kernel: nothing here waits for them (the zygote watches their pidfds).
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        while True:
            request, fds = receive(control)
            if request is None:
                break
            make_init(control, request, fds)
    finally:
        os._exit(0)


def make_init(control, request, fds):
    try:
        pid = confine.clone_into_namespaces(request.get("network_namespace", False))
    except OSError as error:
        send(control, {"error": "clone: {}".format(error)})
        for fd in fds:
            os.close(fd)
        return
    if pid == 0:
        run_init(request, *fds)
    for fd in fds:
        os.close(fd)
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        send(control, {"error": "the environment's init exited at once"})
        return
    send(control, {"pid": pid}, [pidfd])
    os.close(pidfd)


def run_init(request, ready_w, output_fd):
    """PID 1 of a new environment: its code, layers, /tmp, /proc and hostname; then wait to be killed.

    SIGCHLD stays ignored (inherited from the factory), so orphans that end up here are reaped by the
    kernel. The runtime joins these namespaces and waits for the byte on ``ready_w`` before it runs.
    """
    try:
        # The factory dies with the zygote, and the zygote with the engine: then so does the environment.
        confine.die_with_parent(signal.SIGKILL)
        close_all_but([0, 1, 2, ready_w, output_fd])
        os.setsid()
        confine.enter_environment(request)
        confine.finish_in_pid_namespace()
        confine.drop_privileges(request["uid"], request["gid"])
        os.write(ready_w, b"1")
        os.close(ready_w)
        os.close(output_fd)
    except BaseException:
        try:
            os.write(output_fd, ("lamina: environment set-up failed: " + traceback.format_exc()).encode())
        finally:
            os._exit(126)
    while True:
        signal.pause()
