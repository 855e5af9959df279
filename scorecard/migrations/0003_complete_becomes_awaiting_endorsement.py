"""The first release had draft/complete; "complete" meant ready for the UNCT, which is now the
"awaiting_endorsement" state of the review workflow. Re-runnable."""

from django.db import migrations


def forwards(apps, schema_editor):
    Assessment = apps.get_model("scorecard", "Assessment")
    Assessment.objects.filter(status="complete").update(status="awaiting_endorsement")


def backwards(apps, schema_editor):
    Assessment = apps.get_model("scorecard", "Assessment")
    Assessment.objects.exclude(status="draft").update(status="complete")


class Migration(migrations.Migration):
    dependencies = [
        ("scorecard", "0002_review_workflow_history_withdrawal"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
