from django.urls import path

from privacy import views

urlpatterns = [
    path("accounts/delete/", views.account_delete, name="account_delete"),
    path("accounts/export/", views.account_export, name="account_export"),
    path("accounts/export/<int:pk>/download/", views.account_export_download, name="account_export_download"),
]
