"""Django's database session store, with an existing session saved by one `UPDATE` instead of three
statements (`BEGIN`, `UPDATE`, `COMMIT`): every request that changes its session sends two round trips fewer.

Outside a transaction (autocommit, how a request runs) one `UPDATE` of the row's data and expiry is atomic by
itself. Whenever it cannot be that simple, Django's own save runs, so its semantics are unchanged: a new
session (or a key that must be created) is created by Django, with its CreateError on a taken key; a
session whose row is gone (deleted in another request meanwhile) is saved by Django, which raises
UpdateError, so the middleware still answers SessionInterrupted; inside a transaction Django's savepoint
keeps a failed write from breaking the caller's transaction. The async `asave` is Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, router, transaction


class SessionStore(db.SessionStore):
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
