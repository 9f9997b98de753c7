"""Django's database session store, with an existing session saved by one `UPDATE` instead of three
statements (`BEGIN`, `UPDATE`, `COMMIT`): every request that changes its session sends two round trips fewer.

Outside a transaction (autocommit, how a request runs) one `UPDATE` of the row's data and expiry is atomic by
itself. Whenever it cannot be that simple, Django's own save runs, so its semantics are unchanged: a new
session (or a key that must be created) is created by Django, with its CreateError on a taken key; a
session whose row is gone (deleted in another request meanwhile) is saved by Django, which raises
UpdateError, so the middleware still answers SessionInterrupted; inside a transaction Django's savepoint
keeps a failed write from breaking the caller's transaction. The async `asave` is Django's.

The session is read by a query compiled once per process (common.prepared): the same SQL as Django's.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, router, transaction
from django.utils import timezone

from common.prepared import Prepared


def _live_session(key: str, now):
    return db.SessionStore.get_model_class().objects.filter(session_key=key, expire_date__gt=now)


_LIVE_SESSION = Prepared(_live_session, key=str, now=datetime)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = _LIVE_SESSION.first(
            using=router.db_for_read(self.model), key=self.session_key, now=timezone.now()
        )
        if session is None:
            self._session_key = None
        return session

    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            return super().save(must_create)
        using = router.db_for_write(self.model)
        if transaction.get_connection(using).in_atomic_block:
            return super().save(must_create)
        row = self.create_model_instance(self._get_session())
        fields = {
            field.attname: getattr(row, field.attname)
            for field in row._meta.concrete_fields
            if not field.primary_key
        }
        try:
            updated = self.model._default_manager.using(using).filter(pk=row.pk).update(**fields)
        except DatabaseError as error:
            raise UpdateError from error
        if not updated:
            # No row any more: Django's save decides (it raises UpdateError, as it always did).
            super().save(must_create)
        return None
