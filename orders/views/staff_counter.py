"""The counter screen: the restaurant's live order list, hand-over of pick-ups, and orders taken by phone or
at the counter.

Everything acts on the staff user's current restaurant (restaurants.access.staff_required sets
`request.staff`): an order of another restaurant is a 404, whatever its number. The order being taken lives
in the session under its own key (CounterCart), apart from the staff user's own website cart, and goes
through the same services as the website: the menu and its stock (restaurants.selectors.menu_sections),
orders.services.price_lines, available_times and place_order.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Address, User
from common.parsing import whole_number
from orders.cart import Cart, CartContents, addable_quantity, cart_contents
from orders.errors import OrderError
from orders.forms_counter import (
    AddLineForm,
    CancelForm,
    CounterOrderForm,
    CustomerSearchForm,
)
from orders.models import (
    ACTIVE_STATUSES,
    CUSTOMER_EDITABLE_STATUSES,
    Fulfilment,
    Order,
    OrderLine,
    Provider,
    Status,
)
from orders.selectors import order_with_details
from orders.services import (
    MAX_QUANTITY_PER_LINE,
    Contact,
    available_times,
    cancel_order,
    hand_over_pickup,
    place_order,
    price_lines,
)
from orders.views.cart import describe
from restaurants.access import staff_required
from restaurants.models import Restaurant, Role
from restaurants.post_redirect import refuse
from restaurants.selectors import MenuItem, menu_sections

CUSTOMER_KEY = "counter_customer"
# Orders still to be dealt with, shown whatever the day they were placed.
OPEN_STATUSES = (Status.AWAITING_PAYMENT, *ACTIVE_STATUSES)
# The list puts first what the counter acts on: ready orders waiting for their customer.
_LIST_ORDER = [
    Status.READY,
    Status.RECEIVED,
    Status.PREPARING,
    Status.OUT_FOR_DELIVERY,
    Status.AWAITING_PAYMENT,
]
MAX_LISTED = 200
MAX_MATCHES = 10
# Words of a search beyond these are left out: a name and a surname find anyone.
MAX_SEARCH_WORDS = 4


class CounterCart(Cart):
    """The order being taken at the counter, kept apart from the staff user's own website cart."""

    session_key = "counter_cart"


def _order_or_404(request: HttpRequest, number: str, *, details: bool = False) -> Order:
    """An order of the current restaurant; any other is a 404, revealing nothing."""
    queryset = order_with_details() if details else Order.objects.select_related("restaurant")
    order = queryset.filter(restaurant=request.staff.restaurant, number=number.upper()).first()
    if order is None:
        raise Http404
    return order


def tracking_path(order: Order) -> str:
    return reverse("order_tracking", args=[order.number]) + f"?t={order.tracking_token}"


# ---------- The live order list ----------


def _status_filter(value: str | None) -> str:
    return value if value in Status.values else ""


def _listed_orders(restaurant: Restaurant, *, status: str) -> tuple[list[Order], dict[str, int]]:
    """Today's orders of the restaurant and its open ones (of any day), those of `status` when given, with
    the number of each status for the filters. Three queries: counts, orders, their lines."""
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    listed = Order.objects.for_restaurant(restaurant).filter(
        Q(created_at__gte=start_of_day) | Q(status__in=OPEN_STATUSES)
    )
    counts = dict(listed.order_by().values_list("status").annotate(count=Count("id")))
    if status:
        listed = listed.filter(status=status)
    rank = Case(
        *[When(status=value, then=Value(position)) for position, value in enumerate(_LIST_ORDER)],
        default=Value(len(_LIST_ORDER)),
        output_field=IntegerField(),
    )
    orders = list(
        listed.annotate(rank=rank)
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("rank", F("due_at").asc(nulls_last=True), "-created_at")[:MAX_LISTED]
    )
    return orders, counts


def _list_context(request: HttpRequest) -> dict:
    status = _status_filter(request.GET.get("status"))
    orders, counts = _listed_orders(request.staff.restaurant, status=status)
    filters = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0))
        for value, label in Status.choices
        if counts.get(value) or value == status or value in ACTIVE_STATUSES
    ]
    return {
        "orders": orders,
        "status": status,
        "filters": filters,
        "now": timezone.now(),
        "late_statuses": (Status.RECEIVED, Status.PREPARING, Status.READY),
    }


