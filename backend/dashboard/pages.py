"""Rendering a dashboard page: the templates, their filters, and what every page is given
(the signed-in officer, the form token, the time and how far a deadline is from it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from backend.dashboard.session import COOKIE, csrf_token
from backend.models import Officer
from core.config import Settings
from routing import sla
from routing.lifecycle import Status
from routing.urgency import REASON_TITLES

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
# Reason codes of routing/urgency.py as officers read them.
templates.env.filters["urgency_reason"] = lambda code: REASON_TITLES.get(code, code)
templates.env.globals["sla_clock"] = lambda status: sla.running_clock(Status(status))

OUT_OF_SCOPE = "This ticket belongs to another department. The attempt was recorded."


def render(
    request: Request,
    template: str,
    settings: Settings,
    officer: Officer | None,
    now: datetime,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page, never cached (it shows one officer's tickets)."""
    cookie = request.cookies.get(COOKIE, "")
    return templates.TemplateResponse(
        request,
        template,
        {
            "officer": officer,
            "csrf": csrf_token(settings.service_token, cookie) if officer else "",
            "now": now,
            "due": lambda moment: due_text(moment, now),
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def error_page(
    request: Request,
    settings: Settings,
    officer: Officer,
    now: datetime,
    status_code: int,
    message: str,
) -> HTMLResponse:
    return render(request, "error.html", settings, officer, now, status_code, message=message)


def due_text(moment: datetime, now: datetime) -> str:
    """How far a deadline is from now: "in 2d 3h", "45m ago"..."""
    seconds = (moment - now).total_seconds()
    days, rest = divmod(abs(int(seconds)), 86400)
    hours = rest // 3600
    span = f"{days}d {hours}h" if days else f"{hours}h {rest % 3600 // 60}m"
    return f"in {span}" if seconds >= 0 else f"{span} ago"
