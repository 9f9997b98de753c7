"""Helpers of the formule tests: a formule's part, the « Menu Midi » lines, a choice's field name (the
fixtures `drinks` and `midi` are in tests/orders/conftest.py)."""

from __future__ import annotations

from orders.services import FormulePart, LineRequest


def part(formule, component, group="g1") -> FormulePart:
    return FormulePart(formule_id=formule["formule"].pk, component_id=component.pk, group=group)


def midi_lines(menu, drinks, midi, *, pizza="margherita", drink="soda", **modifiers) -> list[LineRequest]:
    return [
        LineRequest(product_id=menu[pizza].id, quantity=1, formule=part(midi, midi["pizza"]), **modifiers),
        LineRequest(product_id=drinks[drink].id, quantity=1, formule=part(midi, midi["boisson"])),
    ]


def slot(component, number=1) -> str:
    return f"slot-{component.pk}-{number}"


# A wrong choice on a formule's page, and what its refusal says: the posted choices by product name (or a
# value that names none), then the words of the reason.
WRONG_CHOICES = [
    ({"pizza": "margherita"}, "Choose 1 « Boisson »"),
    ({}, "Choose 1 « Pizza »"),
    ({"pizza": "margherita", "boisson": "regina"}, "cannot be chosen as « Boisson »"),
    ({"pizza": "abc", "boisson": "soda"}, "Choose 1 « Pizza »"),
    ({"pizza": "999999", "boisson": "soda"}, "not on the menu"),
    ({"pizza": "margherita", "boisson": "soda", "extras": "x"}, "not offered"),
    ({"pizza": "margherita", "boisson": "soda", "extras": "999"}, "not offered"),
]


def wrong_choice(posted: dict, *, menu, drinks, midi) -> dict:
    """The form data of one of WRONG_CHOICES."""
    products = {**menu, **drinks}
    data = {}
    if "pizza" in posted:
        chosen = products.get(posted["pizza"])
        data[slot(midi["pizza"])] = chosen.pk if chosen else posted["pizza"]
    if "boisson" in posted:
        data[slot(midi["boisson"])] = products[posted["boisson"]].pk
    if "extras" in posted:
        data[f"{slot(midi['pizza'])}-{menu['margherita'].pk}-extras"] = posted["extras"]
    return data


def refusal(response) -> str:
    return response.content.decode().replace("&laquo;", "«").replace("&raquo;", "»")
