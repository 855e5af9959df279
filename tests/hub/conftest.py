"""The hub's fixtures: items of Kazakhstan's team at each step of their way to the hub."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hub import services
from hub.models import Practice
from scorecard import services as scorecard_services
from scorecard.models import Indicator

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def pi(framework) -> Indicator:
    return Indicator.objects.get(framework=framework, code="1.1")


@pytest.fixture
def make_practice(team, iat, coordinator, reviewer, admin_user, pi):
    """make_practice(status=…, **fields): a good practice of Kazakhstan's team by `iat`, taken
    through the services to `status`."""

    def make(status: str = Practice.Status.PUBLISHED, **fields) -> Practice:
        values = {
            "country_team": team,
            "by": iat,
            "title": "A gender strategy",
            "summary": "The team wrote a strategy.",
            "what_done": "",
            "result": "",
            "indicators": [pi],
            "dimension": None,
            "year": 2024,
            "language": "en",
        } | fields
        practice = services.propose_practice(**values)
        Status = Practice.Status
        if status == Status.PROPOSED:
            return practice
        if status == Status.REFUSED:
            return services.refuse_by_team(practice=practice, by=coordinator, reason="No")
        practice = services.agree_by_team(practice=practice, by=coordinator)
        if status == Status.AGREED:
            return practice
        practice = services.publish(practice=practice, by=reviewer)
        if status == Status.WITHDRAWN:
            return services.withdraw(practice=practice, by=values["by"])
        if status == Status.RETIRED:
            return services.retire(practice=practice, by=admin_user)
        return practice

    return make


@pytest.fixture
def evidence(assessment, iat, pi):
    row = assessment.indicator_assessments.get(indicator=pi)
    return scorecard_services.add_evidence(
        row=row,
        by=iat,
        title="Gender strategy 2024",
        category=None,
        file=SimpleUploadedFile("strategy.pdf", PDF, content_type="application/pdf"),
    )
