from django.urls import path

from legal import views

urlpatterns = [
    path("legal/<slug:slug>/", views.legal_page, name="legal_page"),
    path("legal/<slug:slug>/v<int:version>/", views.legal_page_version, name="legal_page_version"),
]
