"""The cart pages: add from a restaurant's menu, change a quantity, remove a line, empty the cart, apply or
remove a promo code.

The cart lives in the session (orders.cart.Cart) and holds one restaurant's products at a time. Every line is
checked against the menu by orders.services.price_lines and against the restaurant's stock before it goes
in. Bad POST data gets a 400 page that says what went wrong; the cart is then left as it was.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from common.parsing import whole_number
from orders.cart import Cart
from orders.cart_contents import addable_quantity, cart_contents
from orders.errors import OrderError
from orders.forms_cart import PromoCodeForm, RewardForm
from orders.services import MAX_QUANTITY_PER_LINE, LineRequest, PricedLine, price_lines
from restaurants.models import Restaurant


def _refuse(request: HttpRequest, message: str, *, restaurant: Restaurant | None = None) -> HttpResponse:
    return render(
        request, "orders/add_to_cart_error.html", {"message": message, "restaurant": restaurant}, status=400
    )


def _quantity_error() -> str:
    return _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY_PER_LINE}


def describe(line: PricedLine) -> str:
    """A line in words for messages: quantity, product, then its modifiers in brackets."""
    modifiers = [_("without %(name)s") % {"name": ingredient.name} for ingredient in line.removed]
    modifiers += [f"+ {extra.ingredient.name}" for extra in line.extras]
    text = f"{line.quantity} × {line.product.name}"
    return f"{text} ({', '.join(modifiers)})" if modifiers else text


def _back_to_menu(restaurant: Restaurant, line: PricedLine | None = None) -> str:
    url = reverse("restaurant_detail", args=[restaurant.slug])
    return f"{url}#product-{line.product.slug}" if line else url


def _too_many_message(line: PricedLine, *, can_add: int, in_cart: int) -> str:
    name = line.product.name
    if can_add <= 0 and not in_cart:
        return _("Sorry, %(product)s is sold out.") % {"product": name}
    if can_add <= 0:
        return _("Your cart already holds all the %(product)s we can make right now.") % {"product": name}
    if in_cart:
        return ngettext(
            "Only %(count)d more %(product)s can be made right now (your cart holds %(in_cart)d).",
            "Only %(count)d more %(product)s can be made right now (your cart holds %(in_cart)d).",
            can_add,
        ) % {"count": can_add, "product": name, "in_cart": in_cart}
    return ngettext("Only %(count)d %(product)s left.", "Only %(count)d %(product)s left.", can_add) % {
        "count": can_add,
        "product": name,
    }


def _line_gone(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("This line is no longer in your cart."))
    return redirect("cart")


@require_GET
def cart(request: HttpRequest) -> HttpResponse:
    current = Cart.load(request.session)
    contents = cart_contents(current, customer=_customer(request))
    if current.lines and contents.restaurant is None:
        # The restaurant stopped taking orders since: nothing in this cart can be ordered.
        current.clear()
        current.save(request.session)
        messages.warning(
            request,
            _("This restaurant no longer takes orders, so your cart was emptied. Choose another one."),
        )
        return redirect("home")
    return render(request, "orders/cart.html", {"contents": contents, "promo_form": PromoCodeForm()})


def _customer(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


@require_POST
def cart_promo(request: HttpRequest) -> HttpResponse:
    """Apply a promo code to the cart (kept only when offers.rules accepts it) or remove it. A refused code
    re-renders the cart with its reason, with a 400; the cart is left as it was."""
    current = Cart.load(request.session)
    if not current.lines:
        return redirect("cart")
    form = PromoCodeForm(request.POST)
    if form.is_valid() and form.cleaned_data["action"] == "remove":
        current.promo_code = ""
        current.save(request.session)
        messages.success(request, _("The promo code was removed."))
        return redirect("cart")
    if form.is_valid() and current.reward_id is not None:
        # A promo code and a loyalty reward do not combine (orders.services.rewards).
        form.add_error("code", _("A promo code and a loyalty reward do not combine: keep one of them."))
    elif form.is_valid():
        trial = Cart(current.restaurant_id, current.lines, current.salt, form.cleaned_data["code"].upper())
        contents = cart_contents(trial, customer=_customer(request))
        if contents.offer is not None:
            current.promo_code = trial.promo_code
            current.save(request.session)
            messages.success(request, _("The code %(code)s is applied.") % {"code": trial.promo_code})
            return redirect("cart")
        if contents.offer_refused:
            form.add_error("code", contents.offer_refused)
    contents = cart_contents(current, customer=_customer(request))
    return render(request, "orders/cart.html", {"contents": contents, "promo_form": form}, status=400)


@require_POST
def cart_reward(request: HttpRequest) -> HttpResponse:
    """Take a loyalty reward in the cart (kept only when the customer has the points and the cart holds what it
    covers) or give it up; the points are spent at checkout. A refused reward re-renders the cart with its
    reason, with a 400; the cart is left as it was. Not with a promo code."""
    current = Cart.load(request.session)
    if not current.lines:
        return redirect("cart")
    form = RewardForm(request.POST)
    if form.is_valid() and form.cleaned_data["action"] == "remove":
        current.reward_id = None
        current.save(request.session)
        messages.success(request, _("The reward was removed; your points are kept."))
        return redirect("cart")
    reward_error = ""
    if form.is_valid() and current.promo_code:
        reward_error = _("A promo code and a loyalty reward do not combine: keep one of them.")
    elif form.is_valid():
        trial = Cart(
            current.restaurant_id, current.lines, current.salt, reward_id=form.cleaned_data["reward"]
        )
        contents = cart_contents(trial, customer=_customer(request))
        if contents.reward is not None:
            current.reward_id = trial.reward_id
            current.save(request.session)
            messages.success(
                request, _("The reward “%(reward)s” is applied.") % {"reward": contents.reward.reward.name}
            )
            return redirect("cart")
        reward_error = contents.reward_refused or _("Sign in to use your loyalty points.")
    else:
        reward_error = _("Choose a reward.")
    contents = cart_contents(current, customer=_customer(request))
    context = {"contents": contents, "promo_form": PromoCodeForm(), "reward_error": reward_error}
    return render(request, "orders/cart.html", context, status=400)


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add a product with its modifiers. Switching restaurant asks first (`confirm=replace` answers yes)."""
    restaurant_id = whole_number(request.POST.get("restaurant"))
    restaurant = Restaurant.objects.active().filter(pk=restaurant_id).first() if restaurant_id else None
    if restaurant is None:
        return _refuse(request, _("This restaurant does not take orders at the moment."))
    try:
        line = _line_asked(request.POST)
        (priced,) = price_lines([line])
    except _BadLine as error:
        return _refuse(request, str(error), restaurant=restaurant)
    except OrderError as error:
        return _refuse(request, error.message, restaurant=restaurant)

    current = Cart.load(request.session)
    switching = bool(current.lines) and not current.is_for(restaurant.pk)
    refusal = _why_not_addable(current, restaurant, line, priced, switching=switching)
    if refusal:
        messages.error(request, refusal)
        return redirect(_back_to_menu(restaurant, priced))
    if switching and request.POST.get("confirm") != "replace":
        previous = Restaurant.objects.filter(pk=current.restaurant_id).first()
        if previous is not None and previous.is_active:
            return render(
                request,
                "orders/add_to_cart_confirm.html",
                {
                    "restaurant": restaurant,
                    "previous": previous,
                    "line": priced,
                    "previous_count": current.count,
                },
            )
    if switching:
        current.replace(restaurant.pk, [line])
    else:
        try:
            current.add(line)
        except ValueError:
            messages.error(request, _("Your cart is full: check out this order first."))
            return redirect(_back_to_menu(restaurant, priced))
        current.restaurant_id = restaurant.pk
    current.save(request.session)
    messages.success(request, _("Added to your cart: %(line)s.") % {"line": describe(priced)})
    menu_url = reverse("restaurant_detail", args=[restaurant.slug])
    return redirect(f"{menu_url}?added={priced.product.pk}#product-{priced.product.slug}")


