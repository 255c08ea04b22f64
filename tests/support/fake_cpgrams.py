"""A fake CPGRAMS API on 127.0.0.1 for the pull and the status write-back (``channels/cpgrams.py``).

``GET /grievances?since_cursor=&limit=`` pages through ``items`` (cursors are opaque strings,
``next_cursor`` is always where the next page starts, also at the end); ``POST
/grievances/{registration_number}/status`` records ``{status, note, at}``. Both want
``Authorization: Bearer <token>`` (401 otherwise). A test can make a page fail on its next
requests (``fail_page``: HTTP 500, a timeout, malformed JSON, JSON of the wrong shape) and the
next status posts answer 503 (``fail_status``). Bad rows are simply items the test puts in.

``with FakeCpgrams(items) as fake: ...`` serves it from a thread (uvicorn).
``grievance_rows`` makes varied rows as CPGRAMS would send them.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from routing.directory import load_directory
from routing.states import STATES
from tests.support.local_server import LocalServer

TOKEN = "fake-cpgrams-token-0123456789abcdef"
FAILURES = ("500", "timeout", "malformed", "shape")


def cursor_at(offset: int) -> str:
    return f"c{offset:06d}"


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    return int(cursor.removeprefix("c"))


class FakeCpgrams:
    def __init__(self, items: list[Any] | None = None, *, token: str = TOKEN) -> None:
        self.items: list[Any] = list(items or [])
        self.token = token
        self.page_failures: dict[int, list[str]] = defaultdict(list)
        self.status_failures = 0
        self.status_updates: list[dict[str, Any]] = []
        self.status_raw_paths: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.hang_seconds = 2.0
        # Called (in the server's thread) with the offset of each page asked for, before it
        # is answered: a test looks at what the puller has committed by then.
        self.on_page: Callable[[int], None] | None = None
        self.server = LocalServer(
            Starlette(
                routes=[
                    Route("/grievances", self._page, methods=["GET"]),
                    Route("/grievances/{reference:path}/status", self._status, methods=["POST"]),
                ]
            )
        )

    # --- for tests ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def last_cursor(self) -> str:
        return cursor_at(len(self.items))

    def fail_page(self, offset: int, kind: str, times: int = 1) -> None:
        """The next ``times`` requests for the page starting at ``offset`` fail as ``kind``."""
        assert kind in FAILURES, kind
        self.page_failures[offset].extend([kind] * times)

    def fail_status(self, times: int) -> None:
        self.status_failures += times

    def __enter__(self) -> FakeCpgrams:
        self.server.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.stop()

    # --- the API -------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def _page(self, request: Request) -> Response:
        cursor = request.query_params.get("since_cursor")
        limit = int(request.query_params.get("limit", "50"))
        self.requests.append({"cursor": cursor, "limit": limit})
        if not self._authorized(request):
            return JSONResponse({"detail": "bad token"}, status_code=401)
        start = _offset(cursor)
        if self.on_page is not None:
            self.on_page(start)
        planned = self.page_failures.get(start)
        if planned:
            kind = planned.pop(0)
            if kind == "500":
                return JSONResponse({"detail": "internal error"}, status_code=500)
            if kind == "timeout":
                await asyncio.sleep(self.hang_seconds)
            if kind == "malformed":
                return Response('{"items": [{"registration_number": ', media_type="text/json")
            if kind == "shape":
                return JSONResponse({"grievances": [], "more": True})
        end = min(start + limit, len(self.items))
        return JSONResponse(
            {
                "items": self.items[start:end],
                "next_cursor": cursor_at(end),
                "has_more": end < len(self.items),
            }
        )

    async def _status(self, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"detail": "bad token"}, status_code=401)
        if self.status_failures > 0:
            self.status_failures -= 1
            return JSONResponse({"detail": "down"}, status_code=503)
        reference = request.path_params["reference"]
        known = {i.get("registration_number") for i in self.items if isinstance(i, dict)}
        if reference not in known:
            return JSONResponse({"detail": "no such grievance"}, status_code=404)
        body = await request.json()
        self.status_raw_paths.append(request.scope.get("raw_path", b"").decode())
        self.status_updates.append({"registration_number": reference, **body})
        return JSONResponse({"ok": True})


# --- rows as CPGRAMS sends them --------------------------------------------------------------

_EN = (
    "The buyer in {place} has not paid our invoices for {days} days despite reminders.",
    "Our PMEGP subsidy is pending for {days} days though the unit started production.",
    "The bank in {place} refuses the collateral-free loan under CGTMSE without reason.",
    "Udyam registration shows the wrong district for our unit in {place}, please correct.",
    "The officer at the DIC office in {place} asked for money to clear our file.",
)
_HI = (
    "{place} के खरीदार ने {days} दिनों से हमारे बिलों का भुगतान नहीं किया है।",
    "हमारी इकाई की सब्सिडी {days} दिनों से लंबित है, कृपया सहायता करें।",
    "{place} के बैंक ने बिना कारण मुद्रा ऋण देने से मना कर दिया है।",
)
_NAMES = ("Ravi Patel", "सुनीता देवी", "Mohammed Irfan", "Lakshmi Narayanan", "राजेश कुमार")


@dataclass(frozen=True)
class GeneratedRow:
    item: Any
    good: bool
    registration_number: str | None
    problem: str = ""  # what the pull should say, for bad rows


def grievance_rows(
    rng: random.Random, count: int, *, bad_share: float = 0.12, today: datetime
) -> list[GeneratedRow]:
    """``count`` rows of varied states, CPGRAMS category paths of the ministry (every path of
    ``routing/data/cpgrams_map.yaml`` in turn), English and Hindi texts, several date formats;
    about ``bad_share`` of them bad in one of several ways."""
    paths = sorted(entry.path for entry in load_directory().cpgrams.values())
    rows = []
    for n in range(count):
        reference = f"DMSME/E/{today.year}/{n + 1:07d}"
        filed = today - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        date = rng.choice(
            (
                filed.date().isoformat(),
                filed.strftime("%d/%m/%Y"),
                filed.strftime("%d-%m-%Y %H:%M:%S"),
                filed.isoformat(),
            )
        )
        state = rng.choice(STATES)
        text = rng.choice(_EN + _HI).format(place=state, days=rng.randint(30, 365))
        item: Any = {
            "registration_number": reference,
            "date": date,
            "name": rng.choice(_NAMES),
            "state": state,
            "district": "Central",
            "category_path": paths[n % len(paths)],
            "text": text,
        }
        if rng.random() < 0.5:
            item["mobile"] = f"98{rng.randint(10_000_000, 99_999_999)}"
        if rng.random() >= bad_share:
            rows.append(GeneratedRow(item, True, reference))
            continue
        kind = rng.choice(("state", "path", "short", "name", "future", "date", "not_object"))
        problem = {
            "state": "unknown state",
            "path": "is not one of the Ministry of MSME's",
            "short": "text shorter",
            "name": "missing name",
            "future": "in the future",
            "date": "is not a date",
            "not_object": "must be a JSON object",
        }[kind]
        if kind == "state":
            item["state"] = "Atlantis"
        elif kind == "path":
            item["category_path"] = "Ministry of Railways >> Catering"
        elif kind == "short":
            item["text"] = "too short"
        elif kind == "name":
            item["name"] = "N/A"
        elif kind == "future":
            item["date"] = (today + timedelta(days=3)).date().isoformat()
        elif kind == "date":
            item["date"] = "someday"
        else:
            rows.append(GeneratedRow([reference, state], False, None, problem))
            continue
        rows.append(GeneratedRow(item, False, reference, problem))
    return rows
