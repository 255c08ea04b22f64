"""rasa_sdk's action server, answering only callers that present the shared secret.

``python -m rasa_runtime.actions_server --port 5055`` = ``rasa run actions`` plus: every
request but ``GET /health`` must carry ``X-Rasa-Shared-Secret: $RASA_SHARED_SECRET`` (Rasa
sends it from ``action_endpoint.headers`` in endpoints.yml), compared in constant time;
otherwise 401. Its log lines are masked (``infra/masking.py``). It binds ``--host``, else
``SANIC_HOST``, else 127.0.0.1 (not rasa_sdk's 0.0.0.0) and refuses to start without a secret
of at least 32 characters.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Any

from infra.masking import mask_process_logs
from rasa_runtime.contract import SECRET_HEADER, presented, secret_from_env

OPEN_PATHS = frozenset({"/health"})


def create_app(secret: str, actions: str = "actions") -> Any:
    """rasa_sdk's Sanic app with a request middleware checking the shared secret."""
    from rasa_sdk.endpoint import create_app as sdk_create_app
    from sanic import response

    app = sdk_create_app(actions, cors_origins=None)

    @app.middleware("request")
    async def require_shared_secret(request: Any) -> Any:
        if request.path in OPEN_PATHS:
            return None
        if not presented(request.headers.get(SECRET_HEADER), secret):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rasa_runtime.actions_server")
    parser.add_argument("--host", default=None, help="default: $SANIC_HOST, else 127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    secret = secret_from_env()

    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    utils.configure_colored_logging(None)  # as `rasa run actions`: LOG_LEVEL or INFO
    utils.update_sanic_log_level()
    # The actions' httpx calls carry mobiles in query strings: silenced, and every line masked.
    mask_process_logs()
    app = create_app(secret, args.actions)
    warm_up = getattr(importlib.import_module(args.actions), "warm_up", None)
    if callable(warm_up):
        warm_up()  # before the first message, not during it
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    host = args.host or os.environ.get("SANIC_HOST") or "127.0.0.1"
    logging.getLogger(__name__).info("action server on http://%s:%s", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
