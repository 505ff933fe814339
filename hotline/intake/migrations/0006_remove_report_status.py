# A report's status is derived on read from its cases (hotline/cases/progress.py) instead of
# being stored here and refreshed from many places.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0005_member_moved"),
    ]

    operations = [
        migrations.RemoveField(model_name="report", name="status"),
    ]
