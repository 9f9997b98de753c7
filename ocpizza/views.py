from __future__ import annotations

import logging
import sys
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Monitors may call every few seconds; S3 is asked at most this often by each process.
STORAGE_CHECK_SECONDS = 30
_storage_check: dict[str, object] = {"at": 0.0, "status": ""}


# Crawlers: the menus are public, the rest is personal or for the staff.
ROBOTS_TXT = """User-agent: *
Disallow: /accounts/
Disallow: /admin/
Disallow: /cart/
Disallow: /checkout/
Disallow: /orders/
Disallow: /payments/
Disallow: /staff/
"""


@require_GET
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """No database, no template: also the benchmark's floor (a view through the whole middleware stack)."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


# How long a client should wait before trying again when the database is away (a restart, a failover).
RETRY_AFTER_SECONDS = 5


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page, on its own: no context processor, no database, no CSRF check. Django's own handler
    checks the CSRF token again, and so reads the POST a second time: a form that declared another charset
    than UTF-8 raised BadRequest once more inside it, and became a 500."""
    return HttpResponse(render_to_string("400.html"), status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, except when the database could not be reached: then 503 with Retry-After, the honest
    answer for a failure that passes by itself (the next request reconnects)."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the router and uptime monitors: 200 when the database answers, 503 otherwise.

    A shared cache (Redis or the database table) and the S3 bucket are reported when configured; either
    failing makes the status "degraded" but not 503: orders can still be taken. So does the task queue
    when its oldest job waiting to run has waited more than HEALTHZ_QUEUE_DELAY_SECONDS: no worker runs,
    or it cannot keep up (emails late).
    """
    checks = {"database": _check_database()}
    waiting = _oldest_waiting_job_seconds() if checks["database"] == "ok" else None
    if waiting is not None:
        checks["queue"] = "ok" if waiting <= settings.HEALTHZ_QUEUE_DELAY_SECONDS else "late"
    if _cache_is_shared():
        checks["cache"] = _check_cache()
    if _media_on_s3():
        checks["storage"] = _check_storage()
    if checks["database"] != "ok":
        status, code = "error", 503
    elif any(value != "ok" for value in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    extra = {"queue_oldest_waiting_seconds": waiting} if waiting is not None else {}
    return JsonResponse({"status": status, **checks, **extra}, status=code)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure of the database means "down"
        logger.exception("Health check: the database does not answer.")
        return "error"
    return "ok"


def _oldest_waiting_job_seconds() -> int | None:
    """How long the oldest job due to run has been waiting (since deferred, or since its retry was due);
    0 when none waits. None when the queue cannot be read."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT COALESCE(EXTRACT(EPOCH FROM now() - MIN(GREATEST(job.scheduled_at, deferred.at))), 0)
                  FROM procrastinate_jobs job
                  JOIN procrastinate_events deferred ON deferred.job_id = job.id AND deferred.type = 'deferred'
                 WHERE job.status = 'todo' AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())
                """
            )
            return max(0, int(cursor.fetchone()[0]))
    except Exception:  # the queue's tables unreadable: the database check says the rest
        logger.exception("Health check: the task queue cannot be read.")
        return None


def _cache_is_shared() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def _check_cache() -> str:
    key, value = "healthz", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
    except Exception:  # any failure of the cache means "error"
        logger.exception("Health check: the cache does not answer.")
        return "error"
    return "ok" if ok else "error"


def _media_on_s3() -> bool:
    return settings.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"


def _check_storage() -> str:
    """HEAD of the bucket (one cheap request), remembered for STORAGE_CHECK_SECONDS."""
    now = time.monotonic()
    if _storage_check["status"] and now - float(_storage_check["at"]) < STORAGE_CHECK_SECONDS:
        return str(_storage_check["status"])
    try:
        default_storage.connection.meta.client.head_bucket(Bucket=default_storage.bucket_name)
        status = "ok"
    except Exception:  # unreachable, refused or missing: the media are not served
        logger.exception("Health check: the media bucket does not answer.")
        status = "error"
    _storage_check.update(at=now, status=status)
    return status
