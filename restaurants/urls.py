from django.urls import path

from restaurants import views, views_recipes, views_staff, views_stock

urlpatterns = [
    path("", views.home, name="home"),
    path("restaurants/<slug:slug>/", views.restaurant_detail, name="restaurant_detail"),
    path("staff/", views_staff.staff_home, name="staff_home"),
    path("staff/restaurant/", views_staff.staff_choose_restaurant, name="staff_choose_restaurant"),
    path("staff/recipes/", views_recipes.recipe_list, name="staff_recipes"),
    path("staff/recipes/<slug:slug>/", views_recipes.recipe_detail, name="staff_recipe"),
    path("staff/stock/", views_stock.stock, name="staff_stock"),
    path("staff/stock/products/", views_stock.stock_products, name="staff_stock_products"),
    path("staff/stock/movements/", views_stock.stock_movements, name="staff_stock_movements"),
    path(
        "staff/stock/<int:stock_id>/restock/",
        views_stock.stock_action,
        {"action": "restock"},
        name="staff_stock_restock",
    ),
    path(
        "staff/stock/<int:stock_id>/waste/",
        views_stock.stock_action,
        {"action": "waste"},
        name="staff_stock_waste",
    ),
    path(
        "staff/stock/<int:stock_id>/count/",
        views_stock.stock_action,
        {"action": "count"},
        name="staff_stock_count",
    ),
    path(
        "staff/stock/<int:stock_id>/threshold/",
        views_stock.stock_action,
        {"action": "threshold"},
        name="staff_stock_threshold",
    ),
]
