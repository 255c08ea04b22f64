"""Command line: migrate, serve, worker, sla-sweep, officer add|list|revoke, import,
cpgrams pull|status, pulse."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# `import httpx` also imports httpx's command-line client (httpx/_main.py, with click, rich and
# pygments: ~5 MB per process) whenever those are installed, and falls back to a stub on
# ImportError. No process started from here uses it: a None entry makes that import fail.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from pydantic import ValidationError  # noqa: E402

from core.config import Settings  # noqa: E402

log = logging.getLogger("backend.officers")


def _as_of(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create/upgrade the schema and the department directory")
    serve = commands.add_parser("serve", help="run the service and admin API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    worker = commands.add_parser("worker", help="deliver notifications and run SLA sweeps")
    worker.add_argument("--once", action="store_true", help="one delivery round and one sweep")
    sweep = commands.add_parser("sla-sweep", help="one SLA sweep pass as of a time")
    sweep.add_argument("--as-of", type=_as_of, default=None, help="ISO time (default: now)")
    officer = commands.add_parser("officer", help="manage officers")
    officer_commands = officer.add_subparsers(dest="officer_command", required=True)
    add = officer_commands.add_parser("add", help="add an officer and print their token once")
    add.add_argument("--name", required=True)
    add.add_argument("--department", required=True)
    add.add_argument("--role", choices=["officer", "head", "leadership"], default="officer")
    officer_commands.add_parser("list", help="list officers (never their tokens or hashes)")
    revoke = officer_commands.add_parser(
        "revoke", help="deactivate an officer: their token and dashboard sessions stop at once"
    )
    revoke.add_argument("officer", help="the officer's id, or their exact name")
    batch = commands.add_parser("import", help="import a CPGRAMS (or other portal) batch file")
    batch.add_argument("--file", required=True, help="CSV with a header row, or JSON")
    batch.add_argument("--source", default="cpgrams", help="portal the rows come from")
    batch.add_argument("--format", choices=["csv", "json"], default=None, help="default: by suffix")
    cpgrams = commands.add_parser("cpgrams", help="CPGRAMS pulled automatically (API, folder)")
    cpgrams_commands = cpgrams.add_subparsers(dest="cpgrams_command", required=True)
    cpgrams_pull = cpgrams_commands.add_parser(
        "pull", help="pull from CPGRAMS_PULL_URL and CPGRAMS_WATCH_DIR on their schedule"
    )
    cpgrams_pull.add_argument("--once", action="store_true", help="one pass now, then exit")
    cpgrams_commands.add_parser("status", help="the pull's cursor, last pull and failures")
    from backend.pulse_cli import add_commands as add_pulse_commands

    add_pulse_commands(commands)  # pulse source add|list|remove|disable|enable, import, pull
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValidationError as exc:
        # A refusal to start says what to fix, without a traceback.
        for error in exc.errors():
            print(f"refusing to start: {error['msg']}", file=sys.stderr)
        return 2
    from core.logs import configure_logging

    configure_logging(settings)

    if args.command == "migrate":
        from backend.db import make_engine
        from backend.migrate import migrate

        engine = make_engine(settings.database_url)
        changed = migrate(settings.database_url, engine)
        print(f"schema up to date; {changed} department rows added or changed")
        return 0
    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            "backend.api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            access_log=False,
        )
        return 0
    if args.command == "worker":
        from backend.worker import run_worker

        asyncio.run(run_worker(settings, once=args.once))
        return 0
    if args.command == "sla-sweep":
        from backend.db import make_engine, make_session_factory
        from backend.escalation import sweep as run_sweep

        factory = make_session_factory(make_engine(settings.database_url))
        as_of = args.as_of or datetime.now(UTC)
        result = run_sweep(factory, as_of)
        print(
            f"as of {as_of.isoformat()}: examined {result.examined}, "
            f"to head {result.escalated_to_head}, to leadership "
            f"{result.escalated_to_leadership}"
        )
        return 0
    if args.command == "officer":
        return _officer(settings, args)
    if args.command == "import":
        return _import(settings, args)
    if args.command == "cpgrams":
        return _cpgrams(settings, args)
    if args.command == "pulse":
        from backend.pulse_cli import run as run_pulse

        return run_pulse(settings, args)
    return 2


def _officer(settings: Settings, args: argparse.Namespace) -> int:
    from backend.db import make_engine, make_session_factory

    factory = make_session_factory(make_engine(settings.database_url))
    command = {"add": _officer_add, "list": _officer_list, "revoke": _officer_revoke}
    try:
        return command[args.officer_command](factory, args)
    except (LookupError, ValueError) as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2


def _officer_add(factory: Any, args: argparse.Namespace) -> int:
    from backend.auth import add_officer
    from backend.db import transaction

    with transaction(factory) as session:
        added, token = add_officer(session, args.name, args.department, args.role)
        officer_id = added.id
    print(f"officer {officer_id} ({args.role}, {args.department}) token, shown once:")
    print(token)
    return 0


def _officer_list(factory: Any, _args: argparse.Namespace) -> int:
    """One line per officer; token hashes stay in the database (a hash is all an attacker
    with this output would need to match a stolen token against)."""
    from backend.auth import list_officers

    with factory() as session:
        print("id\tstatus\trole\tdepartment\tcreated\tname")
        for officer in list_officers(session):
            state = "active" if officer.active else "revoked"
            created = officer.created_at.date().isoformat()
            print(
                f"{officer.id}\t{state}\t{officer.role}\t{officer.department_code}\t"
                f"{created}\t{officer.name}"
            )
    return 0


def _officer_revoke(factory: Any, args: argparse.Namespace) -> int:
    from backend.auth import revoke_officer
    from backend.db import transaction

    with transaction(factory) as session:
        officer, still_open = revoke_officer(session, args.officer)
        label = f"officer {officer.id} ({officer.name}, {officer.role}, {officer.department_code})"
    log.warning("revoked %s", label)  # the operator's action, in the logs
    print(f"revoked {label}: their token and dashboard sessions no longer work")
    if still_open:
        print(f"{still_open} open tickets are still assigned to them: transfer or reassign them")
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from backend.db import make_engine, make_session_factory
    from backend.imports import import_batch

    path = Path(args.file)
    fmt = args.format or ("json" if path.suffix.lower() in (".json", ".jsonl") else "csv")
    factory = make_session_factory(make_engine(settings.database_url))
    report = import_batch(
        factory, path.read_text(encoding="utf-8"), fmt, args.source, datetime.now(UTC)
    )
    print(
        f"created {len(report.created)}, skipped {len(report.skipped)} (already imported), "
        f"errors {len(report.errors)}"
    )
    for error in report.errors:
        print(f"line {error['line']}: {error['error']}", file=sys.stderr)
    return 1 if report.errors else 0


def _cpgrams(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from backend.cpgrams_pull import CpgramsIntake, pull_status, settled_files
    from backend.db import make_engine, make_session_factory

    factory = make_session_factory(make_engine(settings.database_url))
    if args.cpgrams_command == "status":
        status: dict[str, Any] = {
            "pull_url": settings.cpgrams_pull_url or None,
            **pull_status(factory),
            "watch_dir": str(settings.cpgrams_watch_dir) if settings.cpgrams_watch_dir else None,
        }
        if settings.cpgrams_watch_dir is not None:
            status["files_waiting"] = len(settled_files(settings.cpgrams_watch_dir, 0.0))
        print(json.dumps(status, indent=2))
        return 0
    intake = CpgramsIntake.from_settings(settings, factory)
    if intake is None:
        print("error: set CPGRAMS_PULL_URL (and its token) or CPGRAMS_WATCH_DIR", file=sys.stderr)
        return 2

    async def run() -> dict[str, Any]:
        try:
            if args.once:
                return await intake.run_due(force=True)
            await intake.run_forever(settings.worker_poll_seconds)
            return {}
        finally:
            await intake.aclose()

    done = asyncio.run(run())
    if not args.once:
        return 0
    print(json.dumps(done, indent=2, ensure_ascii=False, default=str))
    pulled = done.get("pull", {})
    refused = pulled.get("errors") or any(f["errors"] for f in done.get("folder", []))
    return 1 if pulled.get("failure") or refused else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
