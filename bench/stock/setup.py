"""Creates stock Django's tables (`migrate --run-syncdb`: its one app has no migration files) and its data,
then prints what the load runs need as JSON: the signed-in user's session cookie and the poll's id.

`STOCK_DATABASE_URL=... SECRET_KEY=... python bench/stock/setup.py ITEMS`
"""

import json
import os
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "stocksite.settings"

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from stocksite.models import Choice, Item, Question  # noqa: E402


def main(items: int) -> dict:
    call_command("migrate", run_syncdb=True, verbosity=0)
    Item.objects.all().delete()
    Question.objects.all().delete()
    Item.objects.bulk_create(
        Item(
            name=f"Item {n:02d}",
            description=f"The description of item {n}, a line long.",
            price=Decimal("9.50"),
        )
        for n in range(1, items + 1)
    )
    question = Question.objects.create(question_text="Which pizza tonight?", pub_date=datetime.now(UTC))
    Choice.objects.bulk_create(
        Choice(question=question, choice_text=name, votes=n)
        for n, name in enumerate(("Margherita", "Regina", "Quatre fromages", "Calzone", "Napolitaine"))
    )
    user, _ = User.objects.get_or_create(username="bench", defaults={"first_name": "Bench"})
    user.set_unusable_password()
    user.save()
    # What django.contrib.auth.login() stores, without a request.
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"cookie": f"sessionid={session.session_key}", "poll": question.pk}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
