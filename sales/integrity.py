"""Checking the sales record: every chain and closing recomputed, the first entry that does not match named.

Used by `manage.py check_sales_record` and the head office's integrity screen. What it finds, per
restaurant:
- an entry whose fields no longer give its hash (an altered amount, date, order...);
- a gap in the numbers (a deleted entry) or an entry whose `previous_hash` is not the hash before it (entries
  reordered, or one removed and the chain rewritten from there);
- a head (SalesChain) that does not point at the last entry (the newest entries deleted);
- a closing whose totals are not those of its entries, whose hash does not match, or that breaks its own
  chain (numbers, previous hash, grand total).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from restaurants.models import Restaurant
from sales.closings import closing_hash, totals_of
from sales.journal import entry_hash, money
from sales.models import Closing, SalesChain, SalesEntry


@dataclass
class ChainReport:
    restaurant: Restaurant
    entries: int = 0
    closings: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _first_entry_problem(restaurant: Restaurant, entries: list[SalesEntry], chain: SalesChain | None) -> str:
    previous_hash = ""
    for expected, entry in enumerate(entries, start=1):
        if entry.sequence != expected:
            return _("Entry %(number)s is missing (the next one found is %(found)s).") % {
                "number": expected,
                "found": entry.sequence,
            }
        if entry.previous_hash != previous_hash:
            return _(
                "Entry %(number)s does not follow entry %(before)s (its previous hash differs): entries were "
                "reordered or removed."
            ) % {"number": entry.sequence, "before": expected - 1}
        if entry_hash(entry) != entry.hash:
            return _(
                "Entry %(number)s (order %(order)s) was altered: its hash does not match its content."
            ) % {
                "number": entry.sequence,
                "order": entry.order_number,
            }
        previous_hash = entry.hash
    last = entries[-1] if entries else None
    if chain is not None and (chain.last_sequence, chain.last_hash) != (
        (last.sequence, last.hash) if last else (0, "")
    ):
        return _("Entries after number %(number)s are missing (the record's head is at %(head)s).") % {
            "number": last.sequence if last else 0,
            "head": chain.last_sequence,
        }
    return ""


def _first_closing_problem(closings: list[Closing], entries: dict[int, SalesEntry]) -> str:
    previous_by_kind: dict[str, Closing] = {}
    for closing in closings:
        previous = previous_by_kind.get(closing.kind)
        label = _("%(kind)s no. %(number)s (%(start)s)") % {
            "kind": closing.get_kind_display(),
            "number": closing.sequence,
            "start": closing.period_start.isoformat(),
        }
        after = previous.last_sequence if previous else 0
        if closing.sequence != (previous.sequence + 1 if previous else 1) or closing.previous_hash != (
            previous.hash if previous else ""
        ):
            return _("%(closing)s does not follow the closing before it.") % {"closing": label}
        if closing_hash(closing) != closing.hash:
            return _("%(closing)s was altered: its hash does not match its content.") % {"closing": label}
        covered = [entries[n] for n in range(after + 1, closing.last_sequence + 1) if n in entries]
        totals = totals_of(covered)
        expected_first = after + 1 if closing.last_sequence > after else None
        grand = (previous.grand_total if previous else 0) + totals.sales_total
        if (
            closing.first_sequence != expected_first
            or totals.entry_count != closing.entry_count
            or money(totals.sales_total) != money(closing.sales_total)
            or money(totals.money_total) != money(closing.money_total)
            or totals.by_rate != closing.by_rate
            or totals.by_method != closing.by_method
            or money(grand) != money(closing.grand_total)
        ):
            return _("%(closing)s does not add up to its entries.") % {"closing": label}
        previous_by_kind[closing.kind] = closing
    return ""


def check_restaurant(restaurant: Restaurant) -> ChainReport:
    """Recompute a restaurant's journal and closings; the report names the first problem of each."""
    entries = list(SalesEntry.objects.filter(restaurant=restaurant).order_by("sequence", "id"))
    closings = list(Closing.objects.filter(restaurant=restaurant).order_by("kind", "sequence"))
    chain = SalesChain.objects.filter(restaurant=restaurant).first()
    report = ChainReport(restaurant=restaurant, entries=len(entries), closings=len(closings))
    problem = _first_entry_problem(restaurant, entries, chain)
    if problem:
        report.problems.append(problem)
    problem = _first_closing_problem(closings, {entry.sequence: entry for entry in entries})
    if problem:
        report.problems.append(problem)
    return report


def check_all() -> list[ChainReport]:
    """Every restaurant that has a sales record, checked."""
    having = set(SalesChain.objects.values_list("restaurant_id", flat=True))
    having |= set(SalesEntry.objects.values_list("restaurant_id", flat=True).distinct())
    having |= set(Closing.objects.values_list("restaurant_id", flat=True).distinct())
    return [
        check_restaurant(restaurant) for restaurant in Restaurant.objects.filter(pk__in=having).order_by("pk")
    ]


def summary(reports: list[ChainReport]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for report in reports:
        counts["restaurants"] += 1
        counts["entries"] += report.entries
        counts["closings"] += report.closings
        counts["problems"] += len(report.problems)
    return dict(counts)