@staff_required(Role.COUNTER)
@require_GET
def counter(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/counter.html", _list_context(request))


@staff_required(Role.COUNTER)
@require_GET
def counter_orders(request: HttpRequest) -> HttpResponse:
    """The part of the counter screen that HTMX polls every few seconds."""
    return render(request, "staff/includes/counter_orders.html", _list_context(request))


@staff_required(Role.COUNTER)
@require_GET
def counter_order(request: HttpRequest, number: str) -> HttpResponse:
    """One order: its lines, its customer, the tracking link to give them, and what the counter may do."""
    order = _order_or_404(request, number, details=True)
    path = tracking_path(order)
    return render(
        request,
        "staff/counter_order.html",
        {"order": order, "tracking_url": request.build_absolute_uri(path)},
    )


def _back_to_list(request: HttpRequest) -> HttpResponse:
    status = _status_filter(request.POST.get("back"))
    url = reverse("staff_counter")
    return redirect(f"{url}?status={status}" if status else url)


@staff_required(Role.COUNTER)
@require_POST
def counter_hand_over(request: HttpRequest, number: str) -> HttpResponse:
    """Hand a ready pick-up over, recording cash or card when it is not paid yet (`payment`)."""
    order = _order_or_404(request, number)
    payment = request.POST.get("payment", "")
    if payment not in ("", Provider.CASH, Provider.CARD):
        return refuse(request, _("Choose cash or card."), "staff_counter_order", order.number)
    try:
        order = hand_over_pickup(order=order, by=request.user, payment=payment)
    except OrderError as error:
        return refuse(request, error.message, "staff_counter_order", order.number)
    messages.success(request, _("Order %(number)s is handed over.") % {"number": order.number})
    return _back_to_list(request)


@staff_required(Role.COUNTER)
@require_http_methods(["GET", "POST"])
def counter_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel an order before its preparation, with a reason; its ingredients go back to stock."""
    order = _order_or_404(request, number)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if order.status not in CUSTOMER_EDITABLE_STATUSES:
        return refuse(
            request,
            _("This order is already being prepared and can no longer be cancelled at the counter."),
            "staff_counter_order",
            order.number,
        )
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                cancel_order(
                    order=order,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    by_customer=False,
                    before_preparation_only=True,
                )
            except OrderError as error:
                return refuse(request, error.message, "staff_counter_order", order.number)
            messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
            return redirect("staff_counter")
    return render(request, "staff/counter_cancel.html", {"order": order, "form": form}, status=status)


# ---------- Taking an order ----------


def _counter_cart(request: HttpRequest) -> CounterCart:
    """The order being taken, for the current restaurant only (switching restaurant starts a new one)."""
    cart = CounterCart.load(request.session)
    if cart.lines and not cart.is_for(request.staff.restaurant.pk):
        cart.clear()
        cart.save(request.session)
        request.session.pop(CUSTOMER_KEY, None)
    cart.restaurant_id = request.staff.restaurant.pk
    return cart


def _chosen_customer(request: HttpRequest) -> User | None:
    customer_id = request.session.get(CUSTOMER_KEY)
    if not customer_id:
        return None
    return User.objects.filter(pk=customer_id, is_active=True).first()


def find_customers(search: CustomerSearchForm) -> list[User]:
    """Up to MAX_MATCHES active accounts for a valid search, each with its address book (`user.book`).

    A whole phone number is one equality on the indexed E.164 column, so its owner comes first and alone.
    Anything else is read word by word, each word found in the first name, the last name or the email; a
    search that reads as part of a phone number ("06 12", "56 78", "+44 20") also finds the numbers that
    start with it, or contain it when written without its leading 0. Two queries: accounts, addresses.
    """
    book = Prefetch("addresses", queryset=Address.objects.active().order_by("label", "id"), to_attr="book")
    users = (
        User.objects.filter(is_active=True).prefetch_related(book).order_by("last_name", "first_name", "id")
    )
    number = search.phone
    if number is not None:
        return list(users.filter(phone=number.as_e164)[:MAX_MATCHES])
    words = Q()
    for word in search.cleaned_data["q"].split()[:MAX_SEARCH_WORDS]:
        words &= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
    digits = search.phone_digits
    if digits.startswith("+"):
        words |= Q(phone__startswith=digits)
    elif digits.startswith("0"):
        # A French number written nationally: "06 12" is the start of "+33612…".
        words |= Q(phone__startswith=f"+33{digits[1:]}")
    elif digits:
        words |= Q(phone__contains=digits)
    return list(users.filter(words)[:MAX_MATCHES])


def _menu_items(restaurant: Restaurant) -> tuple[list, dict[int, MenuItem]]:
    sections = menu_sections(restaurant)
    return sections, {item.product.pk: item for section in sections for item in section.items}


def _order_form(
    request: HttpRequest,
    *,
    restaurant: Restaurant,
    customer: User | None,
    contents: CartContents,
    search: CustomerSearchForm,
    now,
) -> CounterOrderForm:
    initial = {}
    if customer is None and search.is_valid():
        # Nobody found: the number or address just asked for is the walk-in customer's.
        if search.is_email:
            initial["email"] = search.cleaned_data["q"]
        elif search.phone is not None:
            initial["phone"] = search.phone
    return CounterOrderForm(
        request.POST if request.method == "POST" and "place" in request.POST else None,
        initial=initial,
        customer=customer,
        addresses=customer.book if customer is not None else [],
        delivery_times=available_times(
            restaurant=restaurant, fulfilment=Fulfilment.DELIVERY, pizzas=contents.pizzas, now=now
        ),
        pickup_times=available_times(
            restaurant=restaurant, fulfilment=Fulfilment.PICKUP, pizzas=contents.pizzas, now=now
        ),
        now=now,
        served_postal_codes={zone.postal_code for zone in restaurant.delivery_zones.all()},
    )


def _new_order_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """The new-order screen: the customer, the menu, the lines taken so far, and the order's details.

    A POST with `place` places the order; anything refused comes back here with a 400 and nothing written.
    """
    restaurant = request.staff.restaurant
    prefetch_related_objects([restaurant], "opening_hours", "delivery_zones")
    cart = _counter_cart(request)
    contents = cart_contents(cart)
    now = timezone.now()
    customer = _chosen_customer(request)
    if customer is not None:
        customer.book = list(Address.objects.active().filter(user=customer).order_by("label", "id"))
    search = CustomerSearchForm(request.GET if "q" in request.GET else None)
    matches = find_customers(search) if search.is_valid() else None
    form = _order_form(
        request, restaurant=restaurant, customer=customer, contents=contents, search=search, now=now
    )
    if form.is_bound:
        status = 400
        if not contents.rows:
            form.add_error(None, _("Add at least one product to the order."))
        elif contents.problems:
            names = ", ".join(dict.fromkeys(row.name for row in contents.problems))
            form.add_error(
                None,
                ngettext(
                    "%(products)s can no longer be made as it is: change the order.",
                    "%(products)s can no longer be made as they are: change the order.",
                    len(contents.problems),
                )
                % {"products": names},
            )
        elif form.is_valid():
            data = form.cleaned_data
            try:
                order = place_order(
                    restaurant=restaurant,
                    lines=cart.lines,
                    fulfilment=data["fulfilment"],
                    payment_method=data["payment_method"],
                    contact=Contact(name=data["name"], phone=str(data["phone"]), email=data["email"]),
                    customer=customer,
                    address=data.get("delivery_address"),
                    requested_time=data["requested_time"],
                    channel=data["channel"],
                    taken_by=request.user,
                    note=data["note"],
                    now=now,
                )
            except OrderError as error:  # ProductUnavailable too: its message names the products
                form.add_error(None, error.message)
            else:
                cart.clear()
                cart.save(request.session)
                request.session.pop(CUSTOMER_KEY, None)
                messages.success(request, _("Order %(number)s is placed.") % {"number": order.number})
                return redirect("staff_counter_order", order.number)
    sections, _items = _menu_items(restaurant)
    return render(
        request,
        "staff/counter_new.html",
        {
            "restaurant": restaurant,
            "sections": sections,
            "contents": contents,
            "customer": customer,
            "search": search,
            "matches": matches,
            "form": form,
            "max_quantity": MAX_QUANTITY_PER_LINE,
            "served": [zone.postal_code for zone in restaurant.delivery_zones.all()],
            "total_delivered": contents.subtotal + restaurant.delivery_fee,
        },
        status=status,
    )


@staff_required(Role.COUNTER)
@require_http_methods(["GET", "POST"])
def counter_new(request: HttpRequest) -> HttpResponse:
    return _new_order_page(request)


def _refuse_line(request: HttpRequest, message: str) -> HttpResponse:
    return refuse(request, message, f"{reverse('staff_counter_new')}#counter-lines")


def _back_to_new(anchor: str = "counter-lines") -> HttpResponse:
    return redirect(f"{reverse('staff_counter_new')}#{anchor}")


@staff_required(Role.COUNTER)
@require_POST
def counter_add(request: HttpRequest) -> HttpResponse:
    """Add a product of the menu, with its modifiers, to the order being taken, if the stock can make it."""
    restaurant = request.staff.restaurant
    _sections, items = _menu_items(restaurant)
    form = AddLineForm(request.POST, items=items)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _refuse_line(request, first)
    line = form.line_request()
    try:
        (priced,) = price_lines([line])
    except OrderError as error:
        return _refuse_line(request, error.message)
    cart = _counter_cart(request)
    same = next(
        (
            existing
            for existing in cart.lines
            if (existing.product_id, existing.removed_ids, existing.extra_ids)
            == (line.product_id, line.removed_ids, line.extra_ids)
        ),
        None,
    )
    in_order = same.quantity if same else 0
    if in_order + line.quantity > MAX_QUANTITY_PER_LINE:
        return _refuse_line(
            request,
            _("At most %(max)d of the same item in one order; it holds %(count)d.")
            % {"max": MAX_QUANTITY_PER_LINE, "count": in_order},
        )
    can_add = addable_quantity(
        restaurant=restaurant, cart_lines=cart_contents(cart).priced_lines, line=priced
    )
    if line.quantity > can_add:
        name = priced.product.name
        if can_add <= 0:
            message = _("Sorry, %(product)s is sold out.") % {"product": name}
        else:
            message = ngettext(
                "Only %(count)d more %(product)s can be made right now.",
                "Only %(count)d more %(product)s can be made right now.",
                can_add,
            ) % {"count": can_add, "product": name}
        return _refuse_line(request, message)
    try:
        cart.add(line)
    except ValueError:
        return _refuse_line(request, _("Too many lines in one order."))
    cart.save(request.session)
    messages.success(request, _("Added: %(line)s.") % {"line": describe(priced)})
    return _back_to_new(f"product-{priced.product.slug}")


@staff_required(Role.COUNTER)
@require_POST
def counter_line(request: HttpRequest, index: int) -> HttpResponse:
    """Set the quantity of a line of the order being taken (0 removes it)."""
    cart = _counter_cart(request)
    if not 0 <= index < len(cart.lines):
        return refuse(
            request,
            _("This line is no longer in the order."),
            f"{reverse('staff_counter_new')}#counter-lines",
        )
    quantity = whole_number(request.POST.get("quantity"), max_digits=3)
    if quantity is None or quantity > MAX_QUANTITY_PER_LINE:
        return _refuse_line(
            request, _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY_PER_LINE}
        )
    if quantity > cart.lines[index].quantity:
        contents = cart_contents(cart)
        row = contents.rows[index]
        others = [other.priced for other in contents.rows if other.index != index and other.priced]
        can_make = (
            addable_quantity(restaurant=request.staff.restaurant, cart_lines=others, line=row.priced)
            if row.priced
            else 0
        )
        if quantity > can_make:
            return _refuse_line(
                request,
                ngettext(
                    "Only %(count)d %(product)s can be made right now.",
                    "Only %(count)d %(product)s can be made right now.",
                    can_make,
                )
                % {"count": can_make, "product": row.name},
            )
    cart.set_quantity(index, quantity)
    cart.save(request.session)
    return _back_to_new()


@staff_required(Role.COUNTER)
@require_POST
def counter_customer(request: HttpRequest) -> HttpResponse:
    """Take the order for a customer's account (`customer`: its id), or for nobody's (`forget`)."""
    if "forget" in request.POST:
        request.session.pop(CUSTOMER_KEY, None)
        return _back_to_new("counter-customer")
    customer_id = whole_number(request.POST.get("customer"))
    user = User.objects.filter(pk=customer_id, is_active=True).first() if customer_id is not None else None
    if user is None:
        return refuse(
            request,
            _("This customer account does not exist."),
            f"{reverse('staff_counter_new')}#counter-customer",
        )
    request.session[CUSTOMER_KEY] = user.pk
    messages.success(
        request, _("The order is for %(customer)s.") % {"customer": user.get_full_name() or user.email}
    )
    return _back_to_new("counter-lines")


@staff_required(Role.COUNTER)
@require_POST
def counter_clear(request: HttpRequest) -> HttpResponse:
    """Start again: no line, no customer."""
    cart = _counter_cart(request)
    cart.clear()
    cart.save(request.session)
    request.session.pop(CUSTOMER_KEY, None)
    messages.info(request, _("The order was cleared."))
    return redirect("staff_counter_new")
