"""Reads compiled once per process (common.prepared): the same rows and instances as the queryset itself, with
each call's values, in each language's columns, counted as queries; a read that cannot be prepared fails
when it is built, saying why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Value
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from common.prepared import Prepared
from menu.models import Product
from ocpizza.sessions.db import SessionStore
from tests.factories import ProductFactory, RestaurantFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_a_prepared_read_gives_the_instances_its_queryset_gives_with_each_calls_values():
    first, second = UserFactory(first_name="Camille"), UserFactory(first_name="Yanis")
    read = Prepared(
        lambda pk: User.objects.only("first_name").annotate(label=Value("x")).filter(pk=pk), pk=int
    )

    assert read.first(pk=first.pk).first_name == "Camille"
    user = read.first(pk=second.pk)
    assert (user.pk, user.first_name, user.label) == (second.pk, "Yanis", "x")
    assert (
        user.get_deferred_fields() == User.objects.only("first_name").get(pk=second.pk).get_deferred_fields()
    )
    assert read.first(pk=second.pk + 1000) is None


def test_select_related_and_aggregates_come_back_as_the_orm_builds_them():
    member = StaffMemberFactory()
    read = Prepared(
        lambda user_id: User.objects.select_related().annotate(jobs=Count("memberships")).filter(pk=user_id),
        user_id=int,
    )
    assert read.first(user_id=member.user_id).jobs == 1

    by_member = Prepared(lambda pk: type(member).objects.select_related("restaurant").filter(pk=pk), pk=int)
    with CaptureQueriesContext(connection) as queries:
        found = by_member.first(pk=member.pk)
        assert found.restaurant.name == member.restaurant.name  # no second query for the restaurant
    assert len(queries) == 1


def test_values_list_reads_come_back_as_tuples_in_the_order_asked():
    restaurant = RestaurantFactory(slug="lyon-test")
    read = Prepared(
        lambda slug: (
            type(restaurant).objects.rewrite(False).filter(slug=slug).values_list("pk", "name", "slug")
        ),
        slug=str,
    )
    for language in ("fr", "en"):
        with translation.override(language):
            assert read.all(slug="lyon-test") == [(restaurant.pk, restaurant.name, "lyon-test")]
    assert read.all(slug="nowhere") == []


def test_django_modeltranslation_s_own_values_list_is_refused():
    read = Prepared(
        lambda slug: RestaurantFactory._meta.model.objects.filter(slug=slug).values_list("name"), slug=str
    )
    with pytest.raises(ValueError, match="values_list"):
        read.all(slug="lyon-test")


def test_each_language_gets_its_own_columns():
    ProductFactory(name_fr="Reine", name_en="Queen")
    read = Prepared(lambda name: Product.objects.filter(name=name).only("name_fr"), name=str)

    with translation.override("en"):
        assert [product.name_fr for product in read.all(name="Queen")] == ["Reine"]
        assert read.all(name="Reine") == []
    with translation.override("fr"):
        assert [product.name_fr for product in read.all(name="Reine")] == ["Reine"]


def test_the_current_time_is_a_value_of_the_call_not_of_the_build(time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)
    session = SessionStore()
    session["cart"] = "one pizza"
    session.save()
    assert SessionStore(session.session_key).load() == {"cart": "one pizza"}

    time_machine.shift(timedelta(weeks=10))
    assert SessionStore(session.session_key).load() == {}


def test_a_value_the_sql_does_not_receive_unchanged_is_refused_when_built():
    read = Prepared(lambda name: Product.objects.filter(name__icontains=name), name=str)
    with pytest.raises(ValueError, match="name"):
        read.all(name="reine")


def test_the_values_must_be_the_declared_ones():
    read = Prepared(lambda pk: User.objects.filter(pk=pk), pk=int)
    with pytest.raises(TypeError):
        read.all(id=1)


def test_a_prefetch_cannot_be_prepared():
    read = Prepared(lambda pk: User.objects.prefetch_related("memberships").filter(pk=pk), pk=int)
    with pytest.raises(ValueError, match="prefetch"):
        read.all(pk=1)
