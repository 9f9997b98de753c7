from django.urls import path

from . import views

urlpatterns = [
    path("", views.trivial),
    path("signed-in/", views.signed_in),
    path("polls/<int:pk>/", views.poll),
    path("items/", views.items),
]
