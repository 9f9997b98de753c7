"""The dashboard's range of days and its CSV export's format, read from the query string, and the range's
bounds in local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_RANGE_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        # The browser's date picker sends and shows ISO dates, whatever the language.
        super().__init__(attrs, format="%Y-%m-%d")


class DateRangeForm(forms.Form):
    """?start=YYYY-MM-DD&end=YYYY-MM-DD, both optional: today when both are missing, one day when one is."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None and end is None:
            start = end = timezone.localdate()
        start, end = start or end, end or start
        if end < start:
            self.add_error("end", _("The end date comes before the start date."))
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            self.add_error("end", _("Choose at most %(days)d days.") % {"days": MAX_RANGE_DAYS})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


@dataclass(frozen=True)
class CsvFormat:
    """How the export writes its cells."""

    delimiter: str
    decimal_separator: str
    byte_order_mark: bool  # makes Excel read the accents as UTF-8; other tools may keep it as a character


# French Excel (the default) opens a file on a double click only with ";" between cells and a decimal
# comma; "plain" is the usual CSV, for other tools.
CSV_FORMATS = {
    "excel-fr": CsvFormat(delimiter=";", decimal_separator=",", byte_order_mark=True),
    "plain": CsvFormat(delimiter=",", decimal_separator=".", byte_order_mark=False),
}


class ExportForm(DateRangeForm):
    """The range, and the CSV format (?format=excel-fr, the default, or plain)."""

    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("excel-fr", _("Excel (French)")), ("plain", _("Plain CSV"))],
    )

    def clean_format(self) -> CsvFormat:
        return CSV_FORMATS[self.cleaned_data["format"] or "excel-fr"]


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the first moment of `start` to the first moment after `end`, in the current time zone."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )
