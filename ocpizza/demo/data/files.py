"""The demo's tables kept as TOML beside these modules: read once at import, in the shapes the specs hold."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read(name: str) -> dict[str, Any]:
    """The TOML file `<name>.toml` of this folder, its lists made tuples (the specs are frozen)."""
    with Path(__file__).with_name(f"{name}.toml").open("rb") as file:
        return frozen(tomllib.load(file))


def frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: frozen(item) for key, item in value.items()}
    return value
