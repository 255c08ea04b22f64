"""Signing in and out of the dashboard, and the signed-in officer every other page needs.

The cookie and form tokens themselves are ``backend/dashboard/session.py``; here is what the
browser sees: the sign-in form, the redirect to it (``to_sign_in``) and the CSRF check.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.api.deps import FactoryDep, NowDep, SettingsDep
from backend.auth import end_sessions, officer_for_token
from backend.dashboard.pages import render
from backend.dashboard.session import (
    COOKIE,
    LIFETIME,
    LOGIN_COOKIE,
    csrf_ok,
    new_login_nonce,
    officer_for_cookie,
    session_cookie,
)
from backend.db import transaction
from backend.models import Officer
from core.config import Settings

router = APIRouter(include_in_schema=False)


class SignInRequired(Exception):
    pass


def signed_in_officer(
    request: Request, factory: FactoryDep, settings: SettingsDep, now: NowDep
) -> Officer:
    """The officer of the session cookie; pages that need one take ``SignedInOfficer``, and
    without a valid cookie the app sends the browser to the sign-in page (``to_sign_in``)."""
    with factory() as session:
        officer = officer_for_cookie(
            session, settings.service_token, request.cookies.get(COOKIE), now
        )
        if officer is not None:
            session.expunge(officer)
    if officer is None:
        raise SignInRequired
    return officer


SignedInOfficer = Annotated[Officer, Depends(signed_in_officer)]


def to_sign_in(request: Request, _error: Exception) -> Response:
    """The app's handler for ``SignInRequired``: back to this page after signing in."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/dashboard/login?next={quote(target)}", status.HTTP_303_SEE_OTHER)


def require_csrf(request: Request, settings: Settings, presented: str) -> None:
    """A form posted from a page of this session, or 403."""
    if not csrf_ok(settings.service_token, request.cookies.get(COOKIE), presented):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form expired; reload the page")


def _secure(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.public_base_url.startswith("https://")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep, now: NowDep, next: str = "") -> Response:
    nonce = new_login_nonce()
    response = render(request, "login.html", settings, None, now, nonce=nonce, next=next)
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=1800,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
        path="/dashboard",
    )
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=200)] = "",
    nonce: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not nonce or expected != nonce:
        return render(
            request,
            "login.html",
            settings,
            None,
            now,
            403,
            nonce=expected,
            next=next,
            error="The sign-in form expired. Please try again.",
        )
    with factory() as session:
        officer = officer_for_token(session, token.strip()) if token.strip() else None
        if officer is not None:
            session.expunge(officer)
    if officer is None:
        return render(
            request,
            "login.html",
            settings,
            None,
            now,
            401,
            nonce=expected,
            next=next,
            error="That officer token is unknown or revoked.",
        )
    # Only go back to a page of the dashboard (no open redirect).
    target = next if next.startswith("/dashboard/") and "//" not in next else "/dashboard/"
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE,
        session_cookie(settings.service_token, officer, now),
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/dashboard")
    return response


@router.post("/logout")
def logout(
    request: Request,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign out on the server, not only in this browser: a copied cookie stops working too
    (and so do the officer's sessions in other browsers; ``end_sessions``)."""
    require_csrf(request, settings, csrf)
    with transaction(factory) as session:
        officer = officer_for_cookie(
            session, settings.service_token, request.cookies.get(COOKIE), now
        )
        if officer is not None:
            end_sessions(session, officer.id)
    response = RedirectResponse("/dashboard/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response
