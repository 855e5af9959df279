"""ReportJob moved from scorecard to reports (reports 0001, scorecard 0005): a database on the
schema of before, holding report jobs of every kind and status, keeps every row and its file
after `migrate`, and the admin's content type follows the model."""

from __future__ import annotations

import pytest
from django.utils import timezone

BEFORE = [("scorecard", "0004_report_jobs"), ("contenttypes", "0002_remove_content_type_name")]
AFTER = [
    ("reports", "0001_report_jobs_from_scorecard"),
    ("scorecard", "0005_report_jobs_move_to_reports"),
]

JOBS = [
    # kind, status, content hash, file
    ("draft", "done", "a" * 64, "reports/KAZ-2022-" + "1" * 64 + ".pdf"),
    ("draft", "queued", "b" * 64, ""),
    ("as_submitted", "done", "c" * 64, "reports/KAZ-2022-" + "2" * 64 + ".pdf"),
    ("as_approved", "failed", "d" * 64, ""),
]


@pytest.mark.django_db(transaction=True)
def test_report_jobs_keep_their_rows_when_they_move_to_the_reports_app(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    Region = old.apps.get_model("core", "Region")
    CountryTeam = old.apps.get_model("core", "CountryTeam")
    Framework = old.apps.get_model("scorecard", "Framework")
    Assessment = old.apps.get_model("scorecard", "Assessment")
    OldJob = old.apps.get_model("scorecard", "ReportJob")
    ContentType = old.apps.get_model("contenttypes", "ContentType")
    region = Region.objects.create(code="eca", name="Europe and Central Asia")
    team = CountryTeam.objects.create(code="KAZ", name="Kazakhstan", region=region)
    framework = Framework.objects.create(version="2018", name="UNCT-SWAP 2018")
    assessment = Assessment.objects.create(
        country_team=team, year=2022, kind="annual", framework=framework, status="approved"
    )
    ContentType.objects.get_or_create(app_label="scorecard", model="reportjob")
    made = {}
    for kind, status, digest, file in JOBS:
        job = OldJob.objects.create(
            assessment=assessment,
            kind=kind,
            status=status,
            requested_at=timezone.now(),
            content_hash=digest,
            framework_version="2018",
            report_input={"document": {"year": 2022}},
            file=file,
            pages=29 if file else None,
        )
        made[job.pk] = (kind, status, digest, file)

    new = migrator.apply_tested_migration(AFTER)

    Job = new.apps.get_model("reports", "ReportJob")
    kept = {
        job.pk: (job.kind, job.status, job.content_hash, job.file.name) for job in Job.objects.all()
    }
    assert kept == made
    assert {job.assessment_id for job in Job.objects.all()} == {assessment.pk}
    assert Job.objects.get(kind="as_submitted").report_input == {"document": {"year": 2022}}
    assert Job._meta.db_table == "reports_reportjob"
    assert "ReportJob" not in {
        m.__name__ for m in new.apps.get_app_config("scorecard").get_models()
    }
    types = new.apps.get_model("contenttypes", "ContentType").objects
    assert types.filter(app_label="reports", model="reportjob").exists()
    assert not types.filter(app_label="scorecard", model="reportjob").exists()
