"""Scheme questions: the knowledge-base search the assistant calls (service API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, StringConstraints

from backend.schemes.search import LazySchemeSearch, SchemeSearch

router = APIRouter(prefix="/api/v1/schemes", tags=["service: schemes"])

# A question typed on a phone; anything longer is a paste, not a question, and would only
# cost encoding time.
MAX_QUERY_CHARS = 500
SchemeQuery = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUERY_CHARS),
    Query(description="The entrepreneur's question, in English, Hindi or Hinglish"),
]
ResultCount = Annotated[int, Query(ge=1, le=10, description="How many schemes to return")]


class SchemeHit(BaseModel):
    scheme_id: str
    title: str
    answer: str
    url: str
    score: float


class SchemeSearchResponse(BaseModel):
    answered: bool
    results: list[SchemeHit]


def get_scheme_search(request: Request) -> SchemeSearch:
    """The engine in ``app.state.scheme_search``: built, or built lazily on first use."""
    engine = getattr(request.app.state, "scheme_search", None)
    if isinstance(engine, LazySchemeSearch):
        return engine.get()
    if isinstance(engine, SchemeSearch):
        return engine
    raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "scheme search is not configured")


SchemeSearchDep = Annotated[SchemeSearch, Depends(get_scheme_search)]


# A plain def: FastAPI runs it in the thread pool, so encoding the question (CPU-bound, about
# 10 ms) never blocks the event loop.
@router.get("/search", response_model=SchemeSearchResponse)
def search_schemes(
    q: SchemeQuery, engine: SchemeSearchDep, k: ResultCount = 3
) -> SchemeSearchResponse:
    answer = engine.search(q, k)
    return SchemeSearchResponse(
        answered=answer.answered,
        results=[
            SchemeHit(
                scheme_id=result.scheme_id,
                title=result.title,
                answer=result.answer,
                url=result.url,
                score=result.score,
            )
            for result in answer.results
        ],
    )
