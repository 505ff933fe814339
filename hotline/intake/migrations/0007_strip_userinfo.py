# Addresses stored before user names and passwords were cut out of them at submission
# (hotline/intake/addresses.py) lose them now: they are never needed, and the member API
# returned them as typed.

from django.db import migrations


def strip_userinfo(apps, schema_editor):
    from hotline.lib.urlcanon import InvalidURL, without_userinfo

    ReportedAddress = apps.get_model("intake", "ReportedAddress")
    changed = []
    for address in ReportedAddress.objects.filter(submitted__contains="@").iterator():
        try:
            kept = without_userinfo(address.submitted.strip())
        except InvalidURL:
            continue  # never taken in as an address: nothing of it is shown as one
        if kept != address.submitted:
            address.submitted = kept
            changed.append(address)
    ReportedAddress.objects.bulk_update(changed, ["submitted"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0006_remove_report_status"),
    ]

    operations = [
        migrations.RunPython(strip_userinfo, migrations.RunPython.noop),
    ]
