from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestaurantsConfig(AppConfig):
    name = "restaurants"
    verbose_name = _("Restaurants")

    def ready(self) -> None:
        from restaurants.staff import register_screens

        register_screens()
