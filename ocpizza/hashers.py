"""How passwords are stored: Argon2id with the parameters OWASP's Password Storage Cheat Sheet gives as its
first configuration (19 MiB of memory, 2 passes, 1 lane).

Django's default, PBKDF2-SHA256 at 1,000,000 iterations, takes about 0.4 s of a core per sign-in on a dyno:
in `make soak` the sign-in was the only kind of request far past its service level (p50 630 ms), and
a burst of sign-ins held the cores the whole site shares. Argon2id at these parameters takes about a tenth
of that, and costs an attacker memory as well as time (OWASP rates the two configurations as equivalent).
Django's own Argon2 hasher asks for 100 MiB and 8 lanes per hash, which a 1 GB dyno running 12 threads
cannot give. Existing PBKDF2 hashes still verify, and are rewritten as Argon2id at the account's next
sign-in (Django upgrades a hash whose algorithm or parameters are not the first hasher's).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB, 2 passes, 1 lane (OWASP). Its `algorithm` stays Django's "argon2", so the hashes read
    as Django's; a change of these numbers is picked up by `must_update` and rehashed at sign-in."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