class _BadLine(ValueError):
    """What is wrong with the line a form asks for, in words for the customer."""


def _line_asked(post: QueryDict) -> LineRequest:
    """The line an add-to-cart form asks for, not yet checked against the menu; _BadLine when unreadable."""
    product_id = whole_number(post.get("product"))
    if product_id is None:
        raise _BadLine(_("This product is not on the menu."))
    quantity = whole_number(post.get("quantity", "1"))
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY_PER_LINE:
        raise _BadLine(_quantity_error())
    removed = [whole_number(value) for value in post.getlist("removed")]
    extras = [whole_number(value) for value in post.getlist("extras")]
    if None in removed or None in extras:
        raise _BadLine(_("This choice is not offered on this product."))
    return LineRequest(
        product_id=product_id,
        quantity=quantity,
        removed_ids=frozenset(removed),
        extra_ids=frozenset(extras),
    )


def _why_not_addable(
    current: Cart, restaurant: Restaurant, line: LineRequest, priced: PricedLine, *, switching: bool
) -> str:
    """Why the line cannot join the cart (the per-line cap, or the stock), or "" when it can. A cart of
    another restaurant (`switching`) is to be replaced: it neither counts nor takes stock."""
    kept = [] if switching else cart_contents(current).priced_lines
    in_cart = 0 if switching else current.quantity_of(line)
    if in_cart + line.quantity > MAX_QUANTITY_PER_LINE:
        return _("You can order at most %(max)d of the same item; your cart holds %(in_cart)d.") % {
            "max": MAX_QUANTITY_PER_LINE,
            "in_cart": in_cart,
        }
    can_add = addable_quantity(restaurant=restaurant, cart_lines=kept, line=priced)
    if line.quantity > can_add:
        return _too_many_message(priced, can_add=can_add, in_cart=in_cart)
    return ""


