# A capture records the page and each media item it shows (hashes only).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("capture", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="capture", name="final_url",
                            field=models.TextField(blank=True, help_text="After redirects.")),
        migrations.AddField(model_name="capture", name="sniffed",
                            field=models.CharField(blank=True, help_text="The type its bytes show, whatever the header says.", max_length=100)),
        migrations.AddField(model_name="capture", name="items_found",
                            field=models.PositiveIntegerField(default=0)),
        migrations.AddField(model_name="capture", name="items_truncated",
                            field=models.BooleanField(default=False, help_text="The page showed more items than one capture fetches.")),
        migrations.CreateModel(
            name="CaptureItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                ("url", models.TextField()),
                ("source", models.CharField(max_length=20)),
                ("status", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("content_type", models.CharField(blank=True, max_length=200)),
                ("sniffed", models.CharField(blank=True, max_length=100)),
                ("media", models.CharField(blank=True, choices=[("image", "Image"), ("video", "Video"), ("", "Not media")], max_length=5)),
                ("size", models.PositiveBigIntegerField(blank=True, null=True)),
                ("md5", models.CharField(blank=True, max_length=32)),
                ("sha1", models.CharField(blank=True, max_length=40)),
                ("sha256", models.CharField(blank=True, db_index=True, max_length=64)),
                ("pdq", models.CharField(blank=True, max_length=64)),
                ("pdq_quality", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("error", models.CharField(blank=True, max_length=300)),
                ("capture", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="items", to="capture.capture")),
            ],
            options={"ordering": ["capture", "position"]},
        ),
        migrations.AddConstraint(
            model_name="captureitem",
            constraint=models.UniqueConstraint(fields=("capture", "position"), name="one_item_per_position"),
        ),
    ]
