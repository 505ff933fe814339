# A capture's page is no longer hashed as media: its MD5, SHA-1 and PDQ moved to its items
# (lists 0004 made an item of every image answer first). Its SHA-256 stays as evidence.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("capture", "0002_items"),
        ("lists", "0006_items_and_bank_settings"),
    ]

    operations = [
        migrations.RemoveField(model_name="capture", name="md5"),
        migrations.RemoveField(model_name="capture", name="sha1"),
        migrations.RemoveField(model_name="capture", name="pdq"),
        migrations.RemoveField(model_name="capture", name="pdq_quality"),
        migrations.AlterField(
            model_name="capture", name="case",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="captures", to="cases.case"),
        ),
    ]
