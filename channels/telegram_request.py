"""python-telegram-bot's HTTP layer on aiohttp: a ``telegram.request.BaseRequest``.

PTB lets the HTTP client under ``Bot`` be swapped (``Bot(token, request=...,
get_updates_request=...)``); everything above it (the Bot API methods, the parsing of answers,
``RetryAfter`` / ``Forbidden`` / ``BadRequest`` from the status and the body) stays PTB's own.
Why not PTB's default ``HTTPXRequest``: measured against the local fake Bot API
(docs/PERFORMANCE.md, "Channels"), httpx costs about 0.8 ms of CPU per request with one in
flight and 1.2-2.5 ms with 6-32 in flight (its connection pool re-checks every pooled socket
for each request), aiohttp 0.16-0.19 ms; the gateway's replies and the worker's notifications
are nearly all ``sendMessage`` calls, so that was most of their cost. aiohttp is already a
dependency (twilio's async client).

Requests are sent as PTB's ``HTTPXRequest`` sends them: form-encoded parameters (each value
JSON-encoded by PTB), multipart when files are attached.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _given(value: Any, default: float | None) -> float | None:
    """A timeout passed to a Bot method, or this request's default when none was."""
    return default if value is BaseRequest.DEFAULT_NONE else value


class AiohttpRequest(BaseRequest):
    """One aiohttp session with at most ``connection_pool_size`` connections.

    The timeouts mean what they mean for ``HTTPXRequest``: ``connect_timeout`` for opening a
    connection, ``read_timeout`` between reads of the answer, ``pool_timeout`` for waiting
    for a free connection; ``write_timeout`` (aiohttp has no write timeout of its own) bounds
    the whole request together with the others, so that nothing can hang forever.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # The session belongs to the running event loop: made here, not in __init__.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0),
                headers={"User-Agent": self.USER_AGENT},
                # Bot API answers are JSON we parse ourselves; no cookies to keep.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(
        self, read: Any, write: Any, connect: Any, pool: Any, has_files: bool
    ) -> aiohttp.ClientTimeout:
        read_s = _given(read, self._read_timeout)
        connect_s = _given(connect, self._connect_timeout)
        pool_s = _given(pool, self._pool_timeout)
        write_s = _given(write, self._media_write_timeout if has_files else self._write_timeout)
        given = [part for part in (read_s, write_s, connect_s, pool_s) if part is not None]
        total = sum(given) if len(given) == 4 else None
        return aiohttp.ClientTimeout(
            total=total,
            # aiohttp's ``connect`` includes waiting for a connection from the pool.
            connect=None if pool_s is None or connect_s is None else pool_s + connect_s,
            sock_connect=connect_s,
            sock_read=read_s,
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        # PTB's ``ODVInput[float]``: a float, None (no limit) or ``DEFAULT_NONE`` (ours).
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            await self.initialize()
        assert self._session is not None
        data: Any = None
        has_files = bool(request_data and request_data.contains_files)
        if request_data is not None:
            if has_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mime_type) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mime_type)
                data = form
            else:
                data = request_data.json_parameters or None
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, has_files
        )
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
