from django.urls import path

from restaurants import views, views_staff

urlpatterns = [
    path("", views.home, name="home"),
    path("restaurants/<slug:slug>/", views.restaurant_detail, name="restaurant_detail"),
    path("staff/", views_staff.staff_home, name="staff_home"),
    path("staff/restaurant/", views_staff.staff_choose_restaurant, name="staff_choose_restaurant"),
]
