"""Django's cached_db session store (read from the cache, written through to the database) with the
database write of ocpizza.sessions.db: one `UPDATE` for an existing session."""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

from ocpizza.sessions import db


# Method order: cached_db's save (the cache) → ocpizza's save (one UPDATE) → Django's database save.
class SessionStore(cached_db.SessionStore, db.SessionStore):
    pass
