from django.urls import path

from restaurants import views
from restaurants.staff import entrance, recipes
from restaurants.staff.stock import views as stock

urlpatterns = [
    path("", views.home, name="home"),
    path("restaurants/<slug:slug>/", views.restaurant_detail, name="restaurant_detail"),
    path("staff/", entrance.staff_home, name="staff_home"),
    path("staff/restaurant/", entrance.staff_choose_restaurant, name="staff_choose_restaurant"),
    path("staff/recipes/", recipes.recipe_list, name="staff_recipes"),
    path("staff/recipes/<slug:slug>/", recipes.recipe_detail, name="staff_recipe"),
    path("staff/stock/", stock.stock, name="staff_stock"),
    path("staff/stock/products/", stock.stock_products, name="staff_stock_products"),
    path("staff/stock/movements/", stock.stock_movements, name="staff_stock_movements"),
    path(
        "staff/stock/<int:stock_id>/restock/",
        stock.stock_action,
        {"action": "restock"},
        name="staff_stock_restock",
    ),
    path(
        "staff/stock/<int:stock_id>/waste/",
        stock.stock_action,
        {"action": "waste"},
        name="staff_stock_waste",
    ),
    path(
        "staff/stock/<int:stock_id>/count/",
        stock.stock_action,
        {"action": "count"},
        name="staff_stock_count",
    ),
    path(
        "staff/stock/<int:stock_id>/threshold/",
        stock.stock_action,
        {"action": "threshold"},
        name="staff_stock_threshold",
    ),
]
