"""The staff screens of `restaurants`: the entrance (who may open which screen, at which restaurant), the
registry of every app's staff screens, the stock screens and the recipe book."""


def register_screens() -> None:
    """Put the recipe book and the stock screen in the staff navigation (RestaurantsConfig.ready calls it)."""
    from django.utils.translation import gettext_lazy as _

    from restaurants.staff import screens
    from restaurants.staff.recipes import RECIPE_READERS
    from restaurants.staff.stock.views import STOCK_VIEWERS

    screens.register("staff_recipes", label=_("Recipes"), roles=RECIPE_READERS, position=20)
    screens.register("staff_stock", label=_("Stock"), roles=STOCK_VIEWERS, position=50)
