"""What a service raises when what was asked breaks one of its rules: `code` names the rule (for code and
tests), `message` says it to people. Each app's refusal is a subclass with its own name (callers catch that
one), so a caller never catches another app's refusals by mistake."""

from __future__ import annotations


class Refusal(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
