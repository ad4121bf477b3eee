"""The environments' PID 1 processes, made by a small process so that making one is cheap.

Standalone (runs in the zygote's interpreter). An environment is two processes: its init, PID 1 of
new mount, PID, IPC and UTS namespaces, which reaps orphans and, by dying, ends everything in the
environment; and its runtime, forked from the zygote into those namespaces, which sets the
environment's file system up (``confine.enter_environment``) before it drops its privileges.

The init does nothing else, so it is not a Python process: the factory, a child the zygote forks
before it imports anything, enters new namespaces (``unshare``), spawns a small program there with
``posix_spawn`` (a vfork and an exec: nothing of the factory's memory is copied or shared) and steps
back into its own namespaces. The program (``init_program.py``) waits for signals until it is killed;
the factory is PID 1 of the PID namespace that holds every environment's, so the inits also die with
it. SIGCHLD is ignored in the factory and stays so through the exec, so the kernel reaps the orphans
that end up with the init. Measured against the Python init forked from the factory that this
replaced: 1.1 ms of CPU per init (factory and init) with ``cat`` as the program, instead of 3.2 ms (the
fork, copy-on-write faults in the factory and in the init, its Python); ``init_program``'s static
executable then took the init itself from 0.68 to 0.10 ms (no dynamic loading).

The runtime is the zygote's child, not the init's: inside the environment its parent is not visible
(``getppid()`` is 0, where Lambda shows its init as 1), the price of one fork per environment
instead of two. The init runs as the factory's uid with no capabilities (the zygote emptied its
bounding, inheritable and ambient sets before starting the factory, and an exec keeps nothing else).

A couple of inits are made ahead of need (``SPARES``), so making one is off the path of a cold start.
"""

import os
import signal
import socket
from collections import deque

import confine
from wire import close_all_but, receive, send

SPARES = 2
INIT_ARGV = ["lamina-init"]
# The namespaces an init is made in; the factory returns to its own after each. (A function with a network
# of its own gets it from its runtime, which makes one before it drops its privileges: a factory in a user
# namespace could not return to the machine's network namespace, owned by the machine's user namespace.)
NAMESPACES = ((confine.CLONE_NEWNS, "mnt"), (confine.CLONE_NEWPID, "pid_for_children"),
              (confine.CLONE_NEWIPC, "ipc"), (confine.CLONE_NEWUTS, "uts"))
FLAGS = sum(flag for flag, _ in NAMESPACES)  # distinct bits


class Init:
    """A made init: its pid (in the zygote's PID namespace) and a pidfd to join its namespaces and kill it."""
    __slots__ = ("pid", "pidfd")

    def __init__(self, pid, pidfd):
        self.pid = pid
        self.pidfd = pidfd

    def discard(self):
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self.pidfd)


class InitFactory:
    """The zygote's side: inits on demand, and a few spare ones.

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

    def take(self):
        if not self.spares:
            if not self.asked:
                self._ask()
            return self._answer(0)
        return self.spares.popleft()

    def alive(self):
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def request_spares(self):
        self.reserve(SPARES)

    def reserve(self, count):
        """Have ``count`` inits made or asked for, so that taking them one after another does not wait for
        each to be made in turn."""
        while len(self.spares) + self.asked < count:
            self._ask()

    def collect(self):
        """Keep the answers that have arrived; OSError once the factory is gone."""
        while True:
            try:
                self.spares.append(self._answer(socket.MSG_DONTWAIT))
            except BlockingIOError:
                return

    def _ask(self):
        send(self.socket, {})
        self.asked += 1

    def _answer(self, flags):
        answer, fds = receive(self.socket, flags)
        if answer is None:
            raise OSError("the init factory exited")
        self.asked -= 1
        if "error" in answer:
            raise OSError(answer["error"])
        return Init(answer["pid"], fds[0])


class Spawner:
    """The factory's side: what it holds to make inits (in its own small process)."""

    def __init__(self):
        self.null = os.open("/dev/null", os.O_RDWR)
        # The sandbox's root has no /proc of its own (each environment mounts one): the host's is at /.host.
        self.home = [(flag, os.open(confine.HOST + "/proc/self/ns/" + name, os.O_RDONLY)) for flag, name in NAMESPACES]

    def make(self):
        """A new init in new namespaces: its pid."""
        confine.unshare(FLAGS)
        try:
            return os.posix_spawn(confine.INIT, INIT_ARGV, {}, file_actions=[
                (os.POSIX_SPAWN_DUP2, self.null, 0), (os.POSIX_SPAWN_DUP2, self.null, 1),
                (os.POSIX_SPAWN_DUP2, self.null, 2)])
        finally:
            self._go_home()

    def _go_home(self):
        try:
            for flag, fd in self.home:
                confine.setns(fd, flag)
        except OSError:
            os._exit(1)  # stuck in an environment's namespaces: end, and the zygote with us (it is replaced)


def serve(control):
    """The factory's loop (in its own small process, for as long as the zygote lives)."""
    try:
        confine.die_with_parent(signal.SIGKILL)
        # Inits are reaped by the kernel: nothing here waits for them (the zygote watches their pidfds).
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        spawner = Spawner()
        while True:
            request, _ = receive(control)
            if request is None:
                break
            make_init(control, spawner)
    finally:
        os._exit(0)


def make_init(control, spawner):
    try:
        pid = spawner.make()
        pidfd = os.pidfd_open(pid)
    except OSError as error:
        send(control, {"error": "the environment's init: {}".format(error)})
        return
    send(control, {"pid": pid}, [pidfd])
    os.close(pidfd)
