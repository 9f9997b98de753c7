"""The reader's language: chosen in the header, remembered in the language cookie, and for a signed-in
person in their account (`User.language`, the language of their emails too). URLs are the same in every
language.

- The header's switch posts to `set_language`: the cookie, and the account of a signed-in person.
- Signing in speaks the account's language from the sign-in's answer on (`speak_account_language`, on
  `user_logged_in`), on any device.
- `?lang=en` on a page (the `hreflang` alternates of every page, for search engines and shared links) shows
  it in that language and remembers it in the cookie, without touching an account: a link cannot change a
  person's settings.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.i18n import set_language as django_set_language

from accounts.models import User

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)
QUERY_PARAMETER = "lang"


def remember_language(response: HttpResponseBase, code: str) -> None:
    """Set the language cookie to `code` on `response`, with the settings Django's own view uses."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def speak(request: HttpRequest, code: str) -> None:
    """Answer `request` in `code` from now on, and remember it in the answer's cookie (LanguageMiddleware)."""
    translation.activate(code)
    request.LANGUAGE_CODE = code
    request.language_to_remember = code


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's `set_language` (the cookie, then back to `next` when it is on this site), and for a signed-in
    person their account's language: the site speaks it on their next sign-in, and their emails use it.
    An unknown language changes nothing."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if code in LANGUAGE_CODES and request.user.is_authenticated and request.user.language != code:
        User.objects.filter(pk=request.user.pk).update(language=code)
    return response


def speak_account_language(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """On sign-in (`user_logged_in`), the account's language becomes the browser's: the sign-in's answer (a
    redirect) sets the cookie, and the pages after it speak the account's language."""
    if request is not None and user.language in LANGUAGE_CODES:
        request.language_to_remember = user.language


class LanguageMiddleware:
    """The reader's language, in place of Django's LocaleMiddleware: `?lang=<code>` on a GET, else the
    language cookie, else the browser's `Accept-Language`, else French. The answer says which
    (`Content-Language`), varies on `Accept-Language`, and sets the cookie when the request chose a language
    (`speak`).

    Django's LocaleMiddleware also looks for a language prefix in the path, twice a request, and sends a 404
    to the prefixed address: the site's URLs have no prefix (no `i18n_patterns`), so that work is left out,
    and the query string is parsed only when it names `lang`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        code = ""
        if QUERY_PARAMETER in request.META.get("QUERY_STRING", "") and request.method in ("GET", "HEAD"):
            code = request.GET.get(QUERY_PARAMETER, "")
        if code in LANGUAGE_CODES:
            speak(request, code)
        else:
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        chosen = getattr(request, "language_to_remember", None)
        if chosen and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
            remember_language(response, chosen)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def path_without_choice(request: HttpRequest) -> str:
    """The page's path and query without `?lang=`: where the language switch brings the reader back (with
    it, the page would answer in the language of the link again)."""
    query = request.GET.copy()
    query.pop(QUERY_PARAMETER, None)
    return request.path + (f"?{query.urlencode()}" if query else "")


def alternates(request: HttpRequest) -> list[tuple[str, str]]:
    """The page in each language, for `<link rel="alternate" hreflang>`: (code, absolute URL), then
    ("x-default", the URL without a language, answered in the reader's)."""
    base = settings.SITE_URL + request.path
    return [(code, f"{base}?{QUERY_PARAMETER}={code}") for code in sorted(LANGUAGE_CODES)] + [
        ("x-default", base)
    ]
