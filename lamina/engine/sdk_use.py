"""Whether a Python function's code names the AWS SDK, read before its first environment starts.

Python environments are forked from a zygote with boto3 preloaded, or from a lean one without it
(``sandbox.py``). A function whose code and layers never name the SDK's modules gets the lean one from its
first cold start; one whose code is too large to read quickly is left to what its first environments report
(``Pool.learn``), as is a function that imports the SDK in a way no text shows (the runtime notices the
import itself, and the function's later environments come from the SDK zygote).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

# The SDK's modules, which only the SDK zygote preloads and which take long to import: a function that
# imports one is forked from that zygote (sandbox.py), and its runtime watches for them (zygote/sdk_watch.py).
PYTHON_SDK_MODULES = ["boto3", "botocore", "s3transfer", "urllib3", "http.client", "ssl"]


def _naming(modules: list[str]) -> re.Pattern[bytes]:
    """Any of ``modules`` named in source text, ``from package import module`` included for dotted ones.
    Loose on purpose: a word in a comment only costs the lean zygote's savings, never a slower start."""
    forms = []
    for module in modules:
        forms.append(rf"\b{re.escape(module)}\b")
        if "." in module:
            forms.append(rf"\bfrom\s+{re.escape(module.rsplit('.', 1)[0])}\s+import\b")
    return re.compile("|".join(forms).encode())


_SDK_TEXT = _naming(PYTHON_SDK_MODULES)
# Read on the event loop, once per function version and configuration: small functions only.
MAX_FILES = 1_000
MAX_BYTES = 2 * 1024 * 1024


def names_sdk(directories: list[Path] | tuple[Path, ...]) -> bool | None:
    """True if a Python file under ``directories`` names an SDK module, False if none does, None if there
    is too much code to tell cheaply."""
    files = read = 0
    for directory in directories:
        for root, _, names in os.walk(directory):
            for name in names:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(root, name)
                try:
                    if not stat.S_ISREG(os.lstat(path).st_mode):
                        continue  # a hot-reload folder may hold links and pipes: read plain files only
                    files += 1
                    with open(path, "rb") as source:
                        text = source.read(MAX_BYTES - read + 1)
                except OSError:
                    continue
                read += len(text)
                if files > MAX_FILES or read > MAX_BYTES:
                    return None
                if _SDK_TEXT.search(text):
                    return True
    return False
