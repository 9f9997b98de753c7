"""Emails to restaurant staff, sent by the worker (restaurants.tasks), each in its reader's language.

Templates: emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html. (The customers'
emails live in orders/notifications.py; `restaurants` does not import `orders`.)
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from common.email import send_templated_email
from restaurants.models import Role, StaffMember, Stock

logger = logging.getLogger(__name__)


def send_low_stock_alert(*, stock_ids: Sequence[int], alert: str, digest: bool = False) -> int:
    """Email the active managers of each stock's restaurant the ingredients that ran low; returns how many
    emails left now.

    One email per manager and restaurant, listing that restaurant's stocks among `stock_ids` with their
    quantity now, sent once under the key "low-stock:<alert>:<restaurant>:<manager>". The morning's
    `digest` tells of ingredients still low rather than just fallen low. A mail server
    failure does not stop the other emails; the first one is raised at the end, so a retry sends only
    those that did not leave.
    """
    stocks = (
        Stock.objects.filter(pk__in=stock_ids)
        .select_related("restaurant", "ingredient")
        .order_by("restaurant_id", "ingredient__name")
    )
    by_restaurant: dict[int, list[Stock]] = defaultdict(list)
    for stock in stocks:
        by_restaurant[stock.restaurant_id].append(stock)
    if not by_restaurant:
        return 0
    managers = (
        StaffMember.objects.active()
        .filter(role=Role.MANAGER, restaurant_id__in=by_restaurant, user__is_active=True)
        .select_related("user")
        .order_by("restaurant_id", "user__email")
    )
    stock_url = settings.SITE_URL + reverse("staff_stock")
    sent = 0
    failure: Exception | None = None
    for manager in managers:
        restaurant_stocks = by_restaurant[manager.restaurant_id]
        context = {
            "restaurant": restaurant_stocks[0].restaurant,
            "stocks": restaurant_stocks,
            "manager": manager.user,
            "stock_url": stock_url,
            "digest": digest,
        }
        try:
            sent += send_templated_email(
                key=f"low-stock:{alert}:{manager.restaurant_id}:{manager.user_id}",
                name="low-stock",
                to=manager.user.email,
                context=context,
                language=manager.user.language,
            )
        except Exception as error:  # one unreachable mailbox must not keep the others uninformed
            logger.exception(
                "Could not send the low-stock alert to %s; the task will try again.", manager.user.email
            )
            failure = failure or error
    if failure is not None:
        raise failure
    return sent
