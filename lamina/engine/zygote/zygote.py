"""lamina's zygote: a pre-started interpreter that forks each new execution environment.

Standalone (runs under the function's CPython 3.10-3.13, or the engine's own for
exec'd runtimes). Started by the engine with one end of a SOCK_SEQPACKET
socketpair (fd in argv[1]); the engine's side is ``lamina/engine/zygotes.py``.

Start-up: the first message is the configuration. The zygote enters its own
mount namespace (inside a user namespace when not root), pivots into the
sandbox root (``confine.build_root``), imports the runtime and the modules to
preload (boto3 for Python), and answers ``{"ready": ...}``.

Then, per spawn request (with the environment's output pipe, channel socket
and cgroup files passed as fds) it clones the environment's PID 1 straight into
new namespaces; that init sets the environment up and forks the runtime, which
confines itself and runs (or execs). The zygote answers ``{"spawned": id,
"pid": n}`` with a pidfd for killing, and ``{"exited": pid, "code": c}`` with
the runtime's status when the environment ends.
"""

import array
import gc
import importlib
import json
import os
import resource
import select
import signal
import socket
import sys
import traceback

import confine
import seccomp

MAX_FDS = 8
CHANNEL_FD = 3
BUFFER = 1 << 20


def send(control, message, fds=()):
    data = json.dumps(message).encode()
    if fds:
        control.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        control.send(data)


def receive(control):
    data, ancillary, _, _ = control.recvmsg(BUFFER, socket.CMSG_SPACE(MAX_FDS * 4))
    if not data:
        return None, []
    fds = array.array("i")
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    return json.loads(data), list(fds)


def close_all_but(keep):
    keep = sorted(set(keep))
    low = 0
    for fd in keep:
        if fd > low:  # os.closerange(n, n) would close everything from n on (close_range(n, -1))
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)


class Zygote:
    def __init__(self, control, config):
        self.control = control
        self.config = config
        self.environments = {}  # environment PID 1 -> the pipe on which it reports its runtime's status
        self.wake_r, self.wake_w = os.pipe()
        self.bootstrap = None

    # start-up
    def prepare(self):
        config = self.config
        if config["mode"] == "userns":
            confine.enter_user_namespace(config["sandbox_uid"], os.getuid(), os.getgid())
        else:
            confine.unshare(confine.CLONE_NEWNS)
        confine.build_root(config["root"], config["runtime_dirs"], config["hidden_dirs"])
        confine.become_subreaper()
        # One status pipe per live environment: allow as many open files as the machine lets us.
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        # The engine owns this process: when it goes, so does the zygote (its environments follow when
        # their channels close).
        confine.die_with_parent(signal.SIGKILL)
        if config.get("python"):
            sys.path[:0] = ["/var/runtime"]
            self.bootstrap = importlib.import_module("bootstrap")
            for name in config.get("preload", []):
                try:
                    importlib.import_module(name)
                except Exception:  # a module that cannot preload is imported (and fails) in the function
                    pass
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
        while True:
            readable, _, _ = select.select([self.control, self.wake_r], [], [])
            for fd in readable:
                if fd is self.control:
                    request, fds = receive(self.control)
                    if request is None:
                        return
                    self.spawn(request, fds)
                else:
                    self.reap()

    def spawn(self, request, fds):
        status_r = status_w = -1
        try:
            status_r, status_w = os.pipe()
            pid = confine.clone_into_namespaces(request.get("network_namespace", False))
        except OSError as error:
            for fd in (status_r, status_w):
                if fd >= 0:
                    os.close(fd)
            for fd in fds:
                os.close(fd)
            send(self.control, {"failed": request["id"], "error": str(error)})
            return
        if pid == 0:
            self.run_init(request, fds, status_w)
        os.close(status_w)
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        self.environments[pid] = status_r
        send(self.control, {"spawned": request["id"], "pid": pid}, [pidfd])
        os.close(pidfd)

    def reap(self):
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
            status_r = self.environments.pop(pid, None)
            if status_r is None:
                continue
            os.set_blocking(status_r, False)
            try:
                report = os.read(status_r, 4096).decode(errors="replace")
            except BlockingIOError:
                report = ""
            os.close(status_r)
            # The runtime's own status as the environment's init saw it; else the init itself was killed.
            if report.startswith("status "):
                code = os.waitstatus_to_exitcode(int(report.split()[1]))
            else:
                code = os.waitstatus_to_exitcode(status)
            send(self.control, {"exited": pid, "code": code})

    # in the environment's PID 1 (a child of the zygote, in new namespaces)
    def run_init(self, request, fds, status_w):
        """Set the environment up, start the runtime as PID 2 (so it gets ordinary signal semantics), reap
        orphans, and end the environment, passing on the runtime's status, when the runtime ends."""
        output_fd = fds[0]
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            close_all_but([0, 1, 2, status_w, *fds])
            os.setsid()
            rest = fds[1:]
            channel_fd = rest.pop(0) if request["channel"] else -1
            for fd in rest:
                os.write(fd, b"0")  # join the environment's cgroups; everything it starts inherits them
                os.close(fd)
            confine.enter_environment(request)
            confine.finish_in_pid_namespace()
            runtime = os.fork()
            if runtime == 0:
                os.close(status_w)
                self.run_runtime(request, channel_fd, output_fd)
            close_all_but([status_w])
            confine.drop_privileges(request["uid"], request["gid"])
            while True:
                pid, status = os.waitpid(-1, 0)
                if pid == runtime:
                    os.write(status_w, "status {}".format(status).encode())
                    os._exit(0)
        except BaseException:
            # Set-up failed: say why in the function's log, and end (the engine sees the exit).
            try:
                os.write(output_fd, ("lamina: environment set-up failed: " + traceback.format_exc()).encode())
            finally:
                os._exit(126)

    # in the environment's runtime process
    def run_runtime(self, request, channel_fd, output_fd):
        try:
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
            if request["seccomp"]:
                seccomp.install(confine.libc)
            if request.get("argv"):
                if channel_fd >= 0:
                    os.set_inheritable(channel_fd, True)
                os.execve(request["argv"][0], request["argv"], request["env"])
            os.environ.clear()
            os.environ.update(request["env"])
            self.bootstrap.main(channel_fd, "/opt")
            os._exit(0)
        except SystemExit as exit:
            code = exit.code
            os._exit(0 if code is None else code if isinstance(code, int) else 1)
        except BaseException:
            try:
                os.write(2, traceback.format_exc().encode())
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
