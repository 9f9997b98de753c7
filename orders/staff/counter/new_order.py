"""Taking an order by phone or at the counter: the customer, the menu, the lines, the order's details.

The order being taken lives in the session under its own key (orders.staff.counter.taken), apart from the
staff user's own website cart, for the current restaurant only, and goes through the same services as the
website: the menu and its stock (restaurants.selectors.menu_sections), orders.services.price_lines,
available_times and place_order. Every change of a line is a POST that ends on the new-order screen (Post/Redirect/Get).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Address, User
from common.parsing import whole_number
from offers.formules import offers_at
from orders.cart_contents import CartContents, addable_quantity, cart_contents
from orders.errors import OrderError
from orders.forms import offered_times
from orders.forms_cart import PromoCodeForm
from orders.models import Channel, Order
from orders.reorder import reorder_lines
from orders.services import MAX_QUANTITY_PER_LINE, Contact, place_order, price_lines
from orders.staff.counter.customers import find_customers
from orders.staff.counter.forms import AddLineForm, CounterOrderForm, CustomerSearchForm
from orders.staff.counter.taken import CUSTOMER_KEY, CounterCart, back_to_new, chosen_customer, counter_cart
from orders.staff.counter.views import COUNTER_STAFF
from orders.staff.selectors import get_order_for_staff
from orders.views.cart import describe
from restaurants.models import Restaurant
from restaurants.selectors import MenuItem, menu_sections
from restaurants.staff.access import staff_required
from restaurants.staff.post_redirect import refuse

# Promo codes are checked as the offers' "counter" channel (offers.rules), for the customer picked or for
# nobody (a walk-in: codes for a first order or limited per customer are refused with their reason);
# place_order checks the code again, under its lock, for the same channel (a phone order is "counter" too).
CODE_CHANNEL = Channel.COUNTER


def _walk_in_reason(message: str) -> str:
    """offers.rules asks a guest on the website to sign in for a code kept for accounts (a first order, or a
    limited number of uses per customer); at the counter it means picking the customer's account."""
    if message == _("Sign in to use this code."):
        return _(
            "This code is for a customer's account (first order or limited uses): pick the customer first."
        )
    return message


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
        **offered_times(restaurant=restaurant, pizzas=contents.pizzas, now=now),
        now=now,
        served_postal_codes=restaurant.served_postal_codes(),
    )


def _lines_can_be_placed(form: CounterOrderForm, contents: CartContents) -> bool:
    """Whether the lines taken can be placed as they are; if not, say why on the form."""
    if not contents.rows:
        form.add_error(None, _("Add at least one product to the order."))
        return False
    if contents.problems:
        form.add_error(
            None,
            ngettext(
                "%(products)s can no longer be made as it is: change the order.",
                "%(products)s can no longer be made as they are: change the order.",
                len(contents.problems),
            )
            % {"products": contents.problem_names},
        )
        return False
    return True


def _place(
    request: HttpRequest, *, form: CounterOrderForm, cart: CounterCart, customer: User | None, now: datetime
) -> Order | None:
    """Place the order of a valid form, then start the next one afresh (no line, no customer); a refusal
    (ProductUnavailable too: its message names the products) is put on the form and nothing is written."""
    data = form.cleaned_data
    try:
        order = place_order(
            restaurant=request.staff.restaurant,
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
            promo_code=cart.promo_code,
        )
    except OrderError as error:
        form.add_error(None, _walk_in_reason(error.message))
        return None
    cart.clear()
    cart.save(request.session)
    request.session.pop(CUSTOMER_KEY, None)
    return order


def _new_order_page(
    request: HttpRequest, *, status: int = 200, promo_form: PromoCodeForm | None = None
) -> HttpResponse:
    """The new-order screen: the customer, the menu, the lines taken so far with the promo code's discount,
    and the order's details.

    A POST with `place` places the order; anything refused comes back here with a 400 and nothing written.
    """
    restaurant = request.staff.restaurant
    prefetch_related_objects([restaurant], "opening_hours", "delivery_zones")
    cart = counter_cart(request)
    now = timezone.now()
    customer = chosen_customer(request)
    contents = cart_contents(cart, customer=customer, channel=CODE_CHANNEL, now=now)
    contents.offer_refused = _walk_in_reason(contents.offer_refused)
    if customer is not None:
        customer.book = list(Address.objects.active().filter(user=customer).order_by("label", "id"))
    search = CustomerSearchForm(request.GET if "q" in request.GET else None)
    matches = find_customers(search, restaurant) if search.is_valid() else None
    form = _order_form(
        request, restaurant=restaurant, customer=customer, contents=contents, search=search, now=now
    )
    if form.is_bound:
        status = 400
        if _lines_can_be_placed(form, contents) and form.is_valid():
            order = _place(request, form=form, cart=cart, customer=customer, now=now)
            if order is not None:
                messages.success(request, _("Order %(number)s is placed.") % {"number": order.number})
                return redirect("staff_counter_order", order.number)
    sections, _items = _menu_items(restaurant)
    return render(
        request,
        "staff/counter_new.html",
        {
            "restaurant": restaurant,
            "sections": sections,
            "formules": offers_at(restaurant, sections=sections),
            "contents": contents,
            "customer": customer,
            "search": search,
            "matches": matches,
            "form": form,
            "max_quantity": MAX_QUANTITY_PER_LINE,
            "promo_form": promo_form or PromoCodeForm(),
        },
        status=status,
    )


@staff_required(*COUNTER_STAFF)
@require_http_methods(["GET", "POST"])
def counter_new(request: HttpRequest) -> HttpResponse:
    return _new_order_page(request)


