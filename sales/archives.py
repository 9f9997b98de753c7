"""The archive of a closed period, for the tax administration: the period's journal entries (CSV and JSON),
its closings (JSON) and a manifest of the SHA-256 sums of those files, in one ZIP.

The journal and the closings are never changed or deleted (trigger, sales/migrations/0002), so an archive
built again from them is the same file content: it is made on request rather than stored. Each file's sum
in the manifest, and the entries' and closing's own hashes inside, let an auditor check it offline
(`sha256sum -c` on the manifest's lines).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC

from sales.closings import closing_payload
from sales.journal import money
from sales.models import Closing, SalesEntry

ENTRY_COLUMNS = (
    "sequence",
    "recorded_at",
    "kind",
    "order_number",
    "amount",
    "amount_net",
    "vat",
    "payment_method",
    "reference",
    "recorded_by",
    "previous_hash",
    "hash",
)
# A fixed date for the ZIP's members, so the same period gives byte-identical archives.
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def _entry_row(entry: SalesEntry) -> dict[str, object]:
    return {
        "sequence": entry.sequence,
        "recorded_at": entry.recorded_at.astimezone(UTC).isoformat(),
        "kind": entry.kind,
        "order_number": entry.order_number,
        "amount": money(entry.amount),
        "amount_net": money(entry.amount_net),
        "vat": json.dumps(entry.vat, sort_keys=True, separators=(",", ":")),
        "payment_method": entry.payment_method,
        "reference": entry.reference,
        "recorded_by": entry.recorded_by_id or "",
        "previous_hash": entry.previous_hash,
        "hash": entry.hash,
    }


def _closing_row(closing: Closing) -> dict[str, object]:
    return {**closing_payload(closing), "previous_hash": closing.previous_hash, "hash": closing.hash}


def archive_name(closing: Closing) -> str:
    return f"sales-record-{closing.restaurant.slug}-{closing.kind}-{closing.period_start:%Y-%m-%d}.zip"


def build_archive(closing: Closing) -> bytes:
    """The ZIP of `closing`'s period: its entries, the closings of the restaurant within the period (this
    one included), and the manifest of their SHA-256 sums."""
    first = closing.first_sequence or closing.last_sequence + 1
    entries = SalesEntry.objects.filter(
        restaurant_id=closing.restaurant_id, sequence__gte=first, sequence__lte=closing.last_sequence
    ).order_by("sequence")
    closings = Closing.objects.filter(
        restaurant_id=closing.restaurant_id,
        period_start__gte=closing.period_start,
        period_end__lte=closing.period_end,
    ).order_by("kind", "sequence")
    rows = [_entry_row(entry) for entry in entries]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=ENTRY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files = {
        "entries.csv": text.getvalue().encode(),
        "entries.json": json.dumps(rows, indent=1, sort_keys=True).encode(),
        "closings.json": json.dumps([_closing_row(c) for c in closings], indent=1, sort_keys=True).encode(),
    }
    manifest = "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in files.items())
    manifest += (
        f"# restaurant {closing.restaurant.name} ({closing.restaurant.slug}), {closing.get_kind_display()} "
        f"{closing.period_start:%Y-%m-%d} .. {closing.period_end:%Y-%m-%d}, closing no. {closing.sequence}\n"
        f"# closing hash {closing.hash}\n# last entry hash {closing.last_entry_hash}\n"
    )
    files["MANIFEST.sha256"] = manifest.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_DATE), content)
    return buffer.getvalue()
