# Existing captures hashed the whole answer. An image answer becomes the capture's one item
# (its hashes and matches kept). Matches of anything else (pages, error pages) are dropped:
# they are exactly the false "known content" this change removes; the cases they marked are
# re-marked from what is left.

from django.db import migrations


def items_from_captures(apps, schema_editor):
    Capture = apps.get_model("capture", "Capture")
    CaptureItem = apps.get_model("capture", "CaptureItem")
    Match = apps.get_model("lists", "Match")
    Case = apps.get_model("cases", "Case")
    db = schema_editor.connection.alias
    touched = set()
    for match in Match.objects.using(db).select_related("capture"):
        touched.add(match.capture.case_id)
    for capture in Capture.objects.using(db).exclude(sha256="").iterator():
        image = bool(capture.pdq) or capture.content_type.startswith("image/")
        if not (image and capture.status and 200 <= capture.status < 300):
            continue
        item = CaptureItem.objects.using(db).create(
            capture=capture, position=0, url=capture.url, source="page", status=capture.status,
            content_type=capture.content_type, sniffed=capture.content_type.split(";")[0],
            media="image", size=capture.size, md5=capture.md5, sha1=capture.sha1,
            sha256=capture.sha256, pdq=capture.pdq, pdq_quality=capture.pdq_quality,
            error=capture.error)
        capture.items_found = 1
        capture.save(update_fields=["items_found"])
        Match.objects.using(db).filter(capture_id=capture.pk).update(item=item)
    Match.objects.using(db).filter(item__isnull=True).delete()
    for case_id in touched:
        known = Match.objects.using(db).filter(item__capture__case_id=case_id).exists()
        Case.objects.using(db).filter(pk=case_id).update(known_content=known)


class Migration(migrations.Migration):
    # Data only: PostgreSQL refuses to alter tables with pending trigger events in the same
    # transaction, so the schema changes that follow are the next migration.

    dependencies = [
        ("lists", "0004_match_item"),
        ("cases", "0005_casereport_portal"),
    ]

    operations = [
        migrations.RunPython(items_from_captures, migrations.RunPython.noop),
    ]
