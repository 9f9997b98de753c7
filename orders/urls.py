from django.urls import path

from orders.views import cart, checkout, customer, payments

urlpatterns = [
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/lines/<int:index>/", cart.cart_update, name="cart_update"),
    path("cart/lines/<int:index>/remove/", cart.cart_remove, name="cart_remove"),
    path("cart/clear/", cart.cart_clear, name="cart_clear"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("payments/demo/<str:reference>/", payments.demo_payment, name="demo_payment"),
    path("orders/<str:number>/pay/", payments.order_pay, name="order_pay"),
    path("orders/", customer.order_list, name="order_list"),
    path("orders/<str:number>/", customer.order_tracking, name="order_tracking"),
    path("orders/<str:number>/status/", customer.order_status_fragment, name="order_status_fragment"),
    path("orders/<str:number>/modify/", customer.order_modify, name="order_modify"),
    path("orders/<str:number>/cancel/", customer.order_cancel, name="order_cancel"),
    path("orders/<str:number>/reorder/", customer.order_reorder, name="order_reorder"),
]
