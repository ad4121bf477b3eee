"""Random (version 4) UUIDs as text, the way AWS request and message ids look.

``str(uuid.uuid4())`` builds a UUID object to print it and asks the kernel for its random bytes; on a
path that makes one id per request (every API call, every message sent) both are a measurable share of
the work. This makes the same text - 122 random bits, version nibble 4, variant bits 10 - from the
``random`` module's generator, which needs no system call. The ids name requests and messages; they are
not secrets (nothing that guards access is made here), so they need no cryptographic source.
"""

from __future__ import annotations

import random

_VARIANT = "89ab"  # the first hex digit of the fourth group: variant bits 10, then two random bits


def random_uuid() -> str:
    """A random UUID's text, e.g. ``'1b4e28ba-2fa1-41d2-883f-0016d3cca427'``."""
    h = f"{random.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"
