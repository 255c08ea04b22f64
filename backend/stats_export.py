"""A table of figures as a CSV download, for the admin API and the dashboard alike."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from urllib.parse import quote

from fastapi.responses import Response

from backend.analytics import Table

# What may stand unquoted in a download's file name: nothing that ends a quoted string or a
# header line, nothing a browser reads as a path.
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def csv_download(name: str, figures: Table, scope: str | None, now: datetime) -> Response:
    """A table as a CSV download named after it, its scope and the day."""
    filename = f"{name}{'-' + scope if scope else ''}-{now.date().isoformat()}.csv"
    return Response(
        table_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(filename)},
    )


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def content_disposition(filename: str) -> str:
    """An attachment header per RFC 6266: the name in ASCII (unsafe characters as "_") as a
    quoted string, and, only when that changed it, the exact name as ``filename*``
    (RFC 8187, percent-encoded UTF-8, so no quote, CR or LF can reach the header)."""
    plain = _FILENAME_UNSAFE.sub("_", filename)
    value = f'attachment; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
