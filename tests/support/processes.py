"""Starting the real processes in tests and benchmarks: free ports, readiness, clean stops."""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx

from rasa_runtime.contract import SECRET_ENV, SECRET_HEADER, WEBHOOK_PATH

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
# The Rasa server as the Procfile starts it: `rasa run` with Rasa 3.6's per-turn costs removed
# (rasa_runtime/speedups.py).
RASA_SERVER = [str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "rasa_runtime.speedups"]
# The tracker store endpoints.yml ships: conversations in memory, written to SQLite behind.
MEMORY_FIRST_STORE = "rasa_runtime.tracker_store.MemoryFirstSQLTrackerStore"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def outside_address() -> str | None:
    """An address of this machine other than loopback, as another host would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.123", 9))  # no packet is sent for a UDP connect
            address: str = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def reachable(host: str, port: int) -> bool:
    """Whether something accepts a TCP connection at ``host:port``."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


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


# The secret the gateway sends Rasa and Rasa the action server (rasa_runtime/contract.py);
# every process the tests and benchmarks start inherits this one through the environment.
RASA_SHARED_SECRET = os.environ.get(SECRET_ENV) or secrets.token_urlsafe(32)
os.environ[SECRET_ENV] = RASA_SHARED_SECRET
# The tests' Rasa also serves its HTTP API behind this token, to look at trackers; `make run`
# starts Rasa without the API.
RASA_API_TOKEN = secrets.token_urlsafe(32)
ACTIONS_SERVER = [str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "rasa_runtime.actions_server"]


def action_server_command(port: int) -> list[str]:
    """The action server as `make run` starts it: loopback only, the shared secret required."""
    return [*ACTIONS_SERVER, "--port", str(port)]


def action_server_env() -> dict[str, str]:
    return {"RASA_SHARED_SECRET": RASA_SHARED_SECRET, "SANIC_HOST": "127.0.0.1"}


def write_endpoints(path: Path, actions_port: int, tracker_db: Path | None = None) -> Path:
    """A Rasa endpoints file: the action server at ``actions_port``; with ``tracker_db`` the
    tracker store ``endpoints.yml`` ships (memory first, SQLite behind) on that file, without
    it Rasa's in-memory store."""
    text = (
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        "  enable_selective_domain: true\n"
        f'  headers:\n    X-Rasa-Shared-Secret: "{RASA_SHARED_SECRET}"\n'
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
        *RASA_SERVER, "run", "-i", "127.0.0.1", "-m", str(MODEL), "--port", str(port),
        "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
        "--enable-api", "--auth-token", RASA_API_TOKEN,
    ]  # fmt: skip
    return Service("rasa", command, {}, log_dir)


def procfile_service(
    name: str, port: int, log_dir: Path, replace: Mapping[str, str] | None = None
) -> Service:
    """The Procfile's line for ``name`` as `make run` starts it, on ``port``; leading
    ``VAR=value`` words become its environment, ``replace`` swaps an option's value (e.g.
    ``{"--endpoints": path}``)."""
    line = next(
        text.split(":", 1)[1]
        for text in (ROOT / "Procfile").read_text().splitlines()
        if text.startswith(f"{name}:")
    )
    words = shlex.split(line)
    env = {}
    while words and "=" in words[0] and not words[0].startswith("-"):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    for option, value in {"--port": str(port), **dict(replace or {})}.items():
        words[words.index(option) + 1] = value
    words[0] = str(ROOT / words[0]) if words[0].startswith(".venv") else words[0]
    return Service(f"procfile-{name}", words, env, log_dir)


# The processes of ours the tests start (fakes of Telegram and Twilio stand at the edge and
# are not ours: their logs may hold what a provider would see).
OUR_PROCESSES = ("backend", "worker", "gateway", "actions", "rasa")


def unmasked_in_logs(log_dir: Path, needles: Sequence[str]) -> list[str]:
    """Lines of our processes' logs in ``log_dir`` that hold any of ``needles`` (names and
    phone numbers a test typed; digits also matched when grouped or URL-encoded)."""

    def forms(needle: str) -> set[str]:
        digits = "".join(ch for ch in needle if ch.isdigit())
        return {needle, digits[-10:]} if len(digits) >= 10 else {needle}

    wanted = set().union(*(forms(n) for n in needles))
    found = []
    for log in sorted(log_dir.glob("*.log")):
        if not log.name.startswith(OUR_PROCESSES):
            continue
        for line in log.read_text(errors="replace").splitlines():
            bare = line.replace(" ", "").replace("-", "")
            if any(w in line or (w.isdigit() and w in bare) for w in wanted):
                found.append(f"{log.name}: {line[:300]}")
    return found


def rasa_ready_url(port: int) -> str:
    """What answers once Rasa serves: its root (the HTTP API may be off, as under make run)."""
    return f"http://127.0.0.1:{port}/"


