# Matches point at captured items instead of whole captures; banks get their own matching
# settings, a version, retroactive-matching progress and a negative kind; hashes count the
# verdicts that disagreed with them.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("lists", "0005_items_from_captures"),
    ]

    operations = [
        migrations.RemoveField(model_name="match", name="capture"),
        migrations.AlterField(
            model_name="match", name="item",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="matches", to="capture.captureitem"),
        ),
        migrations.AlterField(
            model_name="match", name="bank_hash",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="matches", to="lists.bankhash"),
        ),
        migrations.AddConstraint(
            model_name="match",
            constraint=models.UniqueConstraint(fields=("item", "bank_hash", "kind"), name="one_match_per_item_hash_kind"),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Capture")],
        ),
        migrations.AlterField(
            model_name="hashbank", name="kind",
            field=models.CharField(choices=[("own", "Confirmed by this hub"), ("partner", "Imported from a partner"), ("negative", "Known to be benign (allow-list)")], default="partner", max_length=10, verbose_name="kind"),
        ),
        migrations.AddField(model_name="hashbank", name="pdq_max_distance",
                            field=models.PositiveSmallIntegerField(blank=True, null=True, help_text="Largest Hamming distance that matches (empty: PDQ_MAX_DISTANCE).", verbose_name="PDQ distance")),
        migrations.AddField(model_name="hashbank", name="pdq_min_quality",
                            field=models.PositiveSmallIntegerField(blank=True, null=True, help_text="Hashes of lower quality are not matched (empty: PDQ_MIN_QUALITY).", verbose_name="PDQ minimum quality")),
        migrations.AddField(model_name="hashbank", name="version",
                            field=models.PositiveIntegerField(default=1, editable=False)),
        migrations.AddField(model_name="hashbank", name="rematch_total",
                            field=models.PositiveIntegerField(default=0, editable=False)),
        migrations.AddField(model_name="hashbank", name="rematch_done",
                            field=models.PositiveIntegerField(default=0, editable=False)),
        migrations.AddField(model_name="hashbank", name="rematch_started_at",
                            field=models.DateTimeField(blank=True, editable=False, null=True)),
        migrations.AddField(model_name="hashbank", name="rematch_finished_at",
                            field=models.DateTimeField(blank=True, editable=False, null=True)),
        migrations.AddField(model_name="bankhash", name="disagreements",
                            field=models.PositiveIntegerField(default=0, editable=False)),
    ]
