"""A real SMTP server (aiosmtpd) on a free port that keeps what it receives, for the e-mail tests."""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Callable

from aiosmtpd.controller import Controller

from tests.lamina_server import free_port


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._changed = threading.Condition()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # aiosmtpd hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._changed:
            self.messages.append(message)  # type: ignore[arg-type]
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self._changed:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, predicate: Callable[[list[EmailMessage]], bool], timeout: float = 30.0) -> list[EmailMessage]:
        """Block until ``predicate(messages)`` holds (woken by each arriving mail), or fail."""
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(list(self.messages)), timeout):
                raise AssertionError(f"no such mail within {timeout}s; got: "
                                     f"{[(m['To'], m['Subject']) for m in self.messages]}")
            return list(self.messages)

    def env(self) -> dict[str, str]:
        return {"LAMINA_SMTP_HOST": "127.0.0.1", "LAMINA_SMTP_PORT": str(self.port)}
