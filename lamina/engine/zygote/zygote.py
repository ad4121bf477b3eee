"""lamina's zygote: a pre-started interpreter that forks each new execution environment's runtime.

Standalone (runs under the function's CPython 3.10-3.13, or the engine's own for
exec'd runtimes). Started by the engine with one end of a SOCK_SEQPACKET
socketpair (fd in argv[1]); the engine's side is ``lamina/engine/zygotes.py``.

Start-up: the first message is the configuration. The zygote enters its own
mount namespace (inside a user namespace when not root), pivots into the
sandbox root (``confine.build_root``), starts its init factory (``inits.py``)
while it is still small, imports the runtime and the modules to preload (boto3
for Python), and answers ``{"ready": ...}``.

Then, per spawn request (with the environment's output pipe, channel socket
and cgroup files passed as fds) it has the factory make the environment's
init, PID 1 of new namespaces, and forks the runtime into those namespaces:
one fork of this large process per environment. A couple of runtimes are
forked ahead of need into spare inits (``Preforked``) and wait for their
request, so a cold start usually skips the fork altogether. The zygote answers
``{"spawned": id, "pid": init}`` with a pidfd of the init, which it does not
keep: the engine watches and kills the environment through it (the init's
death ends everything in the environment). When a runtime ends, the zygote
reaps it and sends ``{"exited": init, "code": c}`` with its status.
"""

import collections
import gc
import importlib
import os
import select
import signal
import socket
import sys
import traceback

import confine
import init_program
import inits
import sdk_watch
import seccomp
from wire import close_all_but, receive, send

CHANNEL_FD = 3
# The zygote's own modules: a function may have modules of the same names.
OWN_MODULES = ("confine", "init_program", "inits", "sdk_watch", "seccomp", "wire")
PREFORKED = 2  # runtimes forked ahead of need, each into a spare init (see Preforked)
PREFORK_AFTER_IDLE_S = 0.005
# Spawn requests waiting together are forked together, then answered together (see spawn_waiting).
MAX_BATCH = 16


class Preforked:
    """A runtime forked ahead of need into a spare init's PID namespace, waiting on ``socket`` for its
    request: a cold start then neither waits for the fork nor for the child's first steps after it."""
    __slots__ = ("init", "pid", "socket")

    def __init__(self, init, pid, control):
        self.init = init
        self.pid = pid
        self.socket = control

    def discard(self):
        """Kill the pair (its runtime dies with its init's PID namespace and is reaped as unknown)."""
        self.socket.close()
        self.init.discard()


