from django.db import migrations
from django.db.models import Max


def carry_the_version_over(apps, schema_editor):
    """The highest restaurant's version (they were raised together) becomes the catalogue's."""
    current = apps.get_model("restaurants", "Restaurant").objects.aggregate(value=Max("catalogue_version"))
    apps.get_model("menu", "CatalogueVersion").objects.update_or_create(
        defaults={"value": current["value"] or 0}
    )


def carry_the_version_back(apps, schema_editor):
    version = apps.get_model("menu", "CatalogueVersion").objects.first()
    apps.get_model("restaurants", "Restaurant").objects.update(catalogue_version=version.value if version else 0)


class Migration(migrations.Migration):
    """The catalogue's version moves to `menu.CatalogueVersion`: `menu` raises it without naming restaurants."""

    dependencies = [
        ("restaurants", "0002_restaurant_catalogue_version"),
        ("menu", "0004_catalogue_version"),
    ]

    operations = [
        migrations.RunPython(carry_the_version_over, carry_the_version_back),
        migrations.RemoveField(model_name="restaurant", name="catalogue_version"),
    ]
