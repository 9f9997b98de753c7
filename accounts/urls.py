from django.urls import include, path

from accounts import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path(
        "addresses/",
        include(
            [
                path("", views.address_list, name="address_list"),
                path("new/", views.address_create, name="address_create"),
                path("<int:pk>/edit/", views.address_update, name="address_update"),
                path("<int:pk>/delete/", views.address_delete, name="address_delete"),
            ]
        ),
    ),
]
