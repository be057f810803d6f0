"""The filter dialog of the list: status, light, unit, section, kind, order, all periods."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import col, select
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Button, Checkbox, Label, Select

from tracker.i18n import t
from tracker.labels import kind_label, light_label, localized, status_label
from tracker.models import Kind, Section, Status, Unit
from tracker.schedule import Light
from tracker.services.list_filter import ListFilter, Order
from tracker.tui.widgets.edit_dialog import Dialog
from tracker.work import OpenLedger


class FilterDialog(Dialog[ListFilter]):
    """Choose what the list shows; returns the new filter, or None when cancelled. Ctrl+S
    applies, as it saves in the editing dialogs: one key finishes every form."""

    DEFAULT_CSS = """
    /* One line a choice, a blank line between, so that the seven fit 80×24 unscrolled. */
    FilterDialog #filter-grid {
        grid-size: 2; grid-columns: 12 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto;
        margin: 1 0;
    }
    """

    def __init__(self, current: ListFilter, context: OpenLedger) -> None:
        super().__init__(heading=t("tui.filter.title"))
        self.current = current
        with context.session() as session:
            units = session.exec(select(Unit).order_by(col(Unit.name))).all()
            self.units = [(localized(u.name, u.name_en), u.name) for u in units]
            numbers = session.exec(select(Section.number).distinct()).all()
            self.sections = sorted(set(numbers))

    def body(self) -> ComposeResult:
        flt = self.current
        with Grid(id="filter-grid"):
            yield Label(t("col.status"))
            yield Select(
                [(status_label(s), s) for s in Status],
                value=flt.statuses[0] if flt.statuses else Select.NULL,
                prompt=t("tui.filter_any"),
                id="status",
                compact=True,
            )
            yield Label(t("col.light"))
            yield Select(
                [(light_label(light), light) for light in Light],
                value=flt.lights[0] if flt.lights else Select.NULL,
                prompt=t("tui.filter_any"),
                id="light",
                compact=True,
            )
            yield Label(t("col.unit"))
            yield Select(
                self.units,
                value=flt.unit or Select.NULL,
                prompt=t("tui.filter_any"),
                id="unit",
                compact=True,
            )
            yield Label(t("col.section"))
            yield Select(
                [(str(n), n) for n in self.sections],
                value=flt.section or Select.NULL,
                prompt=t("tui.filter_any"),
                id="section",
                compact=True,
            )
            yield Label(t("col.kind"))
            yield Select(
                [(kind_label(k), k) for k in Kind],
                value=flt.kind or Select.NULL,
                prompt=t("tui.filter_any"),
                id="kind",
                compact=True,
            )
            yield Label(t("tui.order"))
            yield Select(
                [(t(f"order.{o.value}"), o) for o in Order],
                value=flt.order,
                allow_blank=False,
                prompt=t("tui.order"),
                id="order",
                compact=True,
            )
        yield Checkbox(t("tui.filter_all"), flt.show_all, id="all", compact=True)

    def buttons(self) -> ComposeResult:
        yield Button(t("tui.clear"), id="clear", compact=True)
        yield Button(t("tui.cancel") + " Esc", id="cancel", compact=True)
        yield Button(t("tui.apply") + " Ctrl+S", variant="primary", id="apply", compact=True)

    def _value(self, select_id: str) -> object:
        value = self.query_one(f"#{select_id}", Select).value
        return None if value is Select.NULL else value

    def action_save(self) -> None:
        """Apply the filter chosen."""
        status, light = self._value("status"), self._value("light")
        section, kind = self._value("section"), self._value("kind")
        unit, order = self._value("unit"), self._value("order")
        self.dismiss(
            replace(
                self.current,
                statuses=[Status(str(status))] if status else [],
                lights=[Light(str(light))] if light else [],
                unit=str(unit) if unit else None,
                section=int(str(section)) if section else None,
                kind=Kind(str(kind)) if kind else None,
                order=Order(str(order)) if order else Order.LEDGER,
                show_all=self.query_one("#all", Checkbox).value,
            )
        )

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#clear")
    def clear(self) -> None:
        self.dismiss(ListFilter(overdue=False, search=self.current.search))
