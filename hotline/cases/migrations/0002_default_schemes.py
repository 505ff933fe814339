from django.db import migrations


def load(apps, schema_editor):
    from hotline.cases.default_schemes import DEFAULT_SCHEMES

    Scheme = apps.get_model("cases", "Scheme")
    SchemeOption = apps.get_model("cases", "SchemeOption")
    for position, (code, name, multiple, required, options) in enumerate(DEFAULT_SCHEMES):
        scheme, created = Scheme.objects.get_or_create(
            code=code, defaults={"name": name, "multiple": multiple, "required": required,
                                 "position": position})
        if created:
            for i, (option, label) in enumerate(options):
                SchemeOption.objects.create(scheme=scheme, code=option, label=label, position=i)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
