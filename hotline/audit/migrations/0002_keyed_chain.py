"""The audit chain becomes keyed (HMAC-SHA-256 with AUDIT_KEY).

Entries already written keep their unkeyed SHA-256 hashes and are marked version 1; new entries
are version 2. One keyed entry, ``audit.keyed``, is appended after the unkeyed ones (only when
there are any): it names how many there were and the head's hash, so they are sealed in by the
key and the switch-over point is itself part of the chain. Without it, someone re-chaining the
whole log without the key could mark every entry unkeyed; with it, verification requires every
entry after the switch-over to be keyed. (Migrate with the old processes stopped: an entry
they wrote after this would be an unkeyed entry after the switch-over, a break.)
"""

from typing import Any

from django.db import migrations, models
from django.utils import timezone

# The chain's hash functions are the product's own: the migration must hash the switch-over
# entry exactly as verification will.
from hotline.audit.models import GENESIS, SWITCH_OVER, chain_hash, entry_content

LABEL = "hotline (migration audit 0002: the chain is keyed from here on)"


def seal_unkeyed_entries(apps: Any, schema_editor: Any) -> None:
    db = schema_editor.connection.alias
    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditHead")
    entries = entry_model.objects.using(db)
    if not entries.exists():
        return
    head = head_model.objects.using(db).filter(pk=1).first()
    if head is None:  # never the case for a chain written by audit_record; be exact anyway
        last = entries.order_by("-id").first()
        head = head_model(pk=1, last_hash=last.hash if last else GENESIS, count=entries.count())
    # Chained from what the head row says, not from the last row: a legacy chain whose last
    # rows were deleted stays broken (the switch-over's link shows it) instead of being sealed.
    details = {"unkeyed_entries": head.count, "unkeyed_head": head.last_hash}
    at = timezone.now()
    content = entry_content(at, None, LABEL, SWITCH_OVER, "", "", details)
    entry = entries.create(at=at, actor=None, actor_label=LABEL, action=SWITCH_OVER,
                           object_type="", object_id="", details=details, version=2,
                           prev_hash=head.last_hash,
                           hash=chain_hash(2, head.last_hash, content))
    head.last_hash, head.count = entry.hash, head.count + 1
    head.save(using=db)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('count', models.PositiveBigIntegerField(default=0)),
                ('last_id', models.PositiveBigIntegerField(default=0)),
                ('head', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
                ('keyed', models.BooleanField(default=False)),
                ('verified_at', models.DateTimeField(null=True)),
                ('full_at', models.DateTimeField(null=True)),
                ('full_count', models.PositiveBigIntegerField(default=0)),
                ('sweep_count', models.PositiveBigIntegerField(default=0)),
                ('sweep_last_id', models.PositiveBigIntegerField(default=0)),
                ('sweep_head', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
                ('sweep_keyed', models.BooleanField(default=False)),
                ('sweep_started', models.DateTimeField(null=True)),
                ('problem_entry_id', models.PositiveBigIntegerField(null=True)),
                ('problem', models.TextField(blank=True)),
                ('mac', models.CharField(blank=True, max_length=64)),
            ],
        ),
        # Existing entries are unkeyed (1); from here on the default is keyed (2).
        migrations.AddField(
            model_name='auditentry',
            name='version',
            field=models.PositiveSmallIntegerField(choices=[(1, 'SHA-256, written before the audit key'), (2, 'HMAC-SHA-256 with the audit key')], default=1),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='version',
            field=models.PositiveSmallIntegerField(choices=[(1, 'SHA-256, written before the audit key'), (2, 'HMAC-SHA-256 with the audit key')], default=2),
        ),
        migrations.RunPython(seal_unkeyed_entries, migrations.RunPython.noop),
    ]
