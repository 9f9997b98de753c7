#!/usr/bin/env python
"""Check the translation catalogues: exit 1 when the French one is incomplete or its .mo is stale.

    python scripts/translations_check.py            # checks locale/fr (and the .mo of every locale)
    python scripts/translations_check.py fr en      # also require a complete catalogue for en

For every locale named on the command line (default: fr), locale/<lang>/LC_MESSAGES/django.po must have no
untranslated entry (an empty msgstr, or an empty plural form) and no fuzzy entry. For every locale that has
a django.po, the django.mo must exist and be up to date: a .mo older than its .po is stale unless it holds
exactly the .po's translations (a fresh git clone gives files arbitrary modification times, so the
content decides). The offending msgids are printed. Fix: translate, remove the fuzzy flags, then
`python manage.py compilemessages --ignore=.venv`.

It also checks that the catalogue was extracted from today's code: the messages of the code (Python files,
and templates through Django's own `templatize`, both read by xgettext with makemessages' keywords) must all
be in each required catalogue, context included. A message of the code missing from it is printed; fix:
add its entry (by hand, or `make messages`). Entries the code no longer uses are left alone, and so are
the `#:` references: an entry appended by hand counts as long as its msgctxt and msgid are right.

The standard library, xgettext and Django's templatize only: it runs without Django's settings.
"""

from __future__ import annotations

import argparse
import ast
import gettext
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
DOMAIN = "django"
# What `make messages` leaves out of the extraction, and the files it reads (makemessages' defaults).
IGNORED_DIRS = {".venv", "staticfiles", ".tmp", "node_modules", "media", "__pycache__"}
EXTENSIONS = {".py", ".html", ".txt"}
# makemessages' own xgettext keywords, on top of xgettext's Python defaults (_, gettext, ngettext...).
XGETTEXT_KEYWORDS = [
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def is_translated(self) -> bool:
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)

    def label(self) -> str:
        text = repr(self.msgid)
        if self.msgctxt is not None:
            text = f"[{self.msgctxt}] {text}"
        return f"line {self.line}: {text}"


def _unquote(literal: str, path: Path, number: int) -> str:
    literal = literal.strip()
    if not (literal.startswith('"') and literal.endswith('"')):
        raise ValueError(f"{path}:{number}: expected a quoted string, got {literal!r}")
    # PO strings use C escapes, which are a subset of Python's for what gettext writes.
    return ast.literal_eval(literal)


def parse_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries (obsolete `#~` entries are skipped)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None  # which field continuation lines extend
    pending_flags: set[str] = set()

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if current is not None and target and target[0].startswith("msgstr"):
                finish()
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            if current is not None and target and target[0].startswith("msgstr"):
                finish()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{number}: string outside of an entry")
            value = _unquote(line, path, number)
            name, index = target
            if name == "msgstr_plural":
                current.msgstr_plural[index] += value
            else:
                setattr(current, name, getattr(current, name) + value)
            continue
        if keyword in ("msgctxt", "msgid") and (
            current is None or keyword == "msgctxt" or (target and target[0].startswith("msgstr"))
        ):
            finish()
        if current is None:
            current = Entry(line=number, flags=pending_flags)
            pending_flags = set()
        value = _unquote(rest, path, number)
        if keyword == "msgctxt":
            current.msgctxt, target = value, ("msgctxt", None)
        elif keyword == "msgid":
            current.msgid, target = value, ("msgid", None)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = value, ("msgid_plural", None)
        elif keyword == "msgstr":
            current.msgstr, target = value, ("msgstr", None)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            index = int(keyword[len("msgstr[") : -1])
            current.msgstr_plural[index] = value
            target = ("msgstr_plural", index)
        else:
            raise ValueError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    return entries


