# The Member and ApiKey models moved here from the lists app (which closed a model loop:
# intake → lists → cases → intake). Their tables stay as they were: this migration only tells
# Django's model state where they live now; the database is not touched.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("lists", "0002_member_permissions"),
        ("portals", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Member",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, unique=True, verbose_name="name")),
                        ("contact", models.EmailField(blank=True, max_length=254, verbose_name="contact")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("may_download_lists", models.BooleanField(default=True, verbose_name="may download the lists")),
                        ("may_submit", models.BooleanField(default=False, help_text="Trusted intake: partner hotlines and companies submitting URLs.", verbose_name="may submit reports")),
                        ("may_export", models.BooleanField(default=False, help_text="XARF export of any confirmed case (without it: only cases of the member's own reports).", verbose_name="may export confirmed cases")),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("portal", models.ForeignKey(blank=True, help_text="The portal whose figures count this member's reports.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="portals.portal", verbose_name="portal")),
                    ],
                    options={"db_table": "lists_member"},
                ),
                migrations.CreateModel(
                    name="ApiKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("prefix", models.CharField(max_length=12, unique=True)),
                        ("digest", models.CharField(max_length=64)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("last_used", models.DateTimeField(blank=True, null=True)),
                        ("member", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="keys", to="members.member")),
                    ],
                    options={"verbose_name": "API key", "db_table": "lists_apikey"},
                ),
            ],
        ),
    ]
