"""`{% kitchen_ticket ticket %}`: one ticket of the kitchen display, rendered once per version of the ticket.

A board that changed re-renders every ticket though mostly one moved: each tablet of the kitchen polls every
few seconds, and the tickets were most of the render's CPU (docs/scaling.md, "The tracking poll and the
kitchen board"). A ticket's HTML is kept in the process's memory (the "kitchen_tickets" cache), keyed on all
it shows: the order's version (every bump, status change or modification moves `updated_at`) with its status
and lines, its clock in minutes and colour, its key on the bump bar, the screen's station, whether it may
cook, the language and who prepares it (a renamed cook shows within the cache's timeout).

The CSRF token differs per user: the kept HTML holds common.csrf's placeholder, replaced by this
request's token on the way out (or left for the board's own way out, when the whole board is kept:
polling.shared_part).
"""

from __future__ import annotations

from django import template
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from common.csrf import CSRF_PLACEHOLDER, with_csrf_token
from orders.staff.board import KitchenTicket

register = template.Library()

TICKET_TEMPLATE = "staff/includes/kitchen_ticket.html"
KEYED = 9  # the first tickets carry their key on the bump bar (1…9); the others none


@register.simple_tag(takes_context=True)
def kitchen_ticket(context: template.Context, ticket: KitchenTicket) -> SafeString:
    position = min(context["forloop"]["counter"], KEYED + 1)
    station = context.get("station", "")
    can_cook = bool(context.get("can_cook"))
    order = ticket.order
    key = ":".join(
        str(part)
        for part in (
            "ticket",
            get_language(),
            station,
            int(can_cook),
            order.pk,
            ticket.version,
            # Two changes within the same instant of `updated_at` still differ: the status, and each line's
            # quantity and bump (the ticket's stations show the other stations' lines too).
            order.status,
            "".join(
                f"{line.pk}x{line.quantity}{'+' if line.bumped_at else '-'}" for line in order.lines.all()
            ),
            ticket.age,
            ticket.due_in_minutes,
            position,
            order.prepared_by_id,
        )
    )
    cache = caches["kitchen_tickets"]
    html = cache.get(key)
    if html is None:
        html = get_template(TICKET_TEMPLATE).render(
            {
                "ticket": ticket,
                "order": order,
                "station": station,
                "can_cook": can_cook,
                "forloop": {"counter": position},
                "csrf_token": CSRF_PLACEHOLDER,
            }
        )
        cache.set(key, str(html))
    return with_csrf_token(html, context.get("csrf_token", ""))
