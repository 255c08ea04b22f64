"""Admin view of the outbox: dead letters and their retry."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, status
from sqlalchemy import select

from backend.api.deps import FactoryDep, NowDep, OfficerDep
from backend.api.schemas import NotificationView
from backend.models import Notification
from backend.outbox import retry_dead

router = APIRouter(prefix="/admin/v1/notifications", tags=["admin: notifications"])

NotificationStatus = Literal["pending", "sending", "sent", "dead", "undeliverable"]


def _leadership_only(officer: OfficerDep) -> None:
    if officer.role != "leadership":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "leadership only")


@router.get("", response_model=list[NotificationView])
def list_notifications(
    officer: OfficerDep,
    factory: FactoryDep,
    status_: Annotated[NotificationStatus, Query(alias="status")] = "dead",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationView]:
    _leadership_only(officer)
    with factory() as session:
        rows = session.scalars(
            select(Notification)
            .where(Notification.status == status_)
            .order_by(Notification.id.desc())
            .limit(limit)
        ).all()
        return [NotificationView.model_validate(r, from_attributes=True) for r in rows]


@router.post("/{notification_id}/retry", response_model=NotificationView)
def retry(
    # Bounded to a 64-bit id: larger numbers made the database driver overflow (a 500).
    notification_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    officer: OfficerDep,
    factory: FactoryDep,
    now: NowDep,
) -> NotificationView:
    _leadership_only(officer)
    with factory() as session, session.begin():
        row = retry_dead(session, notification_id, now)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such notification")
        return NotificationView.model_validate(row, from_attributes=True)
