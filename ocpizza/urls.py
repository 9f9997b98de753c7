from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import languages
from ocpizza import views

admin.site.site_header = _("OC Pizza administration")
admin.site.site_title = _("OC Pizza")
admin.site.index_title = _("Head office")
_admin_index = admin.site.index


def admin_index(request, extra_context=None):
    """The admin's home, titled by who opens it: head office, or a manager (their restaurants only)."""
    title = admin.site.index_title if request.user.is_superuser else _("My restaurants")
    return _admin_index(request, {"title": title, **(extra_context or {})})


admin.site.index = admin_index
# The admin signs in through allauth's page, so its rate limits against brute force cover the admin too.
admin.site.login = secure_admin_login(admin.site.login)

handler400 = "ocpizza.views.bad_request"
handler500 = "ocpizza.views.server_error"

urlpatterns = [
    # First: Django tries the patterns in order, and these two answer robots and the router's health checks
    # without trying every app's patterns before them (a third of /robots.txt's time: docs/scaling.md).
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("", include("restaurants.urls")),
    path("", include("orders.urls")),
    path("", include("sales.urls")),
    path("", include("legal.urls")),
    path("", include("privacy.urls")),
    path("", include("loyalty.urls")),
    # The language switch (same address as Django's: the header's form posts here).
    path("i18n/setlang/", languages.set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
