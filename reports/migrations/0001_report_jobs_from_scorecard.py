"""ReportJob moves from scorecard to reports with its rows.

The model's state moves (CreateModel here, DeleteModel in scorecard 0005, both state-only);
the table is then renamed from scorecard_reportjob to reports_reportjob, and the content type
(which the admin's permissions point at) follows to the new app.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="scorecard", model="reportjob")
    if not ContentType.objects.filter(app_label="reports", model="reportjob").exists():
        old.update(app_label="reports")


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    new = ContentType.objects.filter(app_label="reports", model="reportjob")
    if not ContentType.objects.filter(app_label="scorecard", model="reportjob").exists():
        new.update(app_label="scorecard")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('scorecard', '0004_report_jobs'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('draft', 'Report'), ('as_submitted', 'As submitted'), ('as_approved', 'As approved')], default='draft', max_length=20, verbose_name='kind')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Rendering'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=20, verbose_name='status')),
                        ('requested_at', models.DateTimeField(verbose_name='requested at')),
                        ('dispatched_at', models.DateTimeField(blank=True, null=True, verbose_name='sent to the report service at')),
                        ('dispatch_attempted_at', models.DateTimeField(blank=True, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                        ('error', models.TextField(blank=True, verbose_name='why it failed')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('worker', models.CharField(blank=True, max_length=200)),
                        ('content_hash', models.CharField(db_index=True, max_length=64, verbose_name='content hash')),
                        ('framework_version', models.CharField(max_length=20, verbose_name='framework version')),
                        ('report_input', models.JSONField(default=dict, verbose_name='report input')),
                        ('file', models.FileField(blank=True, max_length=200, upload_to='', verbose_name='file')),
                        ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                        ('size', models.PositiveIntegerField(blank=True, null=True, verbose_name='size in bytes')),
                        ('pages', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='pages')),
                        ('render_seconds', models.FloatField(blank=True, null=True, verbose_name='render time (s)')),
                        ('assessment', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='report_jobs', to='scorecard.assessment')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'scorecard_reportjob',
                        'verbose_name': 'report job',
                        'verbose_name_plural': 'report jobs',
                        'ordering': ['-requested_at', '-pk'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'draft'), _negated=True), fields=('assessment', 'kind', 'content_hash'), name='reportjob_frozen_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='reportjob', table=None),
        migrations.RunPython(move_content_type, content_type_back),
    ]
