"""Plumbing every app may use: upload validators, number formats, request-data parsing, the task queue's
names and retry strategies, and email sent once from the worker.

A Django app only for its one model (SentEmail, the record that makes an email task idempotent) and its
task; it imports no app: `accounts`, `menu`, `restaurants`, `orders` and `ocpizza` all import from here, so
nothing here may import them back (tests/test_architecture.py checks it).
"""
