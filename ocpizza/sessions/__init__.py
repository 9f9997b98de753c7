"""Session stores whose save of an existing session is one statement (issue 18): `db` and `cached_db`, chosen
by settings.SESSION_ENGINE as Django's are."""
