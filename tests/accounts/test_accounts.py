"""Customer accounts: sign-up, sign-in, password reset and sign-out through allauth, profile and address book."""

from __future__ import annotations

import importlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Address, User
from tests.factories import PASSWORD, AddressFactory
from tests.queue import WorkerOutbox

# The emails as the worker sends them: each read runs the jobs deferred so far.
outbox = WorkerOutbox()

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Calzone-au-four-2024"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts attempts in the cache; each test starts with clean counters.
    cache.clear()


def logged_in_user_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


# ---------- Sign-up, sign-in, sign-out ----------


def sign_up(client, email, **more):
    data = {
        "email": email,
        "first_name": "Chloé",
        "last_name": "Bernard",
        "phone": "06 98 76 54 32",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **more,
    }
    return client.post("/accounts/signup/", data, HTTP_ACCEPT_LANGUAGE="en")


def test_sign_up_creates_the_customer_who_signs_in_once_the_email_is_confirmed(client):
    response = sign_up(client, "Chloe.Bernard@Example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email__iexact="chloe.bernard@example.com")
    assert (user.first_name, user.last_name, str(user.phone)) == ("Chloé", "Bernard", "+33698765432")
    assert user.check_password(NEW_PASSWORD)
    assert logged_in_user_id(client) is None
    (message,) = outbox
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)
    assert link, message.body

    assert client.post(link.group(1)).status_code == 302
    response = client.post("/accounts/login/", {"login": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == user.pk


def test_sign_up_with_a_taken_email_answers_as_for_a_new_one_and_tells_the_owner_by_email(client, customer):
    phone = customer.phone.as_e164
    fresh = sign_up(client, "nobody-yet@example.com")
    outbox.clear()
    client.cookies.clear()

    taken = sign_up(client, "Alice@Example.com", first_name="Mallory", phone="07 81 22 33 44")

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    page = client.get(taken["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "already" not in page.content.decode()
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    customer.refresh_from_db()
    assert (customer.first_name, customer.phone.as_e164) == ("Alice", phone)
    assert logged_in_user_id(client) is None
    (message,) = outbox
    assert message.to == ["alice@example.com"]
    assert "already" in message.body.lower() and "/accounts/password/reset/" in message.body


def test_the_sign_up_page_asks_for_names_and_phone_in_the_site_layout(client):
    response = client.get("/accounts/signup/")

    content = response.content.decode()
    assert response.status_code == 200
    for name in ("email", "first_name", "last_name", "phone", "password1", "password2"):
        assert f'name="{name}"' in content
    assert 'class="site-header"' in content
    assert 'type="tel"' in content


def test_sign_up_with_mismatched_passwords_shows_the_error_and_creates_nobody(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "chloe@example.com",
            "first_name": "Chloé",
            "last_name": "Bernard",
            "phone": "06 98 76 54 32",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD + "x",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert 'class="field__errors"' in response.content.decode()
    assert not User.objects.filter(email="chloe@example.com").exists()


def test_a_customer_signs_in_with_email_and_password(client, customer):
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert logged_in_user_id(client) == customer.pk


def test_a_wrong_password_shows_an_error_and_does_not_sign_in(client, customer):
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": "not-the-password"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'class="alert alert--error" role="alert"' in response.content.decode()
    assert logged_in_user_id(client) is None


def test_password_reset_sends_a_link_that_sets_a_new_password(client, customer):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})

    assert response.status_code == 302
    assert len(outbox) == 1
    assert outbox[0].to == ["alice@example.com"]
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", outbox[0].body)
    assert match, outbox[0].body

    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(match.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else match.group(1)
    assert "password1" in response.context["form"].fields

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    client.logout()
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == customer.pk


def test_password_reset_for_an_unknown_email_reveals_nothing(client, customer):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in message.body for message in outbox)


def test_sign_out_needs_a_post(client, customer):
    client.force_login(customer)

    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert logged_in_user_id(client) == customer.pk

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_the_header_signs_out_with_a_post_form(client, customer):
    client.force_login(customer)

    content = client.get(reverse("home")).content.decode()

    assert re.search(r'<form action="/accounts/logout/" method="post">', content)


# ---------- Profile ----------


def test_a_customer_updates_their_profile(client, customer):
    client.force_login(customer)

    response = client.post(
        reverse("profile"),
        {"first_name": "Alicia", "last_name": "Martin-Roux", "phone": "07 81 22 33 44", "language": "en"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name, customer.phone, customer.language) == (
        "Alicia",
        "Martin-Roux",
        "+33781223344",
        "en",
    )


def test_a_profile_without_a_name_is_refused(client, customer):
    client.force_login(customer)

    response = client.post(
        reverse("profile"),
        {"first_name": "", "last_name": "Martin", "phone": "07 81 22 33 44", "language": "fr"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["first_name"]
    customer.refresh_from_db()
    assert customer.first_name == "Alice"


def test_the_profile_page_shows_the_customer_s_details(client, customer):
    client.force_login(customer)

    response = client.get(reverse("profile"))

    assert response.status_code == 200
    assert 'value="Alice"' in response.content.decode()
    assert "alice@example.com" in response.content.decode()


# ---------- Address book ----------

ADDRESS = {
    "label": "Bureau",
    "street": "3 quai Saint-Antoine",
    "complement": "2e étage, code 1234",
    "postal_code": "69 002",
    "city": "Lyon",
    "instructions": "Sonner chez OC",
}


def test_a_customer_adds_an_address(client, customer):
    client.force_login(customer)

    response = client.post(reverse("address_create"), ADDRESS)

    assert response.status_code == 302
    address = Address.objects.get(user=customer, label="Bureau")
    assert (address.street, address.postal_code, address.city) == ("3 quai Saint-Antoine", "69002", "Lyon")


def test_a_bad_postal_code_is_a_form_error(client, customer):
    client.force_login(customer)

    response = client.post(reverse("address_create"), {**ADDRESS, "postal_code": "6900A"})

    assert response.status_code == 200
    assert response.context["form"].errors["postal_code"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Address.objects.filter(user=customer, label="Bureau").exists()


def test_a_customer_edits_an_address(client, customer):
    address = customer.addresses.get()
    client.force_login(customer)

    response = client.post(reverse("address_update", args=[address.pk]), {**ADDRESS, "label": "Maison"})

    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.label, address.street) == ("Maison", "3 quai Saint-Antoine")


def test_deleting_an_address_asks_first_then_hides_it_and_keeps_the_row(client, customer):
    address = customer.addresses.get()
    client.force_login(customer)

    response = client.get(reverse("address_delete", args=[address.pk]))
    assert response.status_code == 200
    address.refresh_from_db()
    assert address.deleted_at is None

    response = client.post(reverse("address_delete", args=[address.pk]))
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.deleted_at is not None
    assert address.street not in client.get(reverse("address_list")).content.decode()


def test_the_address_book_lists_only_the_customer_s_own_active_addresses(client, customer, other_customer):
    AddressFactory(user=customer, label="Ancienne", street="99 rue Oubliée").soft_delete()
    client.force_login(customer)

    content = client.get(reverse("address_list")).content.decode()

    assert customer.addresses.active().get().street in content
    assert "99 rue Oubliée" not in content
    assert other_customer.addresses.get().street not in content


@pytest.mark.parametrize("url_name", ["address_update", "address_delete"])
def test_another_customer_cannot_see_edit_or_delete_an_address(client, customer, other_customer, url_name):
    address = customer.addresses.get()
    before = (address.label, address.street, address.deleted_at)
    client.force_login(other_customer)
    url = reverse(url_name, args=[address.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {**ADDRESS, "label": "Piraté"}).status_code == 404

    address.refresh_from_db()
    assert (address.label, address.street, address.deleted_at) == before


@pytest.mark.parametrize(
    "url",
    [
        reverse("profile"),
        reverse("address_list"),
        reverse("address_create"),
        reverse("address_update", args=[1]),
        reverse("address_delete", args=[1]),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_accounts_made_before_mandatory_verification_still_sign_in(client):
    migration = importlib.import_module("accounts.migrations.0003_existing_emails_verified")
    old = User.objects.create_user("ancien@example.com", NEW_PASSWORD)
    assert not EmailAddress.objects.filter(user=old).exists()
    assert client.post("/accounts/login/", {"login": old.email, "password": NEW_PASSWORD})["Location"] == (
        reverse("account_email_verification_sent")
    )

    migration.verify_existing_emails(apps, None)

    response = client.post("/accounts/login/", {"login": old.email, "password": NEW_PASSWORD})
    assert response.status_code == 302 and logged_in_user_id(client) == old.pk


def test_a_user_head_office_creates_signs_in_without_a_link_to_click(client, head_office):
    client.force_login(head_office)
    data = {
        "email": "Nouveau@Example.com",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    assert client.post(reverse("admin:accounts_user_add"), data).status_code == 302
    client.logout()

    response = client.post("/accounts/login/", {"login": "nouveau@example.com", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert logged_in_user_id(client) == User.objects.get(email="nouveau@example.com").pk


def test_an_empty_address_book_shows_its_header_and_empty_state_each_with_the_add_button(client, customer):
    customer.addresses.all().delete()
    client.force_login(customer)

    content = client.get(reverse("address_list"), headers={"accept-language": "en"}).content.decode()

    assert '<h1 class="page-title">My addresses</h1>' in content
    assert "No address yet" in content and "icon-pin.svg" in content
    assert content.count(f'href="{reverse("address_create")}"') == 2


def test_a_person_is_named_by_their_full_name_else_by_their_email():
    # User.display_name: how the staff screens, the messages and the ledgers name someone.
    assert User(email="lea@example.com", first_name="Léa", last_name="Girard").display_name == "Léa Girard"
    assert User(email="lea@example.com", first_name="Léa").display_name == "Léa"
    assert User(email="lea@example.com").display_name == "lea@example.com"
