"""Noticing a Python function's first import of the AWS SDK, in its runtime process.

Standalone, like the rest of the zygote (runs under the function's CPython 3.10-3.13). The zygote gives
the runtime's bootstrap a watch over the SDK's modules (lamina/engine/sdk_use.py PYTHON_SDK_MODULES), which only one of a
runtime's two zygotes preloads and which take long to import; the bootstrap says in its messages whether
the function imported one, and the engine forks the version's next environments from the SDK zygote once
it has (lamina/engine/sandbox.py).
"""

import builtins


class SdkWatch:
    """Notices the first import of one of ``names``, through ``builtins.__import__`` (which import
    statements and C extensions call even for a module already imported), then steps aside."""

    def __init__(self, names):
        self.names = frozenset(names)
        self.seen = False
        self._original = builtins.__import__
        self._hook = self._watching

    def install(self):
        if self.names:
            builtins.__import__ = self._hook

    def _watching(self, name, globals=None, locals=None, fromlist=(), level=0):
        if not self.seen and level == 0 and self.wanted(name, fromlist):
            self.seen = True
            if builtins.__import__ is self._hook:  # not if the function put a hook of its own over ours
                builtins.__import__ = self._original
        return self._original(name, globals, locals, fromlist, level)

    def wanted(self, name, fromlist):
        names = self.names
        if name in names or (fromlist and any("{}.{}".format(name, item) in names for item in fromlist)):
            return True
        dot = name.find(".")
        while dot > 0:  # botocore.session: its package is watched
            if name[:dot] in names:
                return True
            dot = name.find(".", dot + 1)
        return False
