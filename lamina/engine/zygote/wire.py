"""Messages between the engine, the zygote and the init factory: JSON datagrams with fds attached.

Standalone (runs under any CPython 3.10-3.13). The engine's side is ``lamina/engine/zygotes.py``.
"""

import array
import json
import os
import socket

MAX_FDS = 8
BUFFER = 1 << 20


def send(control, message, fds=()):
    data = json.dumps(message).encode()
    if fds:
        control.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        control.send(data)


def receive(control, flags=0):
    """One message and its fds; (None, []) at end of file. ``flags=socket.MSG_DONTWAIT``: BlockingIOError
    when none is waiting."""
    data, ancillary, _, _ = control.recvmsg(BUFFER, socket.CMSG_SPACE(MAX_FDS * 4), flags)
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
