"""The topics the scheme search declines (``backend/schemes/topics.py``): refused unless a
scheme is named, and never a question the knowledge base or the dev set asks."""

from __future__ import annotations

from pathlib import Path

from backend.schemes.evaluation import load_devset
from backend.schemes.knowledge import load_knowledge_base
from backend.schemes.topics import DECLINED_TOPICS, TopicFilter


def test_declined_topics_are_refused_unless_a_scheme_is_named(tmp_path: Path) -> None:
    kb = load_knowledge_base()
    topics = TopicFilter(kb, DECLINED_TOPICS)
    assert topics.declines("what are the income tax slabs")
    assert topics.declines("पासपोर्ट कैसे बनवाएं")
    assert topics.declines("GST rate on garments")
    # Naming a scheme (any script) keeps the question in: section 43B(h) is about payments.
    assert not topics.declines("section 43B(h) income tax on late payment to msme")
    assert not topics.declines("mudra loan instead of a home loan")
    assert not topics.declines("how much mudra loan can I get")
    assert topics.declines("aadhaar card me mobile number kaise badle")
    assert topics.declines("fssai licence for my tiffin service")
    assert topics.declines("पर्सनल लोन कैसे मिलेगा")
    assert not topics.declines("udyam registration me aadhaar card me naam galat hai")


def test_no_question_the_knowledge_base_answers_is_declined() -> None:
    """The topic list must never refuse what the knowledge base or the dev set asks for."""
    kb = load_knowledge_base()
    topics = TopicFilter(kb, DECLINED_TOPICS)
    phrasings = [question for scheme in kb for entry in scheme.faq for question in entry.questions]
    assert [question for question in phrasings if topics.declines(question)] == []
    devset = Path(__file__).resolve().parents[2] / "bench/data/schemes_devset.yaml"
    in_scope = [q.text for q in load_devset(devset) if q.scheme_id is not None]
    assert [question for question in in_scope if topics.declines(question)] == []
