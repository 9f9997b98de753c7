"""The entrance of the staff screens: send each role to its screen, switch the current restaurant."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.parsing import whole_number
from restaurants.staff.access import choose_restaurant, staff_context, staff_required
from restaurants.staff.screens import home_screen


@staff_required()
def staff_home(request: HttpRequest) -> HttpResponse:
    """Send the user to their role's screen (the one registered as its home), or to the site's home."""
    url_name = home_screen(request.staff.role)
    try:
        return redirect(reverse(url_name)) if url_name else redirect("home")
    except NoReverseMatch:
        return redirect("home")


@require_POST
@staff_required()
def staff_choose_restaurant(request: HttpRequest) -> HttpResponse:
    restaurant_id = whole_number(request.POST.get("restaurant"))
    if restaurant_id is None:
        return HttpResponseBadRequest(_("Choose a restaurant."))
    if not choose_restaurant(request, restaurant_id):
        return HttpResponseBadRequest(_("You do not work at this restaurant."))
    messages.success(
        request,
        _("You are now working at %(restaurant)s.") % {"restaurant": staff_context(request).restaurant},
    )
    # Back to the page the switch was made on: a path of this site only. A plain redirect, not
    # `redirect()`, which would take a value without "/" for a URL name to reverse.
    target = request.POST.get("next", "")
    if not (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        target = reverse("staff_home")
    return HttpResponseRedirect(target)
