"""An order line's names, copied in every language at order time (django-modeltranslation, as
menu/translation.py): the customer's emails show them in the customer's language and the kitchen in its
own, and a product renamed since never rewrites an order (orders.services.lines.write_lines)."""

from modeltranslation.translator import translator

from orders.models import OrderLine, OrderLineExtra

translator.register(OrderLine, fields=("product_name", "formule_name"))
translator.register(OrderLineExtra, fields=("name",))
