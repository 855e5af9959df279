"""A report job's language (docs/report.md): a column beside the one in its input, so the Report
card and the API show it without loading the whole input. Jobs made before it were all in the
language their input names (the site's language, English)."""

from django.db import migrations, models


def language_from_input(apps, schema_editor):
    ReportJob = apps.get_model("reports", "ReportJob")
    for job in ReportJob.objects.only("pk", "report_input").iterator():
        language = (job.report_input or {}).get("language")
        if language and language != "en":
            ReportJob.objects.filter(pk=job.pk).update(language=language)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_report_jobs_from_scorecard"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportjob",
            name="language",
            field=models.CharField(
                choices=[
                    ("ar", "العربية"),
                    ("zh-hans", "中文"),
                    ("en", "English"),
                    ("fr", "Français"),
                    ("ru", "Русский"),
                    ("es", "Español"),
                ],
                default="en",
                max_length=10,
                verbose_name="language",
            ),
        ),
        migrations.RunPython(language_from_input, migrations.RunPython.noop, elidable=True),
    ]
