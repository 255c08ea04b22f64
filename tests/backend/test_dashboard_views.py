"""What the dashboard's pages show (``backend/dashboard/views.py``) and how a page is
rendered (``backend/dashboard/pages.py``): read from the query string, no server needed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from backend.api.schemas import AdminTicketPage
from backend.dashboard import views
from backend.dashboard.pages import due_text
from backend.models import Officer
from backend.stats_scope import DepartmentOutOfScope, UnknownDepartment
from routing.lifecycle import Status

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def officer(role: str) -> Officer:
    return Officer(name="x", department_code="MSEFC-MH", role=role, token_hash="h")


def test_page_number_is_bounded_and_forgiving() -> None:
    assert views.page_number({}) == 1
    assert views.page_number({"page": "3"}) == 3
    assert views.page_number({"page": "0"}) == 1
    assert views.page_number({"page": "9999999"}) == 100_000
    assert views.page_number({"page": "two"}) == 1


def test_queue_filters_read_the_query_string() -> None:
    params = {"status": "routed", "category": "delayed_payment", "overdue": "on", "department": "X"}
    filters = views.queue_filters(params, officer("officer"))
    assert filters.status == Status.ROUTED and filters.category == "delayed_payment"
    assert filters.overdue is True and filters.escalated is None
    # Only leadership picks a department; a status shows closed tickets too.
    assert filters.department is None and not filters.open_only
    lead = views.queue_filters({"department": "NSIC", "category": "nope"}, officer("leadership"))
    assert lead.department == "NSIC" and lead.category is None and lead.open_only
    assert not views.queue_filters({"show": "all"}, officer("officer")).open_only
    assert views.queue_filters({"status": "nonsense"}, officer("officer")).status is None


def test_page_links_keep_the_other_parameters() -> None:
    result = AdminTicketPage(tickets=[], page=2, page_size=50, total=120)
    links = views.page_links({"status": "routed", "page": "2", "state": ""}, 2, result)
    assert links.prev_url == "?status=routed&page=1"
    assert links.next_url == "?status=routed&page=3"
    last = views.page_links({}, 3, result)
    assert last.prev_url == "?page=2" and last.next_url is None
    assert views.page_links({}, 1, AdminTicketPage(tickets=[], page=1, page_size=50, total=3)) == (
        views.PageLinks(prev_url=None, next_url=None)
    )


def test_heatmap_counts_by_state_and_category() -> None:
    grid = views.heatmap([["Gujarat", "delayed_payment", 4], ["Assam", "delayed_payment", 1]])
    assert grid["states"] == ["Assam", "Gujarat"]
    assert grid["categories"] == ["delayed_payment"]
    assert grid["cell"]("Gujarat", "delayed_payment") == 4
    assert grid["cell"]("Assam", "other") == 0


def test_scope_refusals_read_as_sentences() -> None:
    assert views.scope_refusal(DepartmentOutOfScope("MSEFC-MH")) == (
        403,
        "You can see your own department's figures only.",
    )
    assert views.scope_refusal(UnknownDepartment()) == (
        422,
        "There is no department with that code.",
    )


def test_due_text_says_how_far_a_deadline_is() -> None:
    assert due_text(NOW + timedelta(days=2, hours=3), NOW) == "in 2d 3h"
    assert due_text(NOW + timedelta(hours=5, minutes=7), NOW) == "in 5h 7m"
    assert due_text(NOW - timedelta(minutes=45), NOW) == "0h 45m ago"
