from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from common import formats
from common.fields import moment


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: customer, restaurant staff or head office. The email is the login."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # E.164 ("+33612345678"): the counter finds a customer by equality on this index (accounts.phones).
    phone = PhoneNumberField(_("phone"), max_length=30, blank=True, db_index=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Language of the emails sent to this person."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} <{self.email}>" if full_name else self.email

    @property
    def display_name(self) -> str:
        """How a screen, a message or a ledger names the person: the full name, else the email."""
        return self.get_full_name() or self.email

    def confirm_email(self) -> None:
        """Record the account's email as verified (allauth's EmailAddress, which sign-in requires): for an
        account whose address is known without a link to click (made by head office or the demo)."""
        from allauth.account.models import EmailAddress

        EmailAddress.objects.filter(user=self).exclude(email=self.email).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )


class AddressQuerySet(models.QuerySet["Address"]):
    def active(self) -> AddressQuerySet:
        return self.filter(deleted_at__isnull=True)


class Address(models.Model):
    """A delivery address of a customer's book. Deleting only hides it, so past orders keep their link."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("user")
    )
    label = models.CharField(
        _("label"), max_length=50, blank=True, help_text=_("For instance: Home, Office.")
    )
    street = models.CharField(_("street"), max_length=200)
    complement = models.CharField(
        _("complement"), max_length=200, blank=True, help_text=_("Floor, door code, building.")
    )
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    instructions = models.TextField(_("delivery instructions"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deleted_at = moment(_("deleted at"))

    objects = AddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["user", "label", "id"]

    def __str__(self) -> str:
        text = f"{self.street}, {self.postal_code} {self.city}"
        return f"{self.label}{formats.colon()} {text}" if self.label else text

    def soft_delete(self) -> None:
        self.deleted_at = timezone.now()
        self.save(update_fields=["deleted_at"])
