"""Passwords are stored as Argon2id at OWASP's parameters (ocpizza/hashers.py); an account whose password was
stored by Django's default PBKDF2 still signs in, and its hash is rewritten as Argon2id then."""

from __future__ import annotations

import pytest
from django.conf import settings as project_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.urls import reverse

from ocpizza.hashers import Argon2idPasswordHasher
from tests.factories import PASSWORD

PROJECT_HASHERS = list(project_settings.PASSWORD_HASHERS)


@pytest.fixture
def project_hashers(settings):
    # The suite hashes with MD5 for speed (tests/conftest.py): these tests need the project's own list.
    settings.PASSWORD_HASHERS = PROJECT_HASHERS


def test_a_new_password_is_stored_as_argon2id_at_owasp_s_parameters(project_hashers, customer):
    customer.set_password("une-pizza-au-four")
    hasher = identify_hasher(customer.password)
    assert isinstance(hasher, Argon2idPasswordHasher)
    assert customer.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert customer.check_password("une-pizza-au-four")
    assert not customer.check_password("une-autre-pizza")


def test_an_old_pbkdf2_password_signs_in_and_is_stored_again_as_argon2id(project_hashers, client, customer):
    customer.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    customer.save(update_fields=["password"])

    response = client.post(reverse("account_login"), {"login": customer.email, "password": PASSWORD})

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_wrong_password_against_an_old_hash_is_refused_and_the_hash_left_alone(
    project_hashers, client, customer
):
    customer.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    customer.save(update_fields=["password"])
    old = customer.password

    response = client.post(reverse("account_login"), {"login": customer.email, "password": "pas-le-bon"})

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.password == old
