from django.urls import path

from common.urls import under
from restaurants import views
from restaurants.staff import entrance, recipes
from restaurants.staff.stock import views as stock
from restaurants.staff.stock.forms import ACTION_FORMS

urlpatterns = [
    path("", views.home, name="home"),
    path("restaurants/<slug:slug>/", views.restaurant_detail, name="restaurant_detail"),
    path("staff/", entrance.staff_home, name="staff_home"),
    path("staff/restaurant/", entrance.staff_choose_restaurant, name="staff_choose_restaurant"),
    path("staff/recipes/", recipes.recipe_list, name="staff_recipes"),
    path("staff/recipes/<slug:slug>/", recipes.recipe_detail, name="staff_recipe"),
    under(
        "staff/stock/",
        path("", stock.stock, name="staff_stock"),
        path("products/", stock.stock_products, name="staff_stock_products"),
        path("movements/", stock.stock_movements, name="staff_stock_movements"),
        # One URL per action of the stock page (ACTION_FORMS): staff_stock_restock, _waste, _count,
        # _threshold.
        *(
            path(
                f"<int:stock_id>/{action}/",
                stock.stock_action,
                {"action": action},
                name=f"staff_stock_{action}",
            )
            for action in ACTION_FORMS
        ),
    ),
]
