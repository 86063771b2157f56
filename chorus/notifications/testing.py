"""A real SMTP server for tests and benchmarks (aiosmtpd), on a port the OS chooses.

    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        ...
        server.messages  # email.message.EmailMessage objects, as they arrived

`server.refuse["someone@example.com"] = "451 4.3.0 Try again later"` makes the server refuse
that recipient with the given reply.
"""

from __future__ import annotations

import email
import email.policy
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class SmtpRecorder:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    count: int = 0
    keep: bool = True  # False: count only (benchmarks)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
            if self.keep:
                self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                self.messages.append(
                    email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
                )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


class _PortZeroController(Controller):
    """aiosmtpd's Controller on port 0: reads back the port the OS gave before the self-test."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        super()._trigger_server()


@contextmanager
def smtp_server(*, keep: bool = True) -> Iterator[SmtpRecorder]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    recorder = SmtpRecorder(keep=keep)
    controller = _PortZeroController(recorder, hostname="127.0.0.1", port=0)
    controller.start()
    recorder.port = controller.port
    try:
        yield recorder
    finally:
        controller.stop()
