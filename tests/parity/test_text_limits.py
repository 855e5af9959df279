"""The parity strategy tracker's texts have their model fields' limits (core/limits.py): a
strategy document with an over-long text is refused whole, saying where, and nothing is written."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from core.limits import MEDIUM_TEXT
from parity import services
from parity.models import EntityWorkforceShare, ParityRecommendation, RecommendationUpdate
from tests.factories import UNEntityFactory
from tests.parity.test_strategy import DOCUMENT


def test_a_strategy_document_with_an_over_long_text_is_refused_whole(db):
    UNEntityFactory(acronym="UN Women", name="UN Women")
    document = json.loads(DOCUMENT.read_text("utf-8"))
    document["recommendations"][1]["updates"][0]["notes"] = "x" * (MEDIUM_TEXT + 1)
    document["recommendations"][2]["text"] = "y" * (MEDIUM_TEXT + 1)

    with pytest.raises(ValidationError) as raised:
        services.load_strategy_document(document=document)

    too_long = f"Ensure this value has at most {MEDIUM_TEXT} characters (it has {MEDIUM_TEXT + 1})."
    assert raised.value.messages == [
        f"recommendations[2].updates[1].notes: {too_long}",
        f"recommendations[3].text: {too_long}",
    ]
    assert not ParityRecommendation.objects.exists()
    assert not RecommendationUpdate.objects.exists()
    assert not EntityWorkforceShare.objects.exists()


def test_the_strategy_document_is_within_the_limits(db):
    UNEntityFactory(acronym="UN Women", name="UN Women")
    document = json.loads(DOCUMENT.read_text("utf-8"))

    assert services.load_strategy_document(document=document) == (6, 6, 1)
