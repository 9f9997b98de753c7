"""Plumbing every app may use: upload validators, number formats, request-data parsing, templated email.

Not a Django app (no models, no templates, no URLs) and it imports no app: `accounts`, `menu`,
`restaurants`, `orders` and `ocpizza` all import from here, so nothing here may import them back
(tests/test_architecture.py checks it).
"""
