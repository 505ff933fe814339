# Report.member now points at members.Member: the same table (lists_member), so only Django's
# model state changes; the foreign key in the database is left as it is.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0004_trusted_intake"),
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="report",
                    name="member",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="reports", to="members.member"),
                ),
            ],
        ),
    ]
