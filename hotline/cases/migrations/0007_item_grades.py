from django.db import migrations, models

# What one picture shows is graded item by item; the rest (site type, media type, commercial)
# once for the page. The default schemes that describe content:
PER_ITEM = ("uk_category", "inhope", "industry", "age_band", "sex", "self_generated")


def mark_per_item(apps, schema_editor):
    apps.get_model("cases", "Scheme").objects.filter(code__in=PER_ITEM).update(per_item=True)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_assessment_reassess"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="item_grades",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="case",
            name="item_grades",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="scheme",
            name="per_item",
            field=models.BooleanField(default=False, help_text="Graded item by item (what one picture shows); the others are graded once for the page."),
        ),
        migrations.RunPython(mark_per_item, migrations.RunPython.noop),
    ]
