"""What the in-process profiles share (kinds_profile.py, stack_profile.py, order_profile.py, memory_probe.py):
the site set up as production runs it but without a server, the figures printed apart from the access log,
and requests sent "through the router" to a WSGI handler built with a given middleware stack, or by a
signed-in test client.

A script puts the repository on the path, then sets up before it imports anything of Django's or the site's:

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import inprocess

    inprocess.setup("kinds-profile")
"""

from __future__ import annotations

import ast
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

BENCH = Path(__file__).resolve().parent
# As the router forwards every request (the site redirects plain HTTP): RequestFactory.get() and Client
# arguments.
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https", "secure": True}


def setup(script: str, **environment: str) -> None:
    """Production settings (DEBUG off, a throwaway secret key naming `script`, the test client's host, emails
    printed), then django.setup(). `environment`: other values, or values of the script's own, each taken
    when the variable is not set."""
    defaults = {
        "DJANGO_SETTINGS_MODULE": "ocpizza.settings",
        "DEBUG": "false",
        "SECRET_KEY": f"{script}-only-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_URL": "console://",
    }
    for name, value in (defaults | environment).items():
        os.environ.setdefault(name, value)

    import django

    django.setup()


def figures_apart_from_the_log() -> TextIO:
    """The access log's handler holds the stdout of its start: the descriptor itself goes to /dev/null, the
    figures to a copy of it, which becomes sys.stdout (replacing sys.stdout alone left the log writing to the
    terminal). Returns that copy."""
    report = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.stdout = report
    return report


def stock_django_middleware() -> list[str]:
    """`startproject`'s MIDDLEWARE, read from the stock site's settings (bench/stock, the floor `make bench`
    serves) without importing them: they need a database URL this profile does not."""
    settings_file = BENCH / "stock" / "stocksite" / "settings.py"
    for node in ast.parse(settings_file.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            getattr(target, "id", "") == "MIDDLEWARE" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise LookupError(f"No MIDDLEWARE in {settings_file}")


def wsgi_handler(middleware: list[str]):
    """The site's WSGI handler with `middleware` as its stack (read from the settings when it is built)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def send(handler, environ: dict, start_response: Callable):
    """`environ` (RequestFactory's, without a body) sent to `handler`; returns the response, not read."""
    return handler(dict(environ, **{"wsgi.input": io.BytesIO(b"")}), start_response)


def answer(handler, environ: dict) -> tuple[int, dict[str, str]]:
    """The status code and headers `handler` answers `environ` with (the body not read)."""
    answered: dict = {}

    def start_response(status: str, headers: list, exc_info=None) -> None:
        answered.update(status=int(status.split()[0]), headers=dict(headers))

    send(handler, environ, start_response)
    return answered["status"], answered["headers"]


def handler_for(middleware: list[str]) -> Callable[[dict], None]:
    """A request runner (callable) with `middleware` as the stack: it sends an environ, reads the answer and
    closes it, as a server does."""
    handler = wsgi_handler(middleware)

    def start_response(status, headers, exc_info=None):
        return None

    def one(environ: dict) -> None:
        response = send(handler, environ, start_response)
        for _ in response:
            pass
        response.close()

    return one


def signed_in(email: str, **defaults):
    """A django.test.Client signed in as the user of `email` (force_login: no password, one session row).
    `defaults`: the Client's arguments (HTTPS, headers sent with every request)."""
    from django.test import Client

    from accounts.models import User

    client = Client(**defaults)
    client.force_login(User.objects.get(email=email))
    return client
