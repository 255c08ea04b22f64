"""``python -m backend pulse ...``: the pulse's sources, exports and pulls from the shell.

pulse source add --name N --kind rss|x|facebook|instagram|csv|jsonl [--url U]
                 [--hide-handles] [--interval-minutes M]
pulse source list
pulse source remove N      (its items and their daily counts go too)
pulse source disable N     (kept; no more pulls or uploads)  /  enable N
pulse import --source N FILE
pulse pull [--source N]    (the due feeds, or the one named, now)
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import Settings


def add_commands(commands: Any) -> None:
    """The ``pulse`` command and its subcommands, on the main parser's subparsers."""
    from backend.models import PULSE_SOURCE_KINDS

    pulse = commands.add_parser("pulse", help="the pulse's sources: feeds and exports")
    sub = pulse.add_subparsers(dest="pulse_command", required=True)
    source = sub.add_parser("source", help="add, list, remove, disable or enable sources")
    source_sub = source.add_subparsers(dest="source_command", required=True)
    add = source_sub.add_parser("add", help="add a source")
    add.add_argument("--name", required=True)
    add.add_argument("--kind", required=True, choices=PULSE_SOURCE_KINDS)
    add.add_argument("--url", default=None, help="the feed's address (rss)")
    add.add_argument("--hide-handles", action="store_true", help="hide authors on the page")
    add.add_argument("--interval-minutes", type=int, default=60, help="between pulls (rss)")
    source_sub.add_parser("list", help="every source with its state")
    for name, what in (
        ("remove", "remove a source, its items and their counts"),
        ("disable", "stop pulls and uploads (items kept)"),
        ("enable", "pull and accept uploads again"),
    ):
        source_sub.add_parser(name, help=what).add_argument("name")
    batch = sub.add_parser("import", help="import an export file into an export source")
    batch.add_argument("--source", required=True)
    batch.add_argument("file")
    pull = sub.add_parser("pull", help="pull the due feeds now, or the one named")
    pull.add_argument("--source", default=None)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from backend.db import make_engine
    from backend.pulse_sources import SourceError, SourceNotFound

    engine = make_engine(settings.database_url)
    try:
        if args.pulse_command == "source":
            return _source(engine, args)
        if args.pulse_command == "import":
            return _import(engine, args)
        return _pull(engine, settings, args)
    except (SourceError, SourceNotFound, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def _source(engine: Any, args: argparse.Namespace) -> int:
    from backend.db import make_session_factory, transaction
    from backend.pulse_sources import (
        SourceChanges,
        add_source,
        list_sources,
        remove_source,
        update_source,
    )

    factory = make_session_factory(engine)
    command = args.source_command
    if command == "add":
        with transaction(factory) as session:
            add_source(
                session,
                args.name,
                args.kind,
                url=args.url,
                hide_handles=args.hide_handles,
                interval_minutes=args.interval_minutes,
            )
        print(f"added pulse source {args.name!r} ({args.kind})")
    elif command == "list":
        with factory() as session:
            print("name\tkind\tenabled\titems\tfailures\tnext pull\tlast error\turl")
            for view in list_sources(session):
                print(
                    f"{view['name']}\t{view['kind']}\t{'yes' if view['enabled'] else 'no'}\t"
                    f"{view['items']}\t{view['failures']}\t{_when(view['next_pull_at'])}\t"
                    f"{view['last_error'] or ''}\t{view['url'] or ''}"
                )
    elif command == "remove":
        removed = remove_source(engine, args.name)
        print(f"removed pulse source {args.name!r} and its {removed} items")
    else:
        with transaction(factory) as session:
            update_source(session, args.name, SourceChanges(enabled=command == "enable"))
        print(f"{command}d pulse source {args.name!r}")
    return 0


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment else "-"


def _import(engine: Any, args: argparse.Namespace) -> int:
    from backend.pulse_sources import import_export

    payload = Path(args.file).read_text(encoding="utf-8")
    report = import_export(engine, args.source, payload, datetime.now(UTC))
    print(
        f"created {report.created}, skipped {report.skipped} (already kept), "
        f"errors {len(report.errors)}"
    )
    for error in report.errors:
        print(f"line {error['line']}: {error['error']}", file=sys.stderr)
    return 1 if report.errors else 0


def _pull(engine: Any, settings: Settings, args: argparse.Namespace) -> int:
    from backend.pulse_feeds import pull_due
    from backend.pulse_sources import pull_named

    if args.source:
        outcomes = [pull_named(engine, args.source, settings)]
    else:
        outcomes = pull_due(engine, settings)
    for outcome in outcomes:
        report = outcome.report
        detail = f": {outcome.error}" if outcome.error else ""
        print(
            f"{outcome.source}: {outcome.status}{detail}; created {report.created}, "
            f"skipped {report.skipped}, errors {len(report.errors)}"
        )
    if not outcomes:
        print("no feed is due")
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0