@require_POST
def cart_update(request: HttpRequest, index: int) -> HttpResponse:
    """Set a line's quantity (0 removes it). More than the stock can make is refused with a message."""
    current = Cart.load(request.session)
    if not 0 <= index < len(current.lines):
        return _line_gone(request)
    quantity = whole_number(request.POST.get("quantity"))
    if quantity is None or not 0 <= quantity <= MAX_QUANTITY_PER_LINE:
        return _refuse(request, _quantity_error())
    line = current.lines[index]
    if line.formule is not None and quantity:
        messages.error(request, _("A formule's choice is one portion: remove the formule to change it."))
        return redirect("cart")
    if quantity > line.quantity:
        contents = cart_contents(current)
        row = contents.rows[index]
        if contents.restaurant is None or row.priced is None:
            messages.error(request, row.problem or _("This product can no longer be ordered."))
            return redirect("cart")
        others = [other.priced for other in contents.rows if other.index != index and other.priced]
        can_make = addable_quantity(restaurant=contents.restaurant, cart_lines=others, line=row.priced)
        if quantity > can_make:
            messages.error(
                request,
                ngettext(
                    "Only %(count)d %(product)s can be made right now.",
                    "Only %(count)d %(product)s can be made right now.",
                    can_make,
                )
                % {"count": can_make, "product": row.priced.product.name},
            )
            return redirect("cart")
    if quantity:
        current.set_quantity(index, quantity)
    else:
        current.remove(index)
    if not current.lines:
        current.clear()
    current.save(request.session)
    return redirect("cart")


@require_POST
def cart_remove(request: HttpRequest, index: int) -> HttpResponse:
    current = Cart.load(request.session)
    if not 0 <= index < len(current.lines):
        return _line_gone(request)
    current.remove(index)
    if not current.lines:
        current.clear()
    current.save(request.session)
    messages.success(request, _("The line was removed from your cart."))
    return redirect("cart")


@require_POST
def cart_clear(request: HttpRequest) -> HttpResponse:
    current = Cart.load(request.session)
    current.clear()
    current.save(request.session)
    messages.success(request, _("Your cart is empty."))
    return redirect("cart")
