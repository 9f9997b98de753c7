"""The staff screens of `orders`, by role: the kitchen display and the pass, the delivery board, the counter
and the manager dashboard. Each is registered in the staff navigation (restaurants.staff.screens) from here."""


def register_screens() -> None:
    """Put the kitchen, the pass, delivery, counter and dashboard in the staff navigation, each the home screen of its
    role (called by OrdersConfig.ready)."""
    from django.utils.translation import gettext_lazy as _

    from orders.staff.counter.views import COUNTER_STAFF
    from orders.staff.dashboard.views import DASHBOARD_READERS
    from orders.staff.delivery import DRIVERS
    from orders.staff.kitchen import KITCHEN_VIEWERS
    from restaurants.models import Role
    from restaurants.staff import screens
    from restaurants.staff.access import HEAD_OFFICE

    screens.register(
        "staff_kitchen", label=_("Kitchen"), roles=KITCHEN_VIEWERS, position=10, home_of=(Role.PIZZAIOLO,)
    )
    screens.register("staff_expo", label=_("Pass"), roles=KITCHEN_VIEWERS, position=15)
    screens.register("staff_delivery", label=_("Deliveries"), roles=DRIVERS, position=30, home_of=DRIVERS)
    screens.register(
        "staff_counter", label=_("Counter"), roles=COUNTER_STAFF, position=40, home_of=(Role.COUNTER,)
    )
    screens.register(
        "staff_dashboard",
        label=_("Dashboard"),
        roles=DASHBOARD_READERS,
        position=60,
        home_of=(Role.MANAGER, HEAD_OFFICE),
    )
