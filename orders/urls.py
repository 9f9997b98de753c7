from django.urls import path

from orders.views import (
    cart,
    checkout,
    customer,
    payments,
    staff_counter,
    staff_dashboard,
    staff_delivery,
    staff_kitchen,
    webhooks,
)

urlpatterns = [
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/lines/<int:index>/", cart.cart_update, name="cart_update"),
    path("cart/lines/<int:index>/remove/", cart.cart_remove, name="cart_remove"),
    path("cart/clear/", cart.cart_clear, name="cart_clear"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("payments/demo/<str:reference>/", payments.demo_payment, name="demo_payment"),
    path("orders/<str:number>/pay/", payments.order_pay, name="order_pay"),
    # Stripe: the return pages of Checkout and the signed webhook.
    path("payments/stripe/success/<str:number>/", payments.stripe_success, name="stripe_success"),
    path(
        "payments/stripe/success/<str:number>/status/",
        payments.stripe_success_status,
        name="stripe_success_status",
    ),
    path("payments/stripe/cancel/<str:number>/", payments.stripe_cancel, name="stripe_cancel"),
    path("payments/stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("orders/", customer.order_list, name="order_list"),
    path("orders/<str:number>/", customer.order_tracking, name="order_tracking"),
    path("orders/<str:number>/status/", customer.order_status_fragment, name="order_status_fragment"),
    path("orders/<str:number>/modify/", customer.order_modify, name="order_modify"),
    path("orders/<str:number>/cancel/", customer.order_cancel, name="order_cancel"),
    path("orders/<str:number>/reorder/", customer.order_reorder, name="order_reorder"),
    # Counter and phone orders (staff).
    path("staff/counter/", staff_counter.counter, name="staff_counter"),
    path("staff/counter/orders/", staff_counter.counter_orders, name="staff_counter_orders"),
    path("staff/counter/orders/<str:number>/", staff_counter.counter_order, name="staff_counter_order"),
    path(
        "staff/counter/orders/<str:number>/hand-over/",
        staff_counter.counter_hand_over,
        name="staff_counter_hand_over",
    ),
    path(
        "staff/counter/orders/<str:number>/cancel/", staff_counter.counter_cancel, name="staff_counter_cancel"
    ),
    path("staff/counter/new/", staff_counter.counter_new, name="staff_counter_new"),
    path("staff/counter/new/add/", staff_counter.counter_add, name="staff_counter_add"),
    path("staff/counter/new/lines/<int:index>/", staff_counter.counter_line, name="staff_counter_line"),
    path("staff/counter/new/customer/", staff_counter.counter_customer, name="staff_counter_customer"),
    path("staff/counter/new/clear/", staff_counter.counter_clear, name="staff_counter_clear"),
    # Kitchen board, recipe cards and tickets; delivery board (staff).
    path("staff/kitchen/", staff_kitchen.kitchen, name="staff_kitchen"),
    path("staff/kitchen/board/", staff_kitchen.kitchen_board, name="staff_kitchen_board"),
    path("staff/kitchen/orders/<str:number>/start/", staff_kitchen.kitchen_start, name="staff_kitchen_start"),
    path("staff/kitchen/orders/<str:number>/ready/", staff_kitchen.kitchen_ready, name="staff_kitchen_ready"),
    path(
        "staff/kitchen/orders/<str:number>/ticket/", staff_kitchen.kitchen_ticket, name="staff_kitchen_ticket"
    ),
    path("staff/kitchen/lines/<int:line_id>/", staff_kitchen.recipe_card, name="staff_recipe_card"),
    path("staff/delivery/", staff_delivery.delivery, name="staff_delivery"),
    path("staff/delivery/board/", staff_delivery.delivery_board, name="staff_delivery_board"),
    path(
        "staff/delivery/orders/<str:number>/take/", staff_delivery.delivery_take, name="staff_delivery_take"
    ),
    path(
        "staff/delivery/orders/<str:number>/delivered/",
        staff_delivery.delivery_deliver,
        name="staff_delivery_deliver",
    ),
    path(
        "staff/delivery/orders/<str:number>/failed/",
        staff_delivery.delivery_failed,
        name="staff_delivery_failed",
    ),
    # Manager dashboard (staff).
    path("staff/dashboard/", staff_dashboard.dashboard_page, name="staff_dashboard"),
    path("staff/dashboard/orders.csv", staff_dashboard.dashboard_csv, name="staff_dashboard_csv"),
]
