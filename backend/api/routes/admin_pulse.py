"""The pulse of the MSME sector (issue 16): read news, posts and tweets, leadership only.

``POST /admin/v1/pulse/classify`` reads each item with the pulse reader (``pulse/reader.py``):
relevance to MSMEs, category, state, sentiment, emotion, language, in the order given. The
reader is fitted once per process (at warm-up when the service warms up, else on the first
call); the reading runs off the event loop.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from backend.api.deps import OfficerDep
from pulse.reader import Reading, shipped_reader

PREFIX = "/admin/v1/pulse"
MAX_ITEMS = 500
MAX_TEXT_CHARS = 5000

router = APIRouter(prefix=PREFIX, tags=["admin: pulse"])


def leadership_only(officer: OfficerDep) -> None:
    if officer.role != "leadership":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the pulse is for ministry leadership")


class PulseItem(BaseModel):
    text: str
    source: str | None = Field(default=None, max_length=40, description="news, tweet, forum...")

    @field_validator("text")
    @classmethod
    def _text_bounded(cls, text: str) -> str:
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(
                f"a text may have at most {MAX_TEXT_CHARS:,} characters; this one has "
                f"{len(text):,} (send the first part, or split it)"
            )
        return text


class ClassifyRequest(BaseModel):
    items: list[PulseItem]

    @field_validator("items")
    @classmethod
    def _batch_bounded(cls, items: list[PulseItem]) -> list[PulseItem]:
        if not items:
            raise ValueError("send at least one item")
        if len(items) > MAX_ITEMS:
            raise ValueError(
                f"at most {MAX_ITEMS} items per call; this call has {len(items)} (split the batch)"
            )
        return items


class PulseReading(BaseModel):
    relevant: bool
    category: str | None = Field(description="a category code for relevant items, else null")
    state: str | None = Field(description="the state or UT the item concerns, else null")
    sentiment: Literal["negative", "neutral", "positive"]
    emotion: Literal["none", "anger", "anxiety", "distress", "hope", "satisfaction"]
    language: Literal["en", "hi", "hinglish"]


class ClassifyResponse(BaseModel):
    items: list[PulseReading]


def _read(texts: list[str]) -> list[Reading]:
    return shipped_reader().read_many(texts)


@router.post("/classify", dependencies=[Depends(leadership_only)])
async def classify(body: ClassifyRequest) -> ClassifyResponse:
    """One reading per item, in the order of the items."""
    readings = await run_in_threadpool(_read, [item.text for item in body.items])
    return ClassifyResponse(
        items=[PulseReading.model_validate(reading.as_dict()) for reading in readings]
    )
