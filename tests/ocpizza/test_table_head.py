"""`{% table_head %}` (common/templatetags/tables.py): the head row the ledgers, the receipt and the loyalty
history build from their labels."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    # The site's default language is French; the expectations below are the msgids.
    with translation.override("en"):
        yield


def render(source: str, **context: object) -> str:
    html = Template("{% load tables %}" + source).render(Context(context))
    return re.sub(r">\s+<", "><", html).strip()


def test_each_label_is_a_column_head_in_order():
    assert render('{% table_head _("Date") "Points" %}') == (
        '<thead><tr><th scope="col">Date</th><th scope="col">Points</th></tr></thead>'
    )


def test_numeric_columns_take_the_tables_class_and_unseen_ones_are_for_screen_readers_only():
    html = render(
        '{% table_head _("Period") _("Entries")|numeric _("Actions")|unseen numeric_class="ledger-table__num" %}'
    )
    assert html == (
        '<thead><tr><th scope="col">Period</th>'
        '<th scope="col" class="ledger-table__num">Entries</th>'
        '<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>'
    )


def test_the_head_class_goes_on_the_thead():
    assert render('{% table_head "VAT" head_class="visually-hidden" %}').startswith(
        '<thead class="visually-hidden">'
    )


def test_labels_are_translated_and_escaped():
    with translation.override("fr"):
        assert '<th scope="col">Commande</th>' in render('{% table_head _("Order") %}')
    assert '<th scope="col">&lt;b&gt;</th>' in render("{% table_head label %}", label="<b>")


def test_a_label_with_a_context_comes_from_a_translate_as_variable():
    source = '{% load i18n %}{% translate "Change" context "stock movement: how much the quantity changed" as change %}'
    html = render(source + '{% table_head change|numeric numeric_class="ledger-table__num" %}')
    assert '<th scope="col" class="ledger-table__num">Change</th>' in html


def test_a_numeric_column_without_its_class_is_refused():
    with pytest.raises(TemplateSyntaxError, match="numeric_class"):
        render('{% table_head _("Entries")|numeric %}')


def test_a_head_without_columns_is_refused():
    with pytest.raises(TemplateSyntaxError, match="at least one"):
        Template("{% load tables %}{% table_head %}")
