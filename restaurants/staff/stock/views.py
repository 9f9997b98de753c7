"""The stock screens of the current restaurant: levels, what can still be made and why not, the ledger.

Managers (and head office) record deliveries, waste and inventory counts and set alert thresholds, each a
small form posted to its own URL and carried out by restaurants.services; pizzaiolos see the same page
without the forms, and a POST from them is a 403. A POST ends on the stock page (Post/Redirect/Get), a
refused one too: its form, with the input and the errors, is shown open there once. A stock is always looked up within
`request.staff.restaurant`: another restaurant's stock is a 404, whatever its id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from menu.models import Product, RecipeLine
from restaurants.availability import FEW_LEFT, MissingIngredient, missing_ingredients, with_portions_left
from restaurants.models import Restaurant, Role, Stock, StockMovement
from restaurants.staff.access import staff_required
from restaurants.staff.post_redirect import refuse
from restaurants.staff.stock.forms import ACTION_FORMS, MovementFilterForm, StockActionForm, action_prefix
from restaurants.templatetags.stock_tags import quantity

STOCK_VIEWERS = (Role.PIZZAIOLO,)  # managers and head office pass every role check, and alone may change
MOVEMENTS_PER_PAGE = 50
REFUSED_KEY = "stock_refused"
MAX_KEPT_INPUT = 1000  # characters of a refused field kept to show it again (a note holds 300)


@dataclass
class StockRow:
    stock: Stock
    forms: list[StockActionForm] = field(default_factory=list)
    open: bool = False  # the row whose form was refused is shown open, with its errors


@dataclass
class ProductRow:
    product: Product
    portions_left: int
    missing: list[MissingIngredient]

    @property
    def few_left(self) -> bool:
        return 0 < self.portions_left <= FEW_LEFT


def _products(restaurant: Restaurant, quantities: dict[int, Decimal]) -> list[ProductRow]:
    """Each active product with its portions left and, when it cannot be made, the ingredients too short.

    Two queries whatever the menu's size: the products with their portions left (computed by the
    database), then their recipe lines. The reasons are read from `quantities` (ingredient id → stock),
    the stock the page shows, rather than by a query per product.
    """
    products = with_portions_left(Product.objects.active(), restaurant).prefetch_related(
        Prefetch("recipe_lines", queryset=RecipeLine.objects.select_related("ingredient"))
    )
    rows = []
    for product in products:
        missing = (
            missing_ingredients(product.recipe_lines.all(), quantities) if product.portions_left <= 0 else []
        )
        rows.append(ProductRow(product=product, portions_left=product.portions_left, missing=missing))
    # What cannot be made comes first: that is what needs a delivery.
    rows.sort(key=lambda row: row.portions_left > 0)
    return rows


def _products_context(restaurant: Restaurant, quantities: dict[int, Decimal]) -> dict:
    """`products` (see `_products`) and `unavailable`, the names of those that cannot be made: what the live
    fragment reads out when it changes (data-announce)."""
    rows = _products(restaurant, quantities)
    return {"products": rows, "unavailable": [row.product.name for row in rows if row.portions_left <= 0]}


def _stocks(restaurant: Restaurant) -> list[Stock]:
    return list(
        Stock.objects.filter(restaurant=restaurant).select_related("ingredient").order_by("ingredient__name")
    )


def _refused_form(request: HttpRequest, stocks: list[Stock]) -> tuple[int, StockActionForm] | None:
    """The form a refused action left in the session (see `stock_action`), with its input and its errors;
    shown once."""
    refused = request.session.pop(REFUSED_KEY, None)
    stock = next((stock for stock in stocks if refused and stock.pk == refused.get("stock")), None)
    if stock is None or refused.get("action") not in ACTION_FORMS:
        return None
    form = ACTION_FORMS[refused["action"]](refused["data"], prefix=action_prefix(stock, refused["action"]))
    # The errors are the ones the POST got, the service's too (a waste larger than the stock): not re-checked.
    form.full_clean()
    form.errors.clear()
    for name, errors in refused["errors"].items():
        for error in errors:
            form.add_error(name, error)
    return stock.pk, form


def _stock_page(request: HttpRequest) -> HttpResponse:
    restaurant = request.staff.restaurant
    can_manage = request.staff.is_manager
    stocks = _stocks(restaurant)
    refused = _refused_form(request, stocks) if can_manage else None
    rows = []
    for stock in stocks:
        row = StockRow(stock=stock)
        if can_manage:
            for action, form_class in ACTION_FORMS.items():
                if refused and refused[0] == stock.pk and refused[1].action == action:
                    row.forms.append(refused[1])
                    row.open = True
                else:
                    # The current threshold as people write it: "80", "12,5" in French (not "80,000").
                    initial = {"quantity": quantity(stock.alert_threshold)} if action == "threshold" else None
                    row.forms.append(form_class(prefix=action_prefix(stock, action), initial=initial))
        rows.append(row)
    states = [stock.state for stock in stocks]
    context = {
        "rows": rows,
        **_products_context(restaurant, {stock.ingredient_id: stock.quantity for stock in stocks}),
        "can_manage": can_manage,
        "counts": {state: states.count(state) for state in ("ok", "low", "out")},
    }
    return render(request, "staff/stock.html", context)


@require_GET
@staff_required(*STOCK_VIEWERS)
def stock(request: HttpRequest) -> HttpResponse:
    return _stock_page(request)


@require_GET
@staff_required(*STOCK_VIEWERS)
def stock_products(request: HttpRequest) -> HttpResponse:
    """The live part of the stock page: what can still be made, polled by HTMX."""
    restaurant = request.staff.restaurant
    quantities = dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient_id", "quantity"))
    return render(request, "staff/includes/stock_products.html", _products_context(restaurant, quantities))


@require_POST
@staff_required(Role.MANAGER)
def stock_action(request: HttpRequest, stock_id: int, action: str) -> HttpResponse:
    """Record a delivery, waste or count, or change the threshold, of one stock of the current restaurant."""
    stock = get_object_or_404(
        Stock.objects.select_related("ingredient", "restaurant"),
        pk=stock_id,
        restaurant=request.staff.restaurant,
    )
    form = ACTION_FORMS[action](request.POST, prefix=action_prefix(stock, action))
    if form.is_valid() and (done := form.save(stock=stock, by=request.user)):
        messages.success(request, done)
        return redirect(f"{reverse('staff_stock')}#stock-{stock.pk}")
    # Post/Redirect/Get: the refused form (input and errors) waits in the session for the stock page.
    request.session[REFUSED_KEY] = {
        "stock": stock.pk,
        "action": action,
        "data": {
            key: request.POST.get(key, "")[:MAX_KEPT_INPUT] for key in map(form.add_prefix, form.fields)
        },
        "errors": {name: [str(error) for error in errors] for name, errors in form.errors.items()},
    }
    return refuse(
        request,
        _("Nothing was recorded for %(ingredient)s: see the form below.") % {"ingredient": stock.ingredient},
        f"{reverse('staff_stock')}#stock-{stock.pk}",
    )


@require_GET
@staff_required(*STOCK_VIEWERS)
def stock_movements(request: HttpRequest) -> HttpResponse:
    """The restaurant's ledger, newest first, filtered and paginated; the same few queries on any page."""
    restaurant = request.staff.restaurant
    form = MovementFilterForm(request.GET or None, restaurant=restaurant)
    movements = (
        StockMovement.objects.filter(stock__restaurant=restaurant)
        .select_related("stock__ingredient", "order", "user")
        .order_by("-created_at", "-id")
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            movements = form.filter(movements)
        else:
            movements, status = movements.none(), 400
    page = Paginator(movements, MOVEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": form.is_bound and form.has_changed()}
    return render(request, "staff/stock_movements.html", context, status=status)
