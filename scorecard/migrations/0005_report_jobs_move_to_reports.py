"""ReportJob now lives in the reports app (reports 0001 takes its state and renames its table):
the scorecard forgets it without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('scorecard', '0004_report_jobs'),
        ('reports', '0001_report_jobs_from_scorecard'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ReportJob')],
            database_operations=[],
        ),
    ]
