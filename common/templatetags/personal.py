"""`{% personal "template" name=value %}`: an include of a part of the page that differs per visitor
(common.personal)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from common.personal import render_part

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context, template_name: str, **values) -> SafeString:
    return render_part(context, template_name, values)
