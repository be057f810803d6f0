"""A date field that shows beside it, as the officer types, how the date is read (读作
2022年5月10日 星期二), or why it is not a date, so that the day is seen before it is saved.

Every dialog's date field is one: they read dates as the command line does (tracker.dates).
The reading sits beside the input rather than under it, so that a dialog grows by no line
for it at 80×24; empty, the field says there which forms a date may take.
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

from tracker.dates import parse_day
from tracker.errors import TrackerError, printable
from tracker.i18n import t
from tracker.labels import long_date
from tracker.services.lookup import now


class DateField(Horizontal):
    """An `Input` (with the id given, so the dialog finds it as before) and, beside it,
    the day it reads as. `label` names the field in a refusal; `year` is the year of a
    day typed without one (5月10日): the year the app is viewing, by default this one.
    The placeholder, unless given, is an example date."""

    DEFAULT_CSS = """
    DateField {
        width: 1fr;
        height: auto;
    }
    DateField > Input {
        width: 24;
    }
    DateField > .date-reading {
        width: 1fr;
        height: auto;
        color: $text-muted;
        padding: 1 0 0 1;
    }
    DateField.-compact > .date-reading {
        padding: 0 0 0 1;
    }
    DateField > .date-reading.-invalid {
        color: $error;
    }
    """

    def __init__(
        self,
        value: str,
        *,
        input_id: str,
        label: str,
        year: int | None = None,
        placeholder: str | None = None,
        compact: bool = False,
    ) -> None:
        super().__init__(id=f"{input_id}-field", classes="-compact" if compact else "")
        self.label = label
        self.year = year
        hint = placeholder or t("date.example")
        self.input = Input(value, placeholder=hint, id=input_id, compact=compact)
        # What was typed is quoted in a refusal: never read as markup.
        self.reading = Static("", classes="date-reading", markup=False)

    def compose(self) -> ComposeResult:
        yield self.input
        yield self.reading

    def on_mount(self) -> None:
        self._show()

    @property
    def typed(self) -> str:
        """What the field holds, without surrounding spaces."""
        return self.input.value.strip()

    def read(self) -> date:
        """The day typed; a TrackerError naming the field and saying what is wrong."""
        today = now().date()
        year = self.year if self.year is not None else today.year
        return parse_day(self.input.value, field=self.label, today=today, year=year)

    def read_or_none(self) -> date | None:
        """The day typed, or None when it is not a date (or nothing is typed)."""
        try:
            return self.read()
        except TrackerError:
            return None

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input is self.input:
            self._show()

    def _show(self) -> None:
        """Say how the field reads now: the day with its weekday, or why it is no date."""
        invalid = False
        if not self.typed:
            text = t("date.forms")
        else:
            try:
                text = t("date.read_as", date=long_date(self.read()))
            except TrackerError as exc:
                # Beside the field, its name and what it holds go without saying; the
                # whole refusal is the dialog's to say when it is saved.
                short = exc.key == "date_invalid"
                text, invalid = (t("date.unreadable") if short else exc.message()), True
        self.reading.update(printable(text))
        self.reading.set_class(invalid, "-invalid")
