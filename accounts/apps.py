from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.languages import speak_account_language

        user_logged_in.connect(speak_account_language, dispatch_uid="accounts-speak-account-language")
