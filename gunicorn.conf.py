"""gunicorn's settings, read from this file (gunicorn loads ./gunicorn.conf.py) however the web process
starts: beside the task worker under supervisord (the Procfile's `web`), or alone on a dyno of its own
(docs/scaling.md). With PORT set, gunicorn binds 0.0.0.0:$PORT by itself, as Heroku's router expects.
Why each value: docs/operations.md § 4."""

import os

wsgi_app = "ocpizza.wsgi"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = True
max_requests = 20000
max_requests_jitter = 2000
# Requests in flight get 25 s to finish on SIGTERM, inside Heroku's 30 s.
graceful_timeout = 25
# gunicorn 25+ would otherwise write a control socket under ~/.gunicorn/.
control_socket_disable = True
