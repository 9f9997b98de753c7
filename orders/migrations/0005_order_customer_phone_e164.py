"""The customer's phone on an order becomes E.164 ("06 12 34 56 78" -> "+33612345678").

An order is a record of what was given: a number that cannot be read is kept as it was typed (pages show it
as such) and logged with the order's number (logger "orders.migrations", warning).
"""

import logging

import phonenumbers
from django.db import migrations

import phonenumber_field.modelfields

logger = logging.getLogger("orders.migrations")


def normalise_phones(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    rows = Order.objects.exclude(customer_phone="").values_list("pk", "number", "customer_phone")
    for pk, number, raw in rows.iterator():
        raw = str(raw)
        try:
            parsed = phonenumbers.parse(raw, "FR")
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            logger.warning("Order %s: phone %r is not a valid number; kept as typed.", number, raw)
            continue
        value = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if value != raw:
            Order.objects.filter(pk=pk).update(customer_phone=value)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_order_checkout_token"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="customer_phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, max_length=30, region=None, verbose_name="customer phone"
            ),
        ),
        # Backwards: E.164 is still a phone number as text.
        migrations.RunPython(normalise_phones, migrations.RunPython.noop),
    ]
