"""Stock Django, for `make bench` to compare against (bench/README.md, "Stock Django"): the project
`django-admin startproject` makes, default middleware and database sessions, one app and four pages.
Nothing of OC Pizza is imported here."""
