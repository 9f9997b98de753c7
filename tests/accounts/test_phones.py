"""Phone numbers of accounts: checked at sign-up and on the profile, stored in E.164, shown the French way
for a French number and in the international format otherwise; the migration that normalised the old ones."""

from __future__ import annotations

import importlib
import logging

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import User
from accounts.phones import display_phone, phone_link
from tests import factories as f

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "chloe@example.com",
    "first_name": "Chloé",
    "last_name": "Bernard",
    "password1": "Calzone-au-four-2024",
    "password2": "Calzone-au-four-2024",
}


def test_sign_up_refuses_a_phone_that_is_not_a_number_and_creates_nobody(client):
    response = client.post("/accounts/signup/", {**SIGN_UP, "phone": "abc"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Saisissez un numéro de téléphone valide, par exemple 01 23 45 67 89, ou un numéro avec un "
        "indicatif international."
    ]
    assert not User.objects.filter(email="chloe@example.com").exists()


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("06.12.34.56.78", "+33612345678", "06 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("0033 4 78 00 00 00", "+33478000000", "04 78 00 00 00"),
        ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
    ],
)
def test_the_profile_stores_a_number_in_e164_and_shows_it_as_it_is_read(
    client, customer, typed, stored, shown
):
    client.force_login(customer)
    data = {"first_name": "Alice", "last_name": "Martin", "language": "fr"}

    response = client.post(reverse("profile"), {**data, "phone": typed})

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.phone.as_e164 == stored
    assert User.objects.filter(phone=stored).get() == customer
    assert f'value="{shown}"' in client.get(reverse("profile")).content.decode()
    assert display_phone(customer.phone) == shown
    assert phone_link(customer.phone) == stored


def test_the_profile_refuses_a_phone_that_is_not_a_number_and_keeps_the_old_one(client, customer):
    client.force_login(customer)
    before = customer.phone.as_e164

    response = client.post(
        reverse("profile"), {"first_name": "Alice", "last_name": "Martin", "phone": "abc", "language": "fr"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["phone"]
    customer.refresh_from_db()
    assert customer.phone.as_e164 == before


def test_the_profile_speaks_to_the_customer_about_the_language_of_the_site_and_their_emails(client, customer):
    client.force_login(customer)

    content = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Langue du site et de vos e-mails" in content
    assert "cette personne" not in content


def test_the_admin_keeps_the_staff_wording_for_the_language(admin_client, customer):
    content = admin_client.get(
        reverse("admin:accounts_user_change", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    assert "Langue des e-mails envoyés à cette personne." in content


def test_the_migration_normalises_the_numbers_and_empties_and_logs_what_it_cannot_read(caplog):
    migration = importlib.import_module("accounts.migrations.0002_user_phone_e164")
    spaced, foreign, free_text, empty = (f.UserFactory(phone="") for _ in range(4))
    # Written as they were stored before the numbers were checked.
    for user, raw in ((spaced, "06 12 34 56 78"), (foreign, "+44 20 7946 0958"), (free_text, "abc")):
        User.objects.filter(pk=user.pk).update(phone=raw)

    with caplog.at_level(logging.WARNING, logger="accounts.migrations"):
        migration.normalise_phones(apps, None)

    phones = dict(User.objects.values_list("pk", "phone"))
    assert [str(phones[user.pk]) for user in (spaced, foreign, free_text, empty)] == [
        "+33612345678",
        "+442079460958",
        "",
        "",
    ]
    assert [record.getMessage() for record in caplog.records] == [
        f"User {free_text.pk}: phone 'abc' is not a valid number; emptied, to be asked again."
    ]
