"""The demo's offers: its promo codes, formules and loyalty rewards, each created once (one changed in the
admin since is left alone)."""

from __future__ import annotations

from loyalty.models import Reward
from menu.models import Category, Product
from ocpizza.demo.data import FORMULES, PROMO_CODES, REWARDS
from offers.models import Formule, FormuleComponent, PromoCode, Target


def load_offers() -> None:
    """The promo codes, then the formules (their components name products), then the rewards."""
    _promo_codes()
    _formules()
    _rewards()


def _promo_codes() -> None:
    """The demo's promo codes, created once (a code changed in the admin since is left alone)."""
    for spec in PROMO_CODES:
        PromoCode.objects.get_or_create(
            code=spec.code,
            defaults={
                "label": spec.label,
                "kind": spec.kind,
                "value": spec.value,
                "target": Target.CATEGORY if spec.category else Target.ORDER,
                "category": Category.objects.get(slug=spec.category) if spec.category else None,
                "minimum_order": spec.minimum_order,
                "weekdays": list(spec.weekdays),
                "hours_from": spec.hours[0] if spec.hours else None,
                "hours_until": spec.hours[1] if spec.hours else None,
                "first_order_only": spec.first_order_only,
                "max_uses_per_customer": spec.max_uses_per_customer,
                "channels": list(spec.channels),
            },
        )


def _formules() -> None:
    """The demo's formules, created once (a formule changed in the admin since is left alone). A
    component of several categories names their products."""
    for spec in FORMULES:
        formule, created = Formule.objects.get_or_create(
            name_fr=spec.name,
            defaults={
                "name_en": spec.name_en,
                "description_fr": spec.description,
                "description_en": spec.description_en,
                "price_rule": spec.price_rule,
                "price": spec.price,
            },
        )
        if not created:
            continue
        for position, component_spec in enumerate(spec.components, start=1):
            component = FormuleComponent.objects.create(
                formule=formule,
                label_fr=component_spec.label,
                label_en=component_spec.label_en,
                quantity=component_spec.quantity,
                position=position,
            )
            component.products.set(Product.objects.filter(category__slug__in=component_spec.categories))


def _rewards() -> None:
    """The demo's loyalty rewards, created once (a reward changed in the admin since is left alone)."""
    for spec in REWARDS:
        Reward.objects.get_or_create(
            name_fr=spec.name,
            defaults={
                "name_en": spec.name_en,
                "points": spec.points,
                "category": Category.objects.get(slug=spec.category) if spec.category else None,
                "product": Product.objects.get(slug=spec.product) if spec.product else None,
            },
        )
