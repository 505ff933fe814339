# Member and ApiKey moved to the members app with their tables (members 0001): forget them here
# without dropping anything, and move their content types (admin history, permissions) along.

from django.db import migrations


def move_content_types(apps, schema_editor, old="lists", new="members"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label=old, model__in=["member", "apikey"]).update(app_label=new)


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="members", new="lists")


class Migration(migrations.Migration):

    dependencies = [
        ("lists", "0002_member_permissions"),
        ("members", "0001_initial"),
        ("intake", "0005_member_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ApiKey"),
                migrations.DeleteModel(name="Member"),
            ],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
