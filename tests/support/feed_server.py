"""Feeds served from 127.0.0.1 (a threaded ``http.server``), for the pulse's feed tests.

Each path has a behaviour: a good RSS or Atom feed (with an ETag and Last-Modified, answering
304 to a conditional request that matches), broken XML, a feed that never answers in time, one
that fails with 500 until told to recover. Every request's conditional headers are recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

ETAG = '"v1-abc"'
LAST_MODIFIED = "Mon, 02 Nov 2026 08:00:00 GMT"


@dataclass(frozen=True)
class Entry:
    title: str
    summary: str
    link: str
    published: datetime
    author: str = ""


def rss(entries: list[Entry]) -> bytes:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
        f"<description>{escape('<p>' + e.summary + '</p>')}</description>"
        f"<pubDate>{format_datetime(e.published)}</pubDate>"
        + (f"<author>{escape(e.author)}</author>" if e.author else "")
        + "</item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>MSME news</title><link>http://news.example/</link>{items}</channel></rss>"
    ).encode()


def atom(entries: list[Entry]) -> bytes:
    items = "".join(
        f'<entry><title>{escape(e.title)}</title><link href="{escape(e.link)}"/>'
        f"<id>{escape(e.link)}</id><updated>{e.published.isoformat()}</updated>"
        f"<summary>{escape(e.summary)}</summary>"
        + (f"<author><name>{escape(e.author)}</name></author>" if e.author else "")
        + "</entry>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>MSME blog</title><id>urn:blog</id><updated>2026-11-01T00:00:00Z</updated>"
        f"{items}</feed>"
    ).encode()


@dataclass
class FeedServer:
    """Paths: ``/rss``, ``/atom``, ``/broken``, ``/truncated``, ``/slow``, ``/flaky``."""

    rss_entries: list[Entry]
    atom_entries: list[Entry]
    flaky_fails: bool = True
    slow_seconds: float = 3.0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def seen(self, path: str) -> list[dict[str, str]]:
        """The conditional headers of each request to ``path``."""
        with self._lock:
            return [headers for p, headers in self.requests if p == path]

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append((path, headers))
        validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        if path in ("/rss", "/atom"):
            if headers.get("if-none-match") == ETAG:
                return 304, {"ETag": ETAG}, b""
            body = rss(self.rss_entries) if path == "/rss" else atom(self.atom_entries)
            return 200, {**validators, "Content-Type": "application/xml"}, body
        if path == "/broken":
            return 200, validators, b"<rss><channel><<<this is not xml at all &&&"
        if path == "/truncated":
            return 200, validators, rss(self.rss_entries)[:-40]
        if path == "/slow":
            self._release.wait(self.slow_seconds)
            return 200, {}, rss(self.rss_entries)
        if path == "/flaky":
            if self.flaky_fails:
                return 500, {}, b"internal error"
            return 200, validators, rss(self.rss_entries)
        return 404, {}, b"not found"

    @contextmanager
    def running(self) -> Iterator[FeedServer]:
        feeds = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                wanted = ("if-none-match", "if-modified-since")
                headers = {k.lower(): v for k, v in self.headers.items() if k.lower() in wanted}
                status, extra, body = feeds.answer(self.path.split("?")[0], headers)
                try:
                    self.send_response(status)
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the slow feed)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._release.set()
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def entries(prefix: str, texts: list[str], start: datetime, author: str = "") -> list[Entry]:
    """One entry per text, an hour apart, each with its own link."""
    return [
        Entry(
            title=text.split(".")[0],
            summary=text,
            link=f"http://news.example/{prefix}/{number}",
            published=(start - timedelta(hours=number)).astimezone(UTC),
            author=author,
        )
        for number, text in enumerate(texts)
    ]
