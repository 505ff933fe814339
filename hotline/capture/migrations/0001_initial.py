# Capture moved here from the lists app with its table (lists_capture): only Django's model
# state changes in this migration.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("cases", "0005_casereport_portal"),
        ("lists", "0003_members_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Capture",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("url", models.TextField()),
                        ("fetched_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("status", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("content_type", models.CharField(blank=True, max_length=200)),
                        ("size", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("md5", models.CharField(blank=True, max_length=32)),
                        ("sha1", models.CharField(blank=True, max_length=40)),
                        ("sha256", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("pdq", models.CharField(blank=True, max_length=64)),
                        ("pdq_quality", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.case")),
                    ],
                    options={"ordering": ["-fetched_at"], "db_table": "lists_capture"},
                ),
            ],
        ),
    ]
