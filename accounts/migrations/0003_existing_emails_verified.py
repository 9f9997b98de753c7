"""Sign-in now needs a verified email (ACCOUNT_EMAIL_VERIFICATION = "mandatory", so sign-up can answer the
same for a taken address). Accounts made before signed in with their address without a link: they keep doing
so, their current address recorded as verified."""

from django.db import migrations


def verify_existing_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    verified = EmailAddress.objects.filter(verified=True).values("user_id")
    for user in User.objects.exclude(pk__in=verified).only("pk", "email").iterator():
        EmailAddress.objects.filter(user=user).exclude(email=user.email).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_phone_e164"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        # Backwards: the rows stay (they are what allauth would hold had the addresses been confirmed).
        migrations.RunPython(verify_existing_emails, migrations.RunPython.noop),
    ]
