from django.db import migrations

CODES = [
    "gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk",
    "nuts", "celery", "mustard", "sesame", "sulphites", "lupin", "molluscs",
]


def create_allergens(apps, schema_editor):
    Allergen = apps.get_model("menu", "Allergen")
    for code in CODES:
        Allergen.objects.get_or_create(code=code)


def delete_allergens(apps, schema_editor):
    apps.get_model("menu", "Allergen").objects.filter(code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("menu", "0001_initial")]
    operations = [migrations.RunPython(create_allergens, delete_allergens)]