def rasa_turn(
    rasa_url: str,
    sender: str,
    message: str,
    metadata: Mapping[str, object] | None = None,
    *,
    timeout: float = 60.0,
) -> httpx.Response:
    """One message to Rasa as the gateway sends it (the gateway channel, the shared secret)."""
    body: dict[str, object] = {"sender": sender, "message": message}
    if metadata is not None:
        body["metadata"] = dict(metadata)
    return httpx.post(
        f"{rasa_url}{WEBHOOK_PATH}",
        json=body,
        headers={SECRET_HEADER: RASA_SHARED_SECRET},
        timeout=timeout,
    )


def rasa_tracker(rasa_url: str, sender: str) -> dict[str, object]:
    """The sender's tracker through the tests' Rasa HTTP API (``RASA_API_TOKEN``)."""
    answer = httpx.get(
        f"{rasa_url}/conversations/{sender}/tracker",
        params={"token": RASA_API_TOKEN},
        timeout=10,
    )
    answer.raise_for_status()
    tracker: dict[str, object] = answer.json()
    return tracker


def _warm_up_routing(backend_url: str, service_token: str) -> None:
    """Until the backend routes: it loads its encoder after /healthz already answers, and
    requests wait behind that load longer than the action server waits for a reply."""
    httpx.post(
        f"{backend_url}/api/v1/route/preview",
        json={"description": "payment pending from a buyer", "category": None, "state": None},
        headers={"Authorization": f"Bearer {service_token}"},
        timeout=120,
    ).raise_for_status()


class AssistantStack:
    """The real backend, action server and Rasa server, started by ``assistant_stack``."""

    def __init__(
        self, log_dir: Path, database_url: str, service_token: str, backend_port: int,
        backend: Service, actions: Service, rasa: Service, rasa_port: int,
    ) -> None:  # fmt: skip
        self.log_dir = log_dir
        self.database_url = database_url
        self.service_token = service_token
        self.backend_port = backend_port
        self.backend_url = f"http://127.0.0.1:{backend_port}"
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self.backend = backend
        self.actions = actions
        self.rasa = rasa

    def restart_backend(self) -> None:
        """Start the backend again on the same port and database (after ``backend.stop()``)."""
        self.backend, _ = backend_service(
            self.database_url, self.service_token, self.log_dir, port=self.backend_port
        )
        self.backend.start().wait(f"{self.backend_url}/healthz", timeout=60)
        _warm_up_routing(self.backend_url, self.service_token)

    def add_officer(
        self, department: str, role: str = "officer", name: str = "Test Officer"
    ) -> str:
        """An officer of ``department`` through the command line; returns the token."""
        return add_officer(self.database_url, department, role=role, name=name)


def add_officer(
    database_url: str, department: str, role: str = "officer", name: str = "Test Officer"
) -> str:
    """`python -m backend officer add`; returns the token it prints once."""
    result = subprocess.run(
        [str(APP_PYTHON), "-m", "backend", "officer", "add", "--name", name,
         "--department", department, "--role", role],
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1].strip()


@contextlib.contextmanager
def assistant_stack(
    log_dir: Path,
    service_token: str,
    database_url: str | None = None,
    tracker_db: Path | None = None,
    backend_env: Mapping[str, str] | None = None,
) -> Iterator[AssistantStack]:
    """The assistant as tests drive it through Rasa's REST channel: a migrated database (SQLite
    in ``log_dir`` unless given), the backend API (warmed up until it routes), the action
    server and the Rasa server with the trained model. Callers check ``rasa_skip_reason()``
    first. Everything started here is stopped on exit (the last backend too, after a
    ``restart_backend``)."""
    database_url = database_url or f"sqlite:///{log_dir / 'app.db'}"
    migrate(database_url, log_dir)
    backend_port = free_port()
    backend, backend_url = backend_service(
        database_url, service_token, log_dir, port=backend_port, **dict(backend_env or {})
    )
    actions_port, rasa_port = free_port(), free_port()
    actions = Service(
        "actions",
        action_server_command(actions_port),
        {"BACKEND_URL": backend_url, "SERVICE_TOKEN": service_token, **action_server_env()},
        log_dir,
    )
    rasa = rasa_server(log_dir, rasa_port, actions_port, tracker_db)
    stack = AssistantStack(
        log_dir, database_url, service_token, backend_port, backend, actions, rasa, rasa_port
    )
    with running(actions, rasa):
        try:
            backend.start()
            actions.start()
            rasa.start()
            backend.wait(f"{backend_url}/healthz", timeout=60)
            _warm_up_routing(backend_url, service_token)
            actions.wait(f"http://127.0.0.1:{actions_port}/health", timeout=120)
            rasa.wait(rasa_ready_url(rasa_port), timeout=240)
            yield stack
        finally:
            stack.backend.stop()
