"""Head office, the customers with their addresses, and the names phone and counter orders carry."""

from __future__ import annotations

from dataclasses import dataclass

from ocpizza.demo.data.files import read

EMAIL_DOMAIN = "ocpizza.example"


@dataclass(frozen=True)
class AddressSpec:
    label: str
    street: str
    postal_code: str
    city: str
    complement: str = ""
    instructions: str = ""


@dataclass(frozen=True)
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    phone: str
    addresses: tuple[AddressSpec, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


HEAD_OFFICE = PersonSpec(f"siege@{EMAIL_DOMAIN}", "Hélène", "Marchand", "01 99 00 10 00")

_TABLES = read("people")

CUSTOMERS: tuple[PersonSpec, ...] = tuple(
    PersonSpec(**{**row, "addresses": tuple(AddressSpec(**address) for address in row.get("addresses", ()))})
    for row in _TABLES["customers"]
)

# Who calls or walks in: phone and counter orders carry a name and a number, not an account.
GUESTS: tuple[tuple[str, str], ...] = _TABLES["guests"]
