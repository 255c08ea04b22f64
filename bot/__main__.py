"""``python -m bot serve --port 8080``: the gateway."""

from __future__ import annotations

import argparse
import sys

# `import httpx` also imports httpx's command-line client (httpx/_main.py, with click, rich and
# pygments: ~5 MB) whenever those are installed, and falls back to a stub on ImportError; the
# gateway never uses it, so a None entry makes that import fail (backend/__main__.py too).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import uvicorn  # noqa: E402

from bot.app import create_app  # noqa: E402
from core.config import Settings  # noqa: E402
from core.logs import configure_logging  # noqa: E402
from rasa_runtime.contract import secret_problem  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the channel gateway and the web chat")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)

    settings = Settings()
    problem = secret_problem(settings.rasa_shared_secret)
    if problem is not None:  # Rasa would refuse every turn
        sys.exit(f"refusing to start: {problem}")
    # Masked lines, JSON with LOG_JSON=true, each carrying the message's request id; httpx's
    # and twilio's request lines (bot token, phone numbers) silenced.
    configure_logging(settings)
    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