class Zygote:
    def __init__(self, control, config):
        self.control = control
        self.config = config
        # Runtime pid -> its init's pid, the environment's name for the engine. No fd per environment is
        # kept here: every fork would copy them and every runtime close them (in a burst of 1,000
        # environments, 1,000 fds each).
        self.runtimes = {}
        self.wake_r, self.wake_w = os.pipe()
        self.bootstrap = None
        self.inits = None
        self.home_pid_namespace = -1
        self.seccomp_filter = None
        self.preforked = collections.deque()  # Preforked, oldest first

    # start-up
    def prepare(self):
        config = self.config
        if config["mode"] == "userns":
            confine.enter_user_namespace(config["sandbox_uid"], os.getuid(), os.getgid())
        else:
            confine.unshare(confine.CLONE_NEWNS)
        confine.build_root(config["root"], config["runtime_dirs"], config["hidden_dirs"], init_program.executable())
        confine.become_subreaper()
        confine.empty_bounding_set()
        # The engine owns this process: when it goes, so does the zygote (its environments follow when
        # their channels close).
        confine.die_with_parent(signal.SIGKILL)
        # The zygote's children live in a PID namespace of its own, whose PID 1 is the init factory
        # (started now, before the imports below, so that it stays small). Each runtime is forked into
        # its init's namespace, then the zygote steps back into this one: allowed in a user namespace
        # too, as the zygote owns it. Joining through a pidfd needs Linux 5.8: proven here, not later.
        # IPC and UTS namespaces of its own too: the factory returns to them after making each init, which
        # in a user namespace it may only do to namespaces that user namespace owns.
        confine.unshare(confine.CLONE_NEWPID | confine.CLONE_NEWIPC | confine.CLONE_NEWUTS)
        self.inits = inits.InitFactory()
        self.home_pid_namespace = os.pidfd_open(self.inits.pid)
        confine.setns(self.home_pid_namespace, confine.CLONE_NEWPID)
        self.inits.request_spares()
        if config["seccomp"]:
            self.seccomp_filter = seccomp.compile_filter()
        if config.get("python"):
            # The builtins the site module gives every interpreter (exit, quit, help, copyright...): the
            # zygote runs without it (-S, see zygotes.py), and importing it now adds only those.
            import site

            site.setquit()
            site.setcopyright()
            site.sethelper()
            sys.path[:0] = ["/var/runtime"]
            self.bootstrap = importlib.import_module("bootstrap")
            if config.get("sdk_modules"):
                self.bootstrap.SDK_WATCH = sdk_watch.SdkWatch(config["sdk_modules"])
            for name in config.get("preload", []):
                try:
                    importlib.import_module(name)
                except Exception:  # a module that cannot preload is imported (and fails) in the function
                    pass
            self.bootstrap.prepare("/opt")
        sys.stdout.flush()
        sys.stderr.flush()
        # Keep the preloaded objects out of the collector's reach: children then do not touch their pages.
        gc.freeze()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    # serving
    def serve(self):
        send(self.control, {"ready": True, "pid": os.getpid(), "python": sys.version.split()[0]})
        self.poller = select.epoll()
        self.poller.register(self.control.fileno(), select.EPOLLIN)
        self.poller.register(self.wake_r, select.EPOLLIN)
        self.poller.register(self.inits.socket.fileno(), select.EPOLLIN)
        while True:
            # Runtimes are preforked only once the zygote has been idle a moment: right after a spawn, the
            # fork and the child's first steps would take the cores that the new environment needs.
            idle = PREFORK_AFTER_IDLE_S if len(self.preforked) < PREFORKED and self.inits.spares else -1
            events = self.poller.poll(idle)
            if not events:
                self.prefork()
            for fd, _ in events:
                if fd == self.control.fileno():
                    if not self.spawn_waiting():
                        return
                elif fd == self.wake_r:
                    self.reap()
                elif fd == self.inits.socket.fileno():
                    self.collect_spares()

    def spawn_waiting(self):
        """Start the environments asked for (False once the engine is gone).

        Every page this process writes after a fork is copied, once per fork since it last wrote it, as
        long as the child lives. So the requests waiting are read first, forked in a row, and answered
        after: the pages that reading and answering write are copied once per batch rather than once per
        environment (a burst of 200: 222 page faults per environment in the zygote before this).
        """
        batch = []
        while len(batch) < MAX_BATCH:
            try:
                request, fds = receive(self.control, socket.MSG_DONTWAIT if batch else 0)
            except BlockingIOError:
                break
            if request is None:
                return False
            batch.append((request, fds))
        forked = []
        for request, fds in batch:
            if self.preforked and self.start_preforked(request, fds):
                continue
            self.inits.reserve(len(batch) - len(forked))
            init = None
            try:
                init = self.inits.take()
                pid = self.fork_into(init.pidfd)
            except OSError as error:
                if init is not None:
                    init.discard()
                for fd in fds:
                    os.close(fd)
                send(self.control, {"failed": request["id"], "error": str(error)})
                continue
            if pid == 0:
                self.run_runtime(request, fds, init.pidfd)
            forked.append((request, fds, init, pid))
        for request, fds, init, pid in forked:
            self.started(request, fds, init, pid)
        self.inits.request_spares()
        return True

    def fork_into(self, init_pidfd):
        """A fork, the child born in the PID namespace of the init behind ``init_pidfd``.

        The C library's fork rather than os.fork: the work CPython does around os.fork (its own locks, the
        threading module's state, the at-fork hooks modules registered) is for processes with other threads,
        and the zygote has none; in the child it wrote ~60 pages of the zygote's memory more, each a copy (a
        new environment's runtime: 757 -> 699 page faults, ~10 % less CPU). The one hook a child needs
        whatever its threads is random's: its global generator seeded anew, or every environment forked
        from the zygote would draw the same numbers.
        """
        confine.setns(init_pidfd, confine.CLONE_NEWPID)
        pid = -1
        try:
            pid = confine.fork()
        finally:
            if pid != 0:
                confine.setns(self.home_pid_namespace, confine.CLONE_NEWPID)
        if pid == 0:
            random = sys.modules.get("random")
            if random is not None:
                random.seed()
        return pid

    def started(self, request, fds, init, runtime_pid):
        """The environment runs: drop our copies of its fds, hand its init's pidfd to the engine."""
        for fd in fds:
            os.close(fd)
        self.runtimes[runtime_pid] = init.pid
        send(self.control, {"spawned": request["id"], "pid": init.pid}, [init.pidfd])
        os.close(init.pidfd)

    def start_preforked(self, request, fds):
        """Hand a spawn to a waiting runtime; False if none is left alive (those that died are discarded)."""
        while self.preforked:
            preforked = self.preforked.popleft()
            try:
                send(preforked.socket, request, fds)
            except OSError:
                preforked.discard()
                continue
            preforked.socket.close()
            self.started(request, fds, preforked.init, preforked.pid)
            return True
        return False

    def prefork(self):
        """Fork runtimes into spare inits until PREFORKED wait (called when the zygote is idle)."""
        while len(self.preforked) < PREFORKED and self.inits.spares:
            init = self.inits.spares.popleft()
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                pid = self.fork_into(init.pidfd)
            except OSError:
                ours.close()
                Preforked(init, -1, theirs).discard()
                return
            if pid == 0:
                self.await_request(theirs, init.pidfd)
            theirs.close()
            self.preforked.append(Preforked(init, pid, ours))

    # in a preforked runtime, until its request comes
    def await_request(self, control, init_pidfd):
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            # Hold nothing of the zygote's while waiting (its channel to the engine above all, whose end
            # of file tells the engine the zygote is gone), not even its standard streams.
            null = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            close_all_but([0, 1, 2, control.fileno(), init_pidfd])
            request, fds = receive(control)
            if request is None:
                os._exit(0)  # the zygote let it go
            control.close()
        except BaseException:
            os._exit(127)
        self.run_runtime(request, fds, init_pidfd)

    def collect_spares(self):
        try:
            self.inits.collect()
        except OSError:
            if self.inits.alive():
                return  # no spare this time: a spawn asks for its own init, and says why if it cannot
            # Without its factory (PID 1 of the zygote's PID namespace) no environment can start or live:
            # end, and the engine starts another zygote.
            os._exit(1)

    def reap(self):
        """Runtimes ended: tell the engine each one's status (it ends the environment through its init)."""
        try:
            while os.read(self.wake_r, 4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            init_pid = self.runtimes.pop(pid, None)
            if init_pid is None:
                continue  # the init factory, or an orphan handed to this subreaper
            send(self.control, {"exited": init_pid, "code": os.waitstatus_to_exitcode(status)})

    # in the environment's runtime process (a child of the zygote, in the init's PID namespace)
    @staticmethod
    def enter_environment(request, init_pidfd, output_fd):
        """Join the init's namespaces and set the environment's file system up (still privileged there)."""
        try:
            confine.setns(init_pidfd, confine.ENVIRONMENT_NAMESPACES)
            confine.enter_environment(request)
            confine.finish_in_pid_namespace()
            if request.get("network_namespace"):
                confine.unshare(confine.CLONE_NEWNET)
                confine.loopback_up()
        except BaseException:
            try:
                os.write(output_fd, ("lamina: environment set-up failed: " + traceback.format_exc()).encode())
            finally:
                os._exit(126)

    def run_runtime(self, request, fds, init_pidfd):
        output_fd = fds[0]
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            self.enter_environment(request, init_pidfd, output_fd)
            os.setsid()
            rest = fds[1:]
            channel_fd = rest.pop(0) if request["channel"] else -1
            for fd in rest:
                os.write(fd, b"0")  # join the environment's cgroups; everything it starts inherits them
            null = os.open("/dev/null", os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            keep = [0, 1, 2]
            if channel_fd >= 0:
                # The runtime finds its channel at fd 3 (its command line says so).
                os.dup2(channel_fd, CHANNEL_FD)
                channel_fd = CHANNEL_FD
                keep.append(CHANNEL_FD)
            close_all_but(keep)
            confine.set_limits(request["rlimits"])
            os.chdir("/var/task")
            confine.drop_privileges(request["uid"], request["gid"])
            if self.seccomp_filter is not None:
                seccomp.install(confine.libc, self.seccomp_filter)
            if request.get("argv"):
                if channel_fd >= 0:
                    os.set_inheritable(channel_fd, True)
                os.execve(request["argv"][0], request["argv"], request["env"])
            for name in OWN_MODULES:
                sys.modules.pop(name, None)
            os.environ.clear()
            os.environ.update(request["env"])
            self.bootstrap.main(channel_fd, "/opt")
            os._exit(0)
        except SystemExit as exit:
            code = exit.code
            os._exit(0 if code is None else code if isinstance(code, int) else 1)
        except BaseException:
            try:
                os.write(output_fd, traceback.format_exc().encode())
            finally:
                os._exit(127)


def main():
    control = socket.socket(fileno=int(sys.argv[1]))
    config, _ = receive(control)
    zygote = Zygote(control, config)
    try:
        zygote.prepare()
    except BaseException:
        send(control, {"ready": False, "error": traceback.format_exc()})
        return
    zygote.serve()


if __name__ == "__main__":
    main()
