"""The filter dialog of the list: status, light, unit, section, kind, order, all periods."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from sqlmodel import col, select
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, Select

from tracker.i18n import t
from tracker.labels import kind_label, light_label, localized, status_label
from tracker.models import Kind, Section, Status, Unit
from tracker.schedule import Light
from tracker.services.list_filter import ListFilter, Order
from tracker.work import OpenLedger


class FilterDialog(ModalScreen[ListFilter | None]):
    """Choose what the list shows; returns the new filter, or None when cancelled."""

    # Ctrl+S applies, as it saves in the editing dialogs: one key finishes every form.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("key.cancel")),
        Binding("ctrl+s", "apply", t("tui.apply"), priority=True),
    ]

    DEFAULT_CSS = """
    FilterDialog { align: center middle; }
    FilterDialog > Vertical {
        width: 70; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    FilterDialog Grid { grid-size: 2; grid-columns: 12 1fr; grid-rows: 3; height: auto; }
    FilterDialog Label { padding: 1 0 0 0; }
    FilterDialog Horizontal { height: auto; align-horizontal: right; }
    """

    def __init__(self, current: ListFilter, context: OpenLedger) -> None:
        super().__init__()
        self.current = current
        with context.session() as session:
            units = session.exec(select(Unit).order_by(col(Unit.name))).all()
            self.units = [(localized(u.name, u.name_en), u.name) for u in units]
            numbers = session.exec(select(Section.number).distinct()).all()
            self.sections = sorted(set(numbers))

    def compose(self) -> ComposeResult:
        flt = self.current
        with Vertical():
            with Grid():
                yield Label(t("col.status"))
                yield Select(
                    [(status_label(s), s) for s in Status],
                    value=flt.statuses[0] if flt.statuses else Select.NULL,
                    prompt=t("tui.filter_any"),
                    id="status",
                )
                yield Label(t("col.light"))
                yield Select(
                    [(light_label(light), light) for light in Light],
                    value=flt.lights[0] if flt.lights else Select.NULL,
                    prompt=t("tui.filter_any"),
                    id="light",
                )
                yield Label(t("col.unit"))
                yield Select(
                    self.units,
                    value=flt.unit or Select.NULL,
                    prompt=t("tui.filter_any"),
                    id="unit",
                )
                yield Label(t("col.section"))
                yield Select(
                    [(str(n), n) for n in self.sections],
                    value=flt.section or Select.NULL,
                    prompt=t("tui.filter_any"),
                    id="section",
                )
                yield Label(t("col.kind"))
                yield Select(
                    [(kind_label(k), k) for k in Kind],
                    value=flt.kind or Select.NULL,
                    prompt=t("tui.filter_any"),
                    id="kind",
                )
                yield Label(t("tui.order"))
                yield Select(
                    [(t(f"order.{o.value}"), o) for o in Order],
                    value=flt.order,
                    allow_blank=False,
                    prompt=t("tui.order"),
                    id="order",
                )
            yield Checkbox(t("tui.filter_all"), flt.show_all, id="all")
            with Horizontal():
                yield Button(t("tui.clear"), id="clear")
                yield Button(t("tui.cancel"), id="cancel")
                yield Button(t("tui.apply"), variant="primary", id="apply")

    def _value(self, select_id: str) -> object:
        value = self.query_one(f"#{select_id}", Select).value
        return None if value is Select.NULL else value

    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
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

    def action_apply(self) -> None:
        self.apply()

    @on(Button.Pressed, "#clear")
    def clear(self) -> None:
        self.dismiss(ListFilter(overdue=False, search=self.current.search))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
