"""The recipe book of the staff screens: every product on the menu with its recipe, searchable.

The pizzaiolos' aide-mémoire: the recipe lines (quantities for one portion), the steps, the baking time and
temperature. The catalogue is the same for every restaurant, so it reads menu models only.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from menu.models import Extra, Product, RecipeLine, RecipeStep
from restaurants.models import Role
from restaurants.staff.access import staff_required

RECIPE_READERS = (Role.PIZZAIOLO,)  # managers and head office pass every role check
MAX_QUERY_LENGTH = 100


def _with_recipes(products: QuerySet[Product]) -> QuerySet[Product]:
    """Products with their category, recipe lines (and ingredients) and steps: three queries."""
    return products.select_related("category").prefetch_related(
        Prefetch("recipe_lines", queryset=RecipeLine.objects.select_related("ingredient").order_by("id")),
        Prefetch("recipe_steps", queryset=RecipeStep.objects.order_by("position", "id")),
    )


def search_recipes(query: str) -> QuerySet[Product]:
    """Products on the menu whose name or one of whose ingredients contains `query` (all when empty)."""
    products = Product.objects.active()
    query = query.strip()
    if query:
        matching = Product.objects.filter(
            Q(name__icontains=query) | Q(recipe_lines__ingredient__name__icontains=query)
        ).values("pk")
        products = products.filter(pk__in=matching)
    return _with_recipes(products).order_by("category__position", "category__name", "position", "name")


@staff_required(*RECIPE_READERS)
@require_GET
def recipe_list(request: HttpRequest) -> HttpResponse:
    # Without NUL characters, which PostgreSQL refuses in a query (an error, not "no match").
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].replace("\x00", "").strip()
    return render(request, "staff/recipes.html", {"products": list(search_recipes(query)), "query": query})


@staff_required(*RECIPE_READERS)
@require_GET
def recipe_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(
        _with_recipes(Product.objects.all()).prefetch_related(
            Prefetch(
                "extras",
                queryset=Extra.objects.filter(is_active=True)
                .select_related("ingredient")
                .order_by("ingredient__name"),
            )
        ),
        slug=slug,
    )
    return render(request, "staff/recipes_detail.html", {"product": product})
