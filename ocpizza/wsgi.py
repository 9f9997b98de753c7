import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocpizza.settings")
application = get_wsgi_application()

# In gunicorn's master, before it forks its workers (ocpizza.warmup).
from ocpizza.warmup import warm_menus, warm_up  # noqa: E402

warm_up()
warm_menus()