def _refuse_line(request: HttpRequest, message: str) -> HttpResponse:
    return refuse(request, message, f"{reverse('staff_counter_new')}#counter-lines")


@staff_required(*COUNTER_STAFF)
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
    cart = counter_cart(request)
    in_order = cart.quantity_of(line)
    if in_order + line.quantity > MAX_QUANTITY_PER_LINE:
        return _refuse_line(
            request,
            _("At most %(max)d of the same item in one order; it holds %(count)d.")
            % {"max": MAX_QUANTITY_PER_LINE, "count": in_order},
        )
    can_add = addable_quantity(
        restaurant=restaurant, cart_lines=cart_contents(cart, check_stock=False).priced_lines, line=priced
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
    return back_to_new(f"product-{priced.product.slug}")


@staff_required(*COUNTER_STAFF)
@require_POST
def counter_line(request: HttpRequest, index: int) -> HttpResponse:
    """Set the quantity of a line of the order being taken (0 removes it). A formule's line has no quantity of
    its own: 0 removes the whole formule, anything else is refused."""
    cart = counter_cart(request)
    if not 0 <= index < len(cart.lines):
        return _refuse_line(request, _("This line is no longer in the order."))
    quantity = whole_number(request.POST.get("quantity"), max_digits=3)
    if quantity is None or quantity > MAX_QUANTITY_PER_LINE:
        return _refuse_line(
            request, _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY_PER_LINE}
        )
    if cart.lines[index].formule is not None:
        if quantity:
            return _refuse_line(request, _("A formule is taken whole: remove it, then add it again."))
        cart.remove(index)
        cart.save(request.session)
        return back_to_new()
    if quantity > cart.lines[index].quantity:
        contents = cart_contents(cart, check_stock=False)
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
    return back_to_new()


@staff_required(*COUNTER_STAFF)
@require_POST
def counter_promo(request: HttpRequest) -> HttpResponse:
    """Apply a promo code to the order being taken (kept only when offers.rules accepts it for the customer
    picked, or for a walk-in, at the counter) or remove it. A refused code comes back on the new-order screen
    with its reason and a 400; the order being taken is left as it was."""
    cart = counter_cart(request)
    if not cart.lines:
        return _refuse_line(request, _("Add at least one product to the order."))
    form = PromoCodeForm(request.POST)
    if form.is_valid() and form.cleaned_data["action"] == "remove":
        cart.promo_code = ""
        cart.save(request.session)
        messages.success(request, _("The promo code was removed."))
        return back_to_new()
    if form.is_valid():
        trial = CounterCart(cart.restaurant_id, cart.lines, cart.salt, form.cleaned_data["code"].upper())
        contents = cart_contents(trial, customer=chosen_customer(request), channel=CODE_CHANNEL)
        if contents.offer is not None:
            cart.promo_code = trial.promo_code
            cart.save(request.session)
            messages.success(request, _("The code %(code)s is applied.") % {"code": trial.promo_code})
            return back_to_new()
        form.add_error(
            "code", _walk_in_reason(contents.offer_refused) or _("Add at least one product to the order.")
        )
    return _new_order_page(request, status=400, promo_form=form)


@staff_required(*COUNTER_STAFF)
@require_POST
def counter_customer(request: HttpRequest) -> HttpResponse:
    """Take the order for a customer's account (`customer`: its id), or for nobody's (`forget`)."""
    if "forget" in request.POST:
        request.session.pop(CUSTOMER_KEY, None)
        return back_to_new("counter-customer")
    customer_id = whole_number(request.POST.get("customer"))
    user = User.objects.filter(pk=customer_id, is_active=True).first() if customer_id is not None else None
    if user is None:
        return refuse(
            request,
            _("This customer account does not exist."),
            f"{reverse('staff_counter_new')}#counter-customer",
        )
    request.session[CUSTOMER_KEY] = user.pk
    messages.success(request, _("The order is for %(customer)s.") % {"customer": user.display_name})
    return back_to_new("counter-lines")


@staff_required(*COUNTER_STAFF)
@require_POST
def counter_clear(request: HttpRequest) -> HttpResponse:
    """Start again: no line, no customer."""
    cart = counter_cart(request)
    cart.clear()
    cart.save(request.session)
    request.session.pop(CUSTOMER_KEY, None)
    messages.info(request, _("The order was cleared."))
    return redirect("staff_counter_new")


@staff_required(*COUNTER_STAFF)
@require_POST
def counter_repeat(request: HttpRequest, number: str) -> HttpResponse:
    """Start a new order as a copy of a previous order of this restaurant: its lines, as the stock allows now
    (orders.reorder.reorder_lines: what is sold out or off the menu is left out and said; a formule as a
    formule while the restaurant still offers it as it was), for its customer's account when it had one.
    Replaces the order being taken. An order of another restaurant is a 404."""
    order = get_order_for_staff(request, number)
    again = reorder_lines(order)
    for sentence in again.left_out:
        messages.warning(request, sentence)
    if again.empty:
        return refuse(
            request,
            _("Nothing from order %(number)s can be made at the moment.") % {"number": order.number},
            f"{reverse('staff_counter_new')}#counter-customer",
        )
    cart = counter_cart(request)
    cart.replace(request.staff.restaurant.pk, again.lines)
    try:
        for formule_lines in again.formules:
            cart.add_formule(formule_lines)
    except ValueError:
        messages.warning(request, _("Too many lines in one order."))
    cart.save(request.session)
    if order.customer_id and order.customer.is_active:
        request.session[CUSTOMER_KEY] = order.customer_id
    else:
        request.session.pop(CUSTOMER_KEY, None)
    messages.success(
        request, _("The products of order %(number)s are in the new order.") % {"number": order.number}
    )
    return back_to_new("counter-lines")
