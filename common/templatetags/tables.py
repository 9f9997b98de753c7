"""`{% table_head %}`: a table's head row from its labels, one argument per column, in the page that owns it.

    {% load tables %}
    {% table_head _("No.") _("Period") _("Entries")|numeric _("Actions")|unseen numeric_class="ledger-table__num" %}

renders `<thead><tr><th scope="col">…</th>…</tr></thead>` (includes/table_head.html): the ledgers, the
dashboard's offers, the loyalty history, the receipt and a recipe's extras wrote those lines out by hand, the
same shape each time. A label is a string (`_("…")`, or a `{% translate … as name %}` for one with a
context); `|numeric` gives its cell `numeric_class` (the table's right-aligned figures), `|unseen` keeps it for
screen readers only (an actions column). `head_class` goes on the `<thead>` (the receipt's hidden heads).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.template.base import FilterExpression
from django.template.context import Context
from django.utils.text import smart_split

register = template.Library()

OPTIONS = ("numeric_class", "head_class")


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False
    unseen: bool = False


@register.filter
def numeric(label: str) -> Column:
    """A column of figures: its head takes the table's `numeric_class`."""
    return Column(label, numeric=True)


@register.filter
def unseen(label: str) -> Column:
    """A column whose head is read out but not shown."""
    return Column(label, unseen=True)


class TableHeadNode(template.Node):
    def __init__(self, labels: list[FilterExpression], options: dict[str, FilterExpression]) -> None:
        self.labels = labels
        self.options = options

    def render(self, context: Context) -> str:
        columns = []
        for expression in self.labels:
            label = expression.resolve(context)
            columns.append(label if isinstance(label, Column) else Column(label))
        options = {name: expression.resolve(context) for name, expression in self.options.items()}
        if any(column.numeric for column in columns) and not options.get("numeric_class"):
            raise template.TemplateSyntaxError('table_head: a |numeric column needs numeric_class="…"')
        head = context.template.engine.get_template("includes/table_head.html")
        return head.render(context.new({"columns": columns, **options}))


@register.tag
def table_head(parser: template.base.Parser, token: template.base.Token) -> TableHeadNode:
    # smart_split rather than token.split_contents(): the latter expects a bit that starts with `_("` to end
    # with `")`, and would glue `_("Entries")|numeric` to the bits after it.
    labels, options = [], {}
    for bit in list(smart_split(token.contents))[1:]:
        name, equals, value = bit.partition("=")
        if equals and name in OPTIONS:
            options[name] = parser.compile_filter(value)
        else:
            labels.append(parser.compile_filter(bit))
    if not labels:
        raise template.TemplateSyntaxError("table_head needs at least one column label")
    return TableHeadNode(labels, options)
