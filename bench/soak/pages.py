"""What the soak's visitors (locustfile.py) and bench/memory_probe.py read in the site's pages as a browser
would: the staff boards' buttons, a select's first choice, a hidden field's value."""

from __future__ import annotations

import re

KITCHEN_ACTION = re.compile(r'action="(/staff/kitchen/orders/[A-Z0-9-]+/(?:start|ready)/)"')
DELIVERY_ACTION = re.compile(r'action="(/staff/delivery/orders/[A-Z0-9-]+/(?:take|delivered)/)"')


def first_option(body: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    option = re.search(r'<option value="([^"]*)"', select.group(1)) if select else None
    return option.group(1) if option else ""


def hidden_value(body: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', body)
    return found.group(1) if found else ""
