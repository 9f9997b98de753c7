from django.urls import URLResolver, path, register_converter

from common.urls import under
from orders.staff import delivery as staff_delivery
from orders.staff import kitchen as staff_kitchen
from orders.staff.counter import formules as counter_formules
from orders.staff.counter import new_order as counter_new_order
from orders.staff.counter import views as staff_counter
from orders.staff.dashboard import views as staff_dashboard
from orders.views import cart, checkout, customer, formules, payments, webhooks


class OrderNumberConverter:
    """An order number as printed or typed ("K7M-3QX", in any case). Anything else matches no URL, so it is
    a 404 before any query: PostgreSQL would answer a NUL character in a looked-up value with an error."""

    regex = "[A-Za-z0-9-]{1,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class PaymentReferenceConverter(OrderNumberConverter):
    """A provider's reference of a payment ("demo_" followed by a URL-safe token)."""

    regex = "[A-Za-z0-9_-]{1,255}"


register_converter(OrderNumberConverter, "order_number")
register_converter(PaymentReferenceConverter, "payment_reference")

# Grouped by screen with common.urls.under (include() without a namespace: every URL keeps its name,
# "staff_kitchen_start" and so on).
ORDER = "<order_number:number>"


def of_an_order(*patterns) -> URLResolver:
    """The URLs about one order, under `orders/<number>/` (its pages for the customer, a screen's actions)."""
    return under(f"orders/{ORDER}/", *patterns)


urlpatterns = [
    under(
        "cart/",
        path("", cart.cart, name="cart"),
        path("add/", cart.cart_add, name="cart_add"),
        path("lines/<int:index>/", cart.cart_update, name="cart_update"),
        path("lines/<int:index>/remove/", cart.cart_remove, name="cart_remove"),
        path("clear/", cart.cart_clear, name="cart_clear"),
        path("code/", cart.cart_promo, name="cart_promo"),
        path("reward/", cart.cart_reward, name="cart_reward"),
    ),
    path("formules/<int:restaurant_id>/<int:formule_id>/", formules.formule_compose, name="formule_compose"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("payments/demo/<payment_reference:reference>/", payments.demo_payment, name="demo_payment"),
    # Stripe: the return pages of Checkout and the signed webhook.
    under(
        "payments/stripe/",
        path(f"success/{ORDER}/", payments.stripe_success, name="stripe_success"),
        path(f"success/{ORDER}/status/", payments.stripe_success_status, name="stripe_success_status"),
        path(f"cancel/{ORDER}/", payments.stripe_cancel, name="stripe_cancel"),
        path("webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    ),
    path("orders/", customer.order_list, name="order_list"),
    of_an_order(
        path("", customer.order_tracking, name="order_tracking"),
        path("pay/", payments.order_pay, name="order_pay"),
        path("status/", customer.order_status_fragment, name="order_status_fragment"),
        path("modify/", customer.order_modify, name="order_modify"),
        path("cancel/", customer.order_cancel, name="order_cancel"),
        path("reorder/", customer.order_reorder, name="order_reorder"),
    ),
    # Counter and phone orders (staff).
    under(
        "staff/counter/",
        path("", staff_counter.counter, name="staff_counter"),
        path("orders/", staff_counter.counter_orders, name="staff_counter_orders"),
        of_an_order(
            path("", staff_counter.counter_order, name="staff_counter_order"),
            path("hand-over/", staff_counter.counter_hand_over, name="staff_counter_hand_over"),
            path("cancel/", staff_counter.counter_cancel, name="staff_counter_cancel"),
        ),
    ),
    # A new counter or phone order being taken.
    under(
        "staff/counter/new/",
        path("", counter_new_order.counter_new, name="staff_counter_new"),
        path("add/", counter_new_order.counter_add, name="staff_counter_add"),
        path("formules/<int:formule_id>/", counter_formules.counter_formule, name="staff_counter_formule"),
        path("lines/<int:index>/", counter_new_order.counter_line, name="staff_counter_line"),
        path("customer/", counter_new_order.counter_customer, name="staff_counter_customer"),
        path("clear/", counter_new_order.counter_clear, name="staff_counter_clear"),
        path("code/", counter_new_order.counter_promo, name="staff_counter_promo"),
        path(f"repeat/{ORDER}/", counter_new_order.counter_repeat, name="staff_counter_repeat"),
    ),
    # Kitchen board, recipe cards and tickets; the pass; delivery board (staff).
    under(
        "staff/kitchen/",
        path("", staff_kitchen.kitchen, name="staff_kitchen"),
        path("board/", staff_kitchen.kitchen_board, name="staff_kitchen_board"),
        of_an_order(
            path("start/", staff_kitchen.kitchen_start, name="staff_kitchen_start"),
            path("ready/", staff_kitchen.kitchen_ready, name="staff_kitchen_ready"),
            path("ticket/", staff_kitchen.kitchen_ticket, name="staff_kitchen_ticket"),
            path("recall/", staff_kitchen.kitchen_recall, name="staff_kitchen_recall"),
        ),
        path("lines/<int:line_id>/", staff_kitchen.recipe_card, name="staff_recipe_card"),
        path("lines/<int:line_id>/bump/", staff_kitchen.kitchen_line, name="staff_kitchen_line"),
    ),
    under(
        "staff/expo/",
        path("", staff_kitchen.expo, name="staff_expo"),
        path("board/", staff_kitchen.expo_board, name="staff_expo_board"),
    ),
    under(
        "staff/delivery/",
        path("", staff_delivery.delivery, name="staff_delivery"),
        path("board/", staff_delivery.delivery_board, name="staff_delivery_board"),
        path("trip/", staff_delivery.delivery_trip, name="staff_delivery_trip"),
        of_an_order(
            path("take/", staff_delivery.delivery_take, name="staff_delivery_take"),
            path("delivered/", staff_delivery.delivery_deliver, name="staff_delivery_deliver"),
            path("failed/", staff_delivery.delivery_failed, name="staff_delivery_failed"),
        ),
    ),
    # Manager dashboard (staff).
    path("staff/dashboard/", staff_dashboard.dashboard_page, name="staff_dashboard"),
    path("staff/dashboard/orders.csv", staff_dashboard.dashboard_csv, name="staff_dashboard_csv"),
]
