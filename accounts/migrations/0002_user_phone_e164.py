"""Phone numbers become E.164 ("06 12 34 56 78" -> "+33612345678"), indexed for the counter's look-up.

A number that cannot be read (free text such as "abc" was accepted before) is emptied and logged with the
account's id and what it held (logger "accounts.migrations", warning): an empty phone makes the checkout
and the profile ask the customer for a valid one. docs/operations.md says where to find them.
"""

import logging

import phonenumbers
from django.db import migrations

import phonenumber_field.modelfields

logger = logging.getLogger("accounts.migrations")


def normalise_phones(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for pk, raw in User.objects.exclude(phone="").values_list("pk", "phone").iterator():
        raw = str(raw)
        try:
            number = phonenumbers.parse(raw, "FR")
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        else:
            logger.warning("User %s: phone %r is not a valid number; emptied, to be asked again.", pk, raw)
            value = ""
        if value != raw:
            User.objects.filter(pk=pk).update(phone=value)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, db_index=True, max_length=30, region=None, verbose_name="phone"
            ),
        ),
        # Backwards: E.164 is still a phone number as text; an emptied one stays empty (it is in the log).
        migrations.RunPython(normalise_phones, migrations.RunPython.noop),
    ]
