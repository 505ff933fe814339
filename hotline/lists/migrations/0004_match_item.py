# Matches will point at captured items (see 0005 and 0006); first the new column.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("lists", "0003_members_moved"),
        ("capture", "0002_items"),
    ]

    operations = [
        migrations.AddField(
            model_name="match", name="item",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="matches", to="capture.captureitem"),
        ),
    ]
