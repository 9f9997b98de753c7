"""A mail server on loopback for the worker's tests and the fault run (bench/faults_email.py).

`FakeSmtp(port, delay=s)` answers as a real server (aiosmtpd), `delay` seconds before taking each message,
and keeps every message it accepted; `pause()` holds every new message before the server takes it, until
`resume()` (so a test knows no message is between the server's "accepted" and its sender's commit); `hang()` makes it
accept connections and never answer, as an SMTP server that is stuck; `answer()` brings it back.
Messages are counted by (recipient, subject): each email of the site has its own subject (order number,
status), so a count above one is an email sent twice.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from email import message_from_bytes
from email.header import decode_header, make_header

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Keep:
    def __init__(self, server: FakeSmtp) -> None:
        self.server = server

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # aiosmtpd's hook
        # A slow server is slow before it takes the message, never between taking it and saying so.
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        while self.server.paused.is_set():
            await asyncio.sleep(0.02)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook: a message arrived whole
        message = message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(message.get("Subject", ""))))
        with self.server.lock:
            for recipient in envelope.rcpt_tos:
                self.server.received.append((recipient, subject))
        return "250 OK"


class FakeSmtp:
    def __init__(self, port: int | None = None, *, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.delay = delay
        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None
        self._hanging: socket.socket | None = None
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self.paused = threading.Event()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?tls=0"

    def answer(self) -> FakeSmtp:
        """Serve SMTP on the port (after `hang`, the held connections are closed first)."""
        self._unhang()
        self._controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port, ready_timeout=5)
        self._controller.start()
        return self

    def hang(self) -> FakeSmtp:
        """Accept connections on the port and never say a word (a server stuck), until `answer`/`stop`."""
        self._stop_controller()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.2)
        self._hanging = listener
        self._stop.clear()

        def accept() -> None:
            while not self._stop.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                self._held.append(connection)

        self._accepting = threading.Thread(target=accept, daemon=True)
        self._accepting.start()
        return self

    def pause(self) -> None:
        """Hold every message not yet taken (its sender waits for the answer to MAIL FROM)."""
        self.paused.set()

    def resume(self) -> None:
        self.paused.clear()

    def counts(self) -> Counter:
        with self.lock:
            return Counter(self.received)

    def stop(self) -> None:
        self._stop_controller()
        self._unhang()

    def _stop_controller(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _unhang(self) -> None:
        if self._hanging is not None:
            self._stop.set()
            self._accepting.join()
            self._hanging.close()
            self._hanging = None
            for connection in self._held:
                connection.close()
            self._held.clear()
