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

A couple of inits are made ahead of need (``SPARES``): an init learns which environment it is to be
when it is taken, so making it is off the path of a cold start.
"""

import os
import signal
import socket
import traceback
from collections import deque

import confine
from wire import close_all_but, receive, send

# What an init needs of a spawn request (see confine.enter_environment).
INIT_FIELDS = ("task_dir", "opt_dir", "runtime_dir", "tmp_mb", "hostname", "uid", "gid")
SPARES = 2


class Init:
    """A made init, waiting on ``socket`` for what environment to set up."""
    __slots__ = ("pid", "pidfd", "socket")

    def __init__(self, pid, pidfd, control):
        self.pid = pid
        self.pidfd = pidfd
        self.socket = control

    def start(self, request, ready_w, output_fd):
        """Set the environment up; the init writes one byte to ``ready_w`` once its file system is ready."""
        try:
            send(self.socket, {name: request.get(name) for name in INIT_FIELDS}, [ready_w, output_fd])
        finally:
            self.socket.close()


class InitFactory:
    """The zygote's side: inits on demand, and a few spare ones without a network namespace of their own.

    Spares are asked for without waiting (``request_spares``) and collected when the factory's answers
    arrive (``collect``, from the zygote's loop), so the factory works while the zygote forks.
    """

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            close_all_but([0, 1, 2, theirs.fileno()])  # not the zygote's channel to the engine
            serve(theirs)
        theirs.close()
        self.pid = pid
        self.socket = ours
        self.spares = deque()
        self.asked = 0  # spares asked for, not yet answered (answers come in order)

    def take(self, network_namespace):
        if network_namespace:
            while self.asked:  # the answers before ours are spares
                self.spares.append(self._answer(0))
            self._ask(True)
            return self._answer(0)
        if not self.spares:
            if not self.asked:
                self._ask(False)
            return self._answer(0)
        return self.spares.popleft()

    def alive(self):
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def request_spares(self):
        while len(self.spares) + self.asked < SPARES:
            self._ask(False)

    def collect(self):
        """Keep the answers that have arrived; OSError once the factory is gone."""
        while True:
            try:
                self.spares.append(self._answer(socket.MSG_DONTWAIT))
            except BlockingIOError:
                return

    def _ask(self, network_namespace):
        send(self.socket, {"network_namespace": network_namespace})
        self.asked += 1

    def _answer(self, flags):
        answer, fds = receive(self.socket, flags)
        if answer is None:
            raise OSError("the init factory exited")
        self.asked -= 1
        if "error" in answer:
            raise OSError(answer["error"])
        return Init(answer["pid"], fds[0], socket.socket(fileno=fds[1]))


def serve(control):
    """The factory's loop (in its own small process, for as long as the zygote lives)."""
    try:
        confine.die_with_parent(signal.SIGKILL)
        # Inits are reaped by the kernel: nothing here waits for them (the zygote watches their pidfds).
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        while True:
            request, _ = receive(control)
            if request is None:
                break
            make_init(control, request["network_namespace"])
    finally:
        os._exit(0)


def make_init(control, network_namespace):
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        pid = confine.clone_into_namespaces(network_namespace)
    except OSError as error:
        ours.close()
        theirs.close()
        send(control, {"error": "clone: {}".format(error)})
        return
    if pid == 0:
        run_init(theirs.detach(), network_namespace)
    theirs.close()
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        ours.close()
        send(control, {"error": "the environment's init exited at once"})
        return
    send(control, {"pid": pid}, [pidfd, ours.fileno()])
    os.close(pidfd)
    ours.close()


def run_init(control_fd, network_namespace=False):
    """PID 1 of a new environment: once told which, its code, layers, /tmp, /proc and hostname; then wait
    to be killed.

    SIGCHLD stays ignored (inherited from the factory), so orphans that end up here are reaped by the
    kernel. The runtime joins these namespaces and waits for the byte on ``ready_w`` before it runs.
    """
    output_fd = -1
    try:
        # The factory dies with the zygote, and the zygote with the engine: then so does the environment.
        confine.die_with_parent(signal.SIGKILL)
        close_all_but([0, 1, 2, control_fd])
        control = socket.socket(fileno=control_fd)
        request, fds = receive(control)
        if request is None:
            os._exit(0)  # a spare the zygote let go
        control.close()
        ready_w, output_fd = fds
        os.setsid()
        confine.enter_environment(request)
        confine.finish_in_pid_namespace()
        if network_namespace:
            confine.loopback_up()
        confine.drop_privileges(request["uid"], request["gid"])
        os.write(ready_w, b"1")
        os.close(ready_w)
        os.close(output_fd)
    except BaseException:
        try:
            if output_fd >= 0:
                os.write(output_fd, ("lamina: environment set-up failed: " + traceback.format_exc()).encode())
        finally:
            os._exit(126)
    while True:
        signal.pause()
