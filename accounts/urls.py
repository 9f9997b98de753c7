from django.urls import path

from accounts import views
from common.urls import under

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    under(
        "addresses/",
        path("", views.address_list, name="address_list"),
        path("new/", views.address_create, name="address_create"),
        path("<int:pk>/edit/", views.address_update, name="address_update"),
        path("<int:pk>/delete/", views.address_delete, name="address_delete"),
    ),
]
