"""Where a grievance would go, before it is filed."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from backend.api.deps import TriageDep
from backend.api.schemas import DepartmentView, RoutePreview, RoutePreviewRequest

router = APIRouter(prefix="/api/v1/route", tags=["service: routing"])


@router.post("/preview", response_model=RoutePreview)
async def preview(body: RoutePreviewRequest, triage: TriageDep) -> RoutePreview:
    decision = await run_in_threadpool(triage.route, body.category, body.state, body.description)
    department = triage.directory.departments[decision.department_code]
    return RoutePreview(
        department=DepartmentView.of(department),
        category=decision.category,
        confidence=round(float(decision.confidence), 3),
        reason=decision.reason,
    )
