"""The app's dialogs as the flows open them, for the tests of every dialog at 80×24
(test_tui_dialogs.py) and their snapshots (test_tui_snapshots.py): after a refused save,
with a long title and the reason, which is the tallest each gets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual.screen import ModalScreen

from tracker.annual.render import DraftFormat
from tracker.models import Status
from tracker.printouts.assembly import PrintKind
from tracker.printouts.make import PrintFormat
from tracker.services.evidence_copies import EvidenceFile
from tracker.services.list_filter import ListFilter
from tracker.services.signoff import Decision
from tracker.tui.app import TrackerApp
from tracker.tui.screens.help import HelpScreen
from tracker.tui.widgets.bulk_dialog import BulkDialog
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.dialogs import LogDialog, NoteDialog, StatusDialog
from tracker.tui.widgets.evidence_dialog import EvidenceDialog
from tracker.tui.widgets.filters import FilterDialog
from tracker.tui.widgets.import_dialog import ImportDialog
from tracker.tui.widgets.print_dialog import DraftChoice, PrintChoice, PrintDialog
from tracker.tui.widgets.supervision_dialogs import ExtensionDialog, SupervisorDialog
from tracker.tui.widgets.void_dialog import Voidable, VoidDialog

AS_OF = date(2026, 11, 26)
CODE = "5.5a/2022"  # 每年至少2次法治专题讲座, 2022
TITLE = "每年至少开展 2 次法治专题讲座，领导班子成员带头参加学习" * 2  # long: two lines
# A long error as a refused save shows it, so the buttons must make room for it too.
ERROR = "生效日期：没有“2022-13-01”这个日期，月份只有 1 至 12，没有 13 月；" * 2


def _dialogs() -> dict[str, Callable[[TrackerApp], ModalScreen[Any]]]:
    """Every dialog that changes an item or prints, as the flows open them (after a refused
    save, so with what was typed and the reason: the tallest each gets), on a long title."""
    item = {"code": CODE, "title": TITLE, "error": ERROR}
    events = [Voidable(i, date(2022, 3, i), f"第{i}次讲座，记录有误") for i in range(1, 9)]
    return {
        "status": lambda app: StatusDialog(current=Status.IN_PROGRESS, effective=AS_OF, **item),
        "log": lambda app: LogDialog(as_of=AS_OF, ask_value=True, **item),
        "note": lambda app: NoteDialog(effective=AS_OF, **item),
        "bulk": lambda app: BulkDialog(**item),
        "void": lambda app: VoidDialog(events=events, **item),
        "supervise": lambda app: SupervisorDialog(
            decisions=list(Decision), effective=AS_OF, **item
        ),
        "extend": lambda app: ExtensionDialog(due=date(2022, 12, 31), effective=AS_OF, **item),
        "confirm": lambda app: ConfirmDialog(heading="再记一次", code=CODE, question=ERROR * 3),
        "filter": lambda app: FilterDialog(ListFilter(), app.context),
        "print": lambda app: PrintDialog(
            as_of=AS_OF.isoformat(),
            report_title=TITLE,
            units=[("司法所", "司法所")],
            sections=[("1 依法全面履行政府职能", 1)],
            # A file named as the dialog names it, in a folder that is the same everywhere.
            choice=PrintChoice(
                PrintKind.LEDGER,
                PrintFormat.XLSX,
                None,
                Path("/home/officer/Documents/承诺事项台账-2026-11-26.xlsx"),
                typed_as_of=AS_OF.isoformat(),
            ),
            error=ERROR,
        ),
        # annual-app: the same dialog on its fourth kind, 年度报告草稿 (its own rows shown).
        "print-annual": lambda app: PrintDialog(
            as_of=AS_OF.isoformat(),
            report_title=TITLE,
            units=[("司法所", "司法所")],
            sections=[("1 依法全面履行政府职能", 1)],
            choice=DraftChoice(
                2025,
                DraftFormat.DOCX,
                False,
                None,
                Path("/home/officer/Documents/2025年法治政府建设年度报告（草稿）.docx"),
                typed_year="2025",
            ),
            error=ERROR,
        ),
        "evidence": lambda app: EvidenceDialog(
            code=CODE,
            title=TITLE,
            files=[
                EvidenceFile(
                    i, date(2022, 3, i), CODE, f"第{i}次讲座签到表.pdf", "0" * 64, 2048 * i, i == 2
                )
                for i in range(1, 13)
            ],
            folder=Path("/home/officer/Documents"),
            error=ERROR,
        ),
        # 导入: a file to read, in a folder that is the same everywhere (it reads nothing here).
        "import": lambda app: ImportDialog(
            folder=Path("/home/officer/Documents"), open_file=lambda path: path
        ),
        "help": lambda app: HelpScreen(),
    }


DIALOGS = _dialogs()
