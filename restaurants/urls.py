from django.urls import path

from restaurants import views

urlpatterns = [
    path("", views.home, name="home"),
    path("restaurants/<slug:slug>/", views.restaurant_detail, name="restaurant_detail"),
]
