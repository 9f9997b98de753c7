"""Imports run one way: `orders` -> `restaurants` -> `menu`, and no cycle.

Every module of the applications (accounts, menu, restaurants, orders, the project ocpizza and the shared
plumbing common; migrations and tests aside) is parsed with `ast`, and each of its imports counted wherever
it stands: at the top, inside a function, under `if TYPE_CHECKING:`. An import inside a function still
makes the two modules depend on each other; it only hides it from Python's import machinery.

- An app imports only the apps its row of ALLOWED_APPS names: `accounts` and `menu` import no other app
  (only `common`), `restaurants` imports `menu` and `accounts`, `sales` (the sales record) imports
  `restaurants` and `accounts`, `orders` imports those four, `ocpizza` imports them all, `common` imports
  none. Nobody imports `ocpizza` or `orders` but the project itself.
- No cycle between modules, within an app or across apps: Python can only run one by importing inside a
  function, and a reader can no longer tell which module comes first.
- A template of `accounts`, `menu`, `restaurants` or a shared include (templates/includes/) never
  includes, extends or loads the tags of a template of `orders`.

Names in strings are not imports and are not checked here: `restaurants/access.py` reverses the URL names
of orders' staff screens, and the add-to-cart form (templates/includes/) posts to `{% url 'cart_add' %}`.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The project may import every app; nothing imports it (settings and URLs name apps, not the other way).
APPS = (
    "common",
    "accounts",
    "menu",
    "legal",
    "restaurants",
    "sales",
    "loyalty",
    "offers",
    "orders",
    "privacy",
    "ocpizza",
)
ALLOWED_APPS: dict[str, set[str]] = {
    "common": set(),
    "accounts": {"common"},
    "menu": {"common"},
    "legal": {"common"},
    "restaurants": {"common", "accounts", "menu"},
    # The sales record knows orders only by the string "orders.Order": orders writes it, never the reverse.
    "sales": {"common", "accounts", "restaurants"},
    # The loyalty ledger knows orders only by the string "orders.Order": orders calls it, never the reverse.
    "loyalty": {"common", "accounts"},
    # Promo codes know the menu and the restaurants; orders counts their uses and passes them in.
    "offers": {"common", "accounts", "menu", "restaurants"},
    "orders": {"common", "accounts", "menu", "legal", "restaurants", "sales", "loyalty", "offers"},
    # The customers' rights reach every app holding their data; only the project imports it.
    "privacy": {"common", "accounts", "menu", "legal", "restaurants", "sales", "loyalty", "offers", "orders"},
    "ocpizza": {
        "common",
        "accounts",
        "menu",
        "legal",
        "restaurants",
        "sales",
        "loyalty",
        "offers",
        "orders",
        "privacy",
    },
}

# Imports known to break the rules, each being fixed on another branch of issue 12. (importing module,
# imported module). The lead empties this list after merging: a test below fails on an entry that no
# longer matches an import, so a fixed violation cannot stay allowed.
ALLOWED_FOR_NOW: set[tuple[str, str]] = set()  # (importer, imported) pairs still to fix: none

TEMPLATE_DIRS_BELOW_ORDERS = ("accounts", "menu", "restaurants", "includes")


@dataclass(frozen=True)
class Import:
    importer: str  # module name: "orders.services"
    imported: str  # the module it names (a package's __init__ for a name defined there)
    path: str  # relative to the repository
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported}"


def app_of(module: str) -> str | None:
    top = module.split(".", 1)[0]
    return top if top in APPS else None


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def application_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the applications, by name: migrations and tests aside."""
    modules = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.relative_to(root).parts:
                continue
            modules[module_name(path, root)] = path
    return modules


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module of a `from ... import` (relative ones included)."""
    if not node.level:
        return node.module or ""
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(
    importer: str, source: str, path: str, known: Iterable[str], is_package: bool = False
) -> list[Import]:
    """Every import of an application in `source`, wherever it stands. `from a.b import c` names the
    module a.b.c when there is one, else a.b."""
    known = set(known)
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(importer, is_package, node)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names
            ]
        else:
            continue
        for target in dict.fromkeys(targets):
            if app_of(target) and target != importer:
                found.append(Import(importer, target, path, node.lineno))
    return found


def all_imports(root: Path = ROOT) -> list[Import]:
    modules = application_modules(root)
    found = []
    for name, path in modules.items():
        relative = str(path.relative_to(root))
        found += imports_of(name, path.read_text(), relative, modules, is_package=path.name == "__init__.py")
    return found


def forbidden_arrows(imports: Iterable[Import]) -> list[Import]:
    return [
        found
        for found in imports
        if app_of(found.importer) != app_of(found.imported)
        and app_of(found.imported) not in ALLOWED_APPS[app_of(found.importer)]
    ]


def cycles(imports: Iterable[Import]) -> list[list[Import]]:
    """The import cycles between modules: for each strongly connected group of modules, its imports."""
    graph: dict[str, set[str]] = defaultdict(set)
    for found in imports:
        graph[found.importer].add(found.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm; the graph is a few hundred modules deep at most
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return [
        sorted(
            (found for found in imports if found.importer in group and found.imported in group),
            key=lambda found: (found.path, found.line),
        )
        for group in groups
    ]


def checked(imports: list[Import]) -> list[Import]:
    return [found for found in imports if (found.importer, found.imported) not in ALLOWED_FOR_NOW]


def describe(violations: Iterable[Import]) -> str:
    return "\n".join(str(found) for found in violations)


# -- The rules hold on the code -----------------------------------------------------------------------


def test_every_application_module_is_parsed():
    modules = application_modules()
    assert {"common.email", "menu.models", "restaurants.availability", "orders.services"} <= set(modules)
    assert not any(".migrations." in name for name in modules)


def test_each_app_imports_only_the_apps_below_it():
    violations = forbidden_arrows(checked(all_imports()))
    assert not violations, "Imports against the arrows (orders -> restaurants -> menu):\n" + describe(
        violations
    )


def test_no_module_imports_itself_back_through_others():
    found = cycles(checked(all_imports()))
    assert not found, "Import cycles (an import inside a function only hides them):\n" + "\n\n".join(
        describe(cycle) for cycle in found
    )


def test_every_import_allowed_for_now_still_exists():
    """An entry of ALLOWED_FOR_NOW that matches no import is a violation fixed: remove it from the list."""
    existing = {(found.importer, found.imported) for found in all_imports()}
    assert not ALLOWED_FOR_NOW - existing, f"Fixed, remove from ALLOWED_FOR_NOW: {ALLOWED_FOR_NOW - existing}"


_TEMPLATE_TAG = re.compile(r"{%\s*(include|extends)\s+[\"']([^\"']+)[\"'][^%]*%}|{%\s*load\s+([^%]+?)\s*%}")


def template_references(root: Path = ROOT) -> list[str]:
    """The includes, extends and tag libraries of orders named by templates that sit below orders."""
    order_libraries = {path.stem for path in (root / "orders" / "templatetags").glob("*.py")} - {"__init__"}
    found = []
    for directory in TEMPLATE_DIRS_BELOW_ORDERS:
        for path in sorted((root / "templates" / directory).rglob("*.html")):
            for number, text in enumerate(path.read_text().splitlines(), start=1):
                for match in _TEMPLATE_TAG.finditer(text):
                    named = match.group(2) or ""
                    libraries = set((match.group(3) or "").split())
                    if named.startswith("orders/") or libraries & order_libraries:
                        found.append(f"{path.relative_to(root)}:{number}: {match.group(0)}")
    return found


def test_templates_below_orders_do_not_use_orders_templates():
    found = template_references()
    assert not found, "Templates naming orders' templates or tags:\n" + "\n".join(found)


# -- The checker fails when it should -----------------------------------------------------------------

KNOWN = {
    "menu.models",
    "orders.services",
    "orders.payments",
    "restaurants.models",
    "restaurants.availability",
}


def test_the_checker_names_a_forbidden_import_with_its_file_and_line():
    source = "from __future__ import annotations\n\nfrom orders.services import place_order\n"

    (found,) = forbidden_arrows(imports_of("menu.models", source, "menu/models.py", KNOWN))

    assert str(found) == "menu/models.py:3: menu.models imports orders.services"


@pytest.mark.parametrize(
    "source",
    [
        "def raise_versions():\n    from restaurants.models import Restaurant\n",
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from restaurants import models\n",
        "import restaurants.models as restaurant_models\n",
    ],
    ids=["inside-a-function", "type-checking", "import-as"],
)
def test_the_checker_sees_imports_wherever_they_stand(source):
    (found,) = forbidden_arrows(imports_of("menu.signals", source, "menu/signals.py", KNOWN))
    assert found.imported == "restaurants.models"


def test_the_checker_resolves_relative_imports():
    (found,) = imports_of("menu.signals", "from ..orders import services\n", "menu/signals.py", KNOWN)
    assert found.imported == "orders.services"
    assert forbidden_arrows([found]) == [found]


def test_the_checker_allows_the_arrows_and_refuses_importing_the_project():
    allowed = "from menu.models import Product\nfrom common import formats\n"
    assert forbidden_arrows(imports_of("orders.models", allowed, "orders/models.py", KNOWN)) == []
    (found,) = forbidden_arrows(
        imports_of("common.email", "from ocpizza import demo\n", "common/email.py", KNOWN)
    )
    assert found.imported == "ocpizza"


def test_the_checker_finds_a_cycle_closed_inside_a_function():
    imports = imports_of(
        "orders.payments",
        "def refund():\n    from orders.services import x\n",
        "orders/payments/__init__.py",
        KNOWN,
    ) + imports_of("orders.services", "from orders.payments import provider\n", "orders/services.py", KNOWN)

    (cycle,) = cycles(imports)

    assert [str(found) for found in cycle] == [
        "orders/payments/__init__.py:2: orders.payments imports orders.services",
        "orders/services.py:1: orders.services imports orders.payments",
    ]
    assert cycles(imports[1:]) == []


def test_the_checker_finds_a_template_of_restaurants_including_one_of_orders(tmp_path):
    card = tmp_path / "templates" / "restaurants" / "includes" / "card.html"
    card.parent.mkdir(parents=True)
    card.write_text('{% load i18n order_receipts %}\n{% include "orders/includes/status_badge.html" %}\n')
    (tmp_path / "orders" / "templatetags").mkdir(parents=True)
    (tmp_path / "orders" / "templatetags" / "order_receipts.py").write_text("")
    for directory in TEMPLATE_DIRS_BELOW_ORDERS:
        (tmp_path / "templates" / directory).mkdir(parents=True, exist_ok=True)

    assert template_references(tmp_path) == [
        "templates/restaurants/includes/card.html:1: {% load i18n order_receipts %}",
        'templates/restaurants/includes/card.html:2: {% include "orders/includes/status_badge.html" %}',
    ]