def expected_catalog(entries: list[Entry]) -> dict:
    """What msgfmt puts in the .mo, keyed like gettext.GNUTranslations._catalog (header left out)."""
    catalog: dict = {}
    for entry in entries:
        if entry.is_header or entry.is_fuzzy or not entry.is_translated:
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is not None:
            for index, text in entry.msgstr_plural.items():
                catalog[(msgid, index)] = text
        else:
            catalog[msgid] = entry.msgstr
    return catalog


def mo_problems(po_path: Path, entries: list[Entry]) -> list[str]:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [f"{mo_path.relative_to(BASE_DIR)} is missing: run compilemessages"]
    if mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return []
    with mo_path.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    compiled.pop("", None)
    expected = expected_catalog(entries)
    if compiled == expected:
        return []
    problems = [f"{mo_path.relative_to(BASE_DIR)} is older than its .po and differs: run compilemessages"]
    differing = {
        key[0] if isinstance(key, tuple) else key
        for key in set(expected) | set(compiled)
        if expected.get(key) != compiled.get(key)
    }
    problems += [f"  not compiled as in the .po: {msgid!r}" for msgid in sorted(differing)]
    return problems


def source_files() -> list[Path]:
    found = []
    for root, dirs, files in os.walk(BASE_DIR):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS and not d.startswith("."))
        found += [Path(root) / name for name in sorted(files) if Path(name).suffix in EXTENSIONS]
    return found


def extracted_messages() -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every message of the code, as makemessages would extract them."""
    from django.utils.translation.template import templatize  # Django's template-to-gettext conversion

    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        for number, path in enumerate(source_files()):
            if path.suffix == ".py":
                inputs.append(str(path))
                continue
            converted = Path(tmp) / f"{number}-{path.name}.py"
            converted.write_text(
                templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8"
            )
            inputs.append(str(converted))
        listing, pot = Path(tmp) / "files.txt", Path(tmp) / "django.pot"
        listing.write_text("\n".join(inputs), encoding="utf-8")
        command = ["xgettext", "--language=Python", "--from-code=UTF-8", "--force-po", *XGETTEXT_KEYWORDS]
        subprocess.run(  # noqa: S603 (a fixed command on the project's own files)
            [*command, "--output", str(pot), "--files-from", str(listing)],
            check=True,
            capture_output=True,
        )
        return {(entry.msgctxt, entry.msgid) for entry in parse_po(pot) if not entry.is_header}


def missing_messages(name: Path, entries: list[Entry], extracted: set[tuple[str | None, str]]) -> list[str]:
    catalogued = {(entry.msgctxt, entry.msgid) for entry in entries}
    problems = []
    for context, msgid in sorted(extracted - catalogued, key=lambda key: (key[1], key[0] or "")):
        label = repr(msgid) if context is None else f"[{context}] {msgid!r}"
        problems.append(f"{name}: in the code, not in the catalogue: {label}")
    return problems


def check(languages: list[str]) -> list[str]:
    problems: list[str] = []
    extracted: set[tuple[str | None, str]] | None = None
    for language in languages:
        if not (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").exists():
            problems.append(f"locale/{language}/LC_MESSAGES/{DOMAIN}.po is missing: run makemessages")
    for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po_path.parent.parent.name
        name = po_path.relative_to(BASE_DIR)
        try:
            entries = parse_po(po_path)
        except (ValueError, SyntaxError) as error:
            problems.append(f"{name}: cannot be read: {error}")
            continue
        if language in languages:
            if extracted is None:
                extracted = extracted_messages()
            problems += missing_messages(name, entries, extracted)
            for entry in entries:
                if entry.is_fuzzy:
                    problems.append(f"{name}: fuzzy {entry.label()}")
                elif not entry.is_header and not entry.is_translated:
                    problems.append(f"{name}: untranslated {entry.label()}")
        problems += mo_problems(po_path, entries)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="*", default=["fr"], help="catalogues that must be complete")
    args = parser.parse_args(argv)
    problems = check(args.languages)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s).", file=sys.stderr)
        return 1
    print(f"Translations OK ({', '.join(args.languages)}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
