from django.urls import path

from loyalty import views

urlpatterns = [
    path("accounts/points/", views.points, name="loyalty_points"),
]
