"""Where a grievance would go, before it is filed."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from backend.api.deps import TriageDep
from backend.api.schemas import DepartmentView, RoutePreview, RoutePreviewRequest, UrgencyView
from backend.triage import Triage
from routing.rules import RouteDecision
from routing.urgency import Urgency

router = APIRouter(prefix="/api/v1/route", tags=["service: routing"])


@router.post("/preview", response_model=RoutePreview)
async def preview(body: RoutePreviewRequest, triage: TriageDep) -> RoutePreview:
    decision, urgency = await run_in_threadpool(
        _route_and_urgency, triage, body.category, body.state, body.description
    )
    department = triage.directory.departments[decision.department_code]
    return RoutePreview(
        department=DepartmentView.of(department),
        category=decision.category,
        confidence=round(float(decision.confidence), 3),
        reason=decision.reason,
        urgency=UrgencyView(level=urgency.level, reasons=list(urgency.reasons)),
    )


def _route_and_urgency(
    triage: Triage, category: str | None, state: str | None, description: str
) -> tuple[RouteDecision, Urgency]:
    # One trip to the thread pool; the urgency model reuses the vector routing just computed.
    return triage.route(category, state, description), triage.urgency(description)
