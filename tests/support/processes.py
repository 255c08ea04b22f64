"""Starting the real processes in tests and benchmarks: free ports, readiness, clean stops."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
# The Rasa server as the Procfile starts it: `rasa run` with Rasa 3.6's per-turn costs removed
# (nlu/components/speedups.py).
RASA_SERVER = [str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "nlu.components.speedups"]
# The tracker store endpoints.yml ships: conversations in memory, written to SQLite behind.
MEMORY_FIRST_STORE = "nlu.components.tracker_store.MemoryFirstSQLTrackerStore"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_http(
    url: str,
    timeout: float = 60.0,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> None:
    """Wait until ``url`` answers 2xx; fail early (with the log) if the process died."""
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"process for {url} exited with {process.returncode}\n{tail}")
        try:
            if httpx.get(url, timeout=2.0).is_success:
                return
        except httpx.HTTPError as error:
            last_error = repr(error)
        time.sleep(0.25)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise TimeoutError(f"{url} not ready after {timeout}s ({last_error})\n{tail}")


class Service:
    """One started process with its log file."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str],
        log_dir: Path,
        cwd: Path = ROOT,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.env = {**os.environ, **env}
        self.log = log_dir / f"{name}.log"
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait(self, url: str, timeout: float = 60.0) -> Service:
        wait_http(url, timeout, self.process, self.log)
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


@contextlib.contextmanager
def running(*services: Service) -> Iterator[tuple[Service, ...]]:
    try:
        yield services
    finally:
        for service in reversed(services):
            service.stop()


def migrate(database_url: str, log_dir: Path) -> None:
    subprocess.run(
        [str(APP_PYTHON), "-m", "backend", "migrate"],
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=ROOT,
        check=True,
        stdout=(log_dir / "migrate.log").open("ab"),
        stderr=subprocess.STDOUT,
    )


def backend_service(
    database_url: str, service_token: str, log_dir: Path, port: int | None = None, **env: str
) -> tuple[Service, str]:
    port = port or free_port()
    service = Service(
        "backend",
        [str(APP_PYTHON), "-m", "backend", "serve", "--port", str(port)],
        {"DATABASE_URL": database_url, "SERVICE_TOKEN": service_token, **env},
        log_dir,
    )
    return service, f"http://127.0.0.1:{port}"


MODEL = ROOT / "models" / "grievance.tar.gz"


def rasa_skip_reason() -> str | None:
    """Why tests that need the real Rasa server cannot run here, or None."""
    if not RASA.exists():
        return "no Rasa environment (.venv-rasa); run `make setup-rasa`"
    if not MODEL.exists():
        return "no trained model in models/grievance.tar.gz; run `make train`"
    return None


def write_endpoints(path: Path, actions_port: int, tracker_db: Path | None = None) -> Path:
    """A Rasa endpoints file: the action server at ``actions_port``; with ``tracker_db`` the
    tracker store ``endpoints.yml`` ships (memory first, SQLite behind) on that file, without
    it Rasa's in-memory store."""
    text = (
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        "  enable_selective_domain: true\n"
    )
    if tracker_db is not None:
        text += (
            f"tracker_store:\n  type: {MEMORY_FIRST_STORE}\n  dialect: sqlite\n  db: {tracker_db}\n"
        )
    path.write_text(text, encoding="utf-8")
    return path


def rasa_server(
    log_dir: Path, port: int, actions_port: int, tracker_db: Path | None = None
) -> Service:
    """The real Rasa server with the trained model, its actions at ``actions_port``.

    With ``tracker_db`` conversations are kept in the tracker store ``endpoints.yml`` ships
    (memory first, SQLite behind), so that a restarted server continues them.
    """
    endpoints = write_endpoints(log_dir / f"endpoints-{port}.yml", actions_port, tracker_db)
    command = [
        *RASA_SERVER, "run", "--enable-api", "-m", str(MODEL), "--port", str(port),
        "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
    ]  # fmt: skip
    return Service("rasa", command, {}, log_dir)
