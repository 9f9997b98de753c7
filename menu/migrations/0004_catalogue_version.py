from django.db import migrations, models


def create_the_row(apps, schema_editor):
    apps.get_model("menu", "CatalogueVersion").objects.create(value=0)


class Migration(migrations.Migration):
    """The catalogue's version, kept by the catalogue (it was a field of each restaurant)."""

    dependencies = [
        ("menu", "0003_recipe_step_ingredients"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.PositiveIntegerField(default=0, editable=False, verbose_name="catalogue version")),
            ],
            options={
                "verbose_name": "catalogue version",
                "verbose_name_plural": "catalogue version",
            },
        ),
        migrations.RunPython(create_the_row, migrations.RunPython.noop),
    ]
