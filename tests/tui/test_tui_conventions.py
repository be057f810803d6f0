"""The app's conventions (issue 3, point 8): English with `--lang en`, every action in the
command palette, `q`, `?` and Escape, a district database asking which report first, light
and dark themes, and a usable 80×24 terminal."""

from __future__ import annotations

import asyncio
import html
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from conftest import SECOND
from rich.color_triplet import ColorTriplet
from sqlmodel import Session, col, select
from textual.command import CommandInput, CommandList, CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Select, Static
from textual.widgets.option_list import Option
from tui_helpers import settle

from tracker.db import make_engine, new_session
from tracker.i18n import t
from tracker.labels import light_label
from tracker.models import Commitment, CoUnit, Event, History, Report, Unit, Village
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import ListFilter
from tracker.services.listing import list_items
from tracker.tui.app import TrackerApp
from tracker.tui.screens.choose import ChooseReportScreen
from tracker.tui.screens.dashboard import DashboardScreen
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.help import HelpScreen
from tracker.tui.screens.items import ItemsScreen
from tracker.tui.screens.overdue import OverdueScreen
from tracker.tui.screens.report import ReportScreen
from tracker.tui.screens.villages import VillagesScreen, VillageTable
from tracker.tui.widgets.bars import LineList
from tracker.tui.widgets.filters import FilterDialog
from tracker.tui.widgets.item_list import ItemList
from tracker.tui.widgets.report_text import ReportText

AS_OF = date(2026, 11, 26)  # the day tests/tui/conftest.py builds the app on
# The areas by their keys, and the screen and main widget each shows.
AREAS: dict[str, tuple[str, type[Screen[Any]], str]] = {
    "d": ("dashboard", DashboardScreen, "#board"),
    "i": ("items", ItemsScreen, "#items"),
    "v": ("overdue", OverdueScreen, "#overdue-list"),
    "r": ("villages", VillagesScreen, "#village-grid"),
    "t": ("report", ReportScreen, "#report-text"),
}
# Chinese characters and CJK punctuation (full-width forms included).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
# What a message key looks like when it is shown instead of its message.
CATALOG_KEY = re.compile(r"[a-z_]+(\.[a-z_]+)+")


async def go(pilot: Pilot[None], key: str) -> Screen[Any]:
    """Press an area's key and return the area's screen, checked to be the right one."""
    await pilot.press(key)
    await settle(pilot)
    mode, screen_class, _ = AREAS[key]
    screen = pilot.app.screen
    assert pilot.app.current_mode == mode
    assert isinstance(screen, screen_class)
    return screen


# --- 1. English ---------------------------------------------------------------------------

# Run in a fresh interpreter: binding descriptions are translated when the screens' modules
# are imported, so the language has to be set before anything of the app is imported.
ENGLISH_TOUR = """
import asyncio, sys
from datetime import date

from tracker.i18n import set_language

set_language("en")

from tracker.config import load_settings
from tracker.tui import make_app
from tracker.work import Opening

url, out, code, as_of = sys.argv[1:5]


async def tour() -> None:
    opening = Opening(load_settings(db=url, user="test"), as_of=date.fromisoformat(as_of))
    app = make_app(opening)
    async with app.run_test(size=(160, 40)) as pilot:

        async def shot(name, *keys):
            await pilot.press(*keys)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.save_screenshot(f"{name}.svg", path=out)

        await shot("dashboard", "d")
        await shot("items", "i")
        await shot("filters", "f")
        await shot("overdue", "escape", "v")
        await shot("villages", "r")
        await shot("report", "t")
        await shot("help", "i", "question_mark")
        await pilot.press("escape")
        app.open_item(code)
        await shot("detail")
        await shot("status", "s")
    app.context.close()


asyncio.run(tour())
"""

# Words each screen must show in English (the footer's included, at 160 columns). The
# overview's footer names the other areas; every footer names help and quit.
APP_KEYS = ["Help", "Quit"]
AREA_KEYS = ["Items", "Overdue", "Villages", "Report", *APP_KEYS]
ENGLISH_WORDS = {
    "dashboard": [*AREA_KEYS, "Progress by section", "Most overdue", "items"],
    "items": [*APP_KEYS, "Code", "Item", "Unit", "Due", "Status", "Search", "Overdue only"],
    "filters": ["Status", "Light", "Unit", "Section", "Kind", "Order"],
    "overdue": [*APP_KEYS, "Code", "Item", "Due", "red", "yellow"],
    "villages": [*APP_KEYS, "villages", "requirements", "Village 01"],
    "report": [*APP_KEYS, "highlighted", "Next", "Previous"],
    "help": ["Help", "This screen", "Everywhere", "Search", "Quit"],
    "detail": ["Section", "Kind", "Unit", "Co-units", "Status", "Due", "Light", "Back"],
    "status": ["Change status", "to do", "in progress", "done", "Note", "Cancel", "Save"],
}


_FRAGMENT = re.compile(
    r'<text [^>]*?x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
    r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>'
)


def screen_lines(svg: str) -> list[str]:
    """The terminal's lines as plain text, from a screenshot (Rich's SVG places each run of
    styled text at its cell; runs not touching are joined by a space)."""
    runs: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
    for x, length, line, text in _FRAGMENT.findall(svg):
        runs[int(line)].append((float(x), float(length), html.unescape(text)))
    lines = []
    for number in range(max(runs, default=-1) + 1):
        text, end = "", None
        for x, length, fragment in sorted(runs.get(number, [])):
            if end is not None and abs(x - end) > 0.5:
                text += " "
            text += fragment.replace("\xa0", " ")
            end = x + length
        lines.append(text)
    return lines


def chinese_data(session: Session) -> tuple[str, str]:
    """Chinese the ledger holds with no English twin: (names shown in every area — towns and
    villages; everything a detail or the report text may show — the report, descriptions,
    notes, leaders, history and events)."""
    names = [r.town for r in session.exec(select(Report)).all()]
    names += [v.name for v in session.exec(select(Village)).all() if v.name]
    texts = [r.text for r in session.exec(select(Report)).all()]
    for item in session.exec(select(Commitment)).all():
        texts += [item.description, item.notes, item.leader or "", item.baseline_text or ""]
        texts.append(item.measure or "")
    texts += [h.note for h in session.exec(select(History)).all()]
    texts += [e.note for e in session.exec(select(Event)).all()]
    return "\n".join(names), "\n".join(names + texts)


def test_english_shows_every_area_in_english_with_chinese_only_in_the_data(
    tui_db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(tui_db_url)
    try:
        with new_session(engine) as session:
            names, data = chinese_data(session)
            # An item worked on by other units too, so the detail shows co-units.
            item = session.exec(
                select(Commitment)
                .join(CoUnit, col(CoUnit.commitment_id) == Commitment.id)
                .order_by(col(Commitment.sort_key))
            ).first()
            assert item is not None and item.title_en
            code, title_en = item.code, item.title_en
            co_units = session.exec(
                select(Unit)
                .join(CoUnit, col(CoUnit.unit_id) == Unit.id)
                .where(CoUnit.commitment_id == item.id)
            ).all()
            # Names with an English twin are shown in English, like titles and units.
            twins = [u.name_en for u in co_units if u.name_en]
            assert twins
    finally:
        engine.dispose()
    shots = tmp_path / "shots"
    shots.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", ENGLISH_TOUR, tui_db_url, str(shots), code, AS_OF.isoformat()],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr

    screens = {name: screen_lines((shots / f"{name}.svg").read_text()) for name in ENGLISH_WORDS}
    for name, lines in screens.items():
        text = "\n".join(lines)
        for word in ENGLISH_WORDS[name]:
            assert word in text, (name, word, text)
        # The report's own words are Chinese data; around them, and on every other screen
        # but the detail, only town and village names may be.
        if name == "report":
            body, lines = lines[2:-2], lines[:2] + lines[-2:]
            for line in body:
                assert all(run in data for run in CJK.findall(line)), (name, line)
        allowed = data if name in ("detail", "status") else names
        for line in lines:
            assert all(run in allowed for run in CJK.findall(line)), (name, line)
    detail = "\n".join(screens["detail"])
    assert title_en in detail
    assert all(twin in detail for twin in twins), (twins, detail)


# --- 2. The command palette ---------------------------------------------------------------


async def open_palette(pilot: Pilot[None], typed: str = "") -> CommandPalette:
    await pilot.press("ctrl+p")
    await settle(pilot)
    if typed:
        await pilot.press(*typed)
        await settle(pilot)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    return palette


def listed(palette: CommandPalette) -> list[tuple[str, str]]:
    """The commands the palette lists: (name, help) of each."""
    commands = palette.query_one(CommandList)
    prompts = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
    return [(name, help_) for name, _, help_ in (p.partition("\n") for p in prompts)]


def command_names(palette: CommandPalette) -> list[str]:
    """The commands the palette lists, by name."""
    return [name for name, _ in listed(palette)]


async def run_command(pilot: Pilot[None], palette: CommandPalette, name: str, help_: str) -> None:
    """Go down (or up) the list to the command with the arrow keys and run it with Enter."""
    target = listed(palette).index((name, help_))
    commands = palette.query_one(CommandList)
    for _ in range(commands.option_count + 1):
        if commands.highlighted == target:
            break
        below = commands.highlighted is None or commands.highlighted < target
        await pilot.press("down" if below else "up")
    assert commands.highlighted == target
    await pilot.press("enter")
    await settle(pilot)


def test_palette_offers_every_area_and_every_key_of_the_screen(
    make_app: Callable[..., TrackerApp],
) -> None:
    areas = [t(f"key.{mode}") for mode, _, _ in AREAS.values()]
    everywhere = [*areas, t("key.help"), t("key.quit"), t("palette.theme")]
    own = {
        "items": ["search", "overdue_only", "filters", "status", "log", "note", "open"],
        "detail": ["back", "status", "log", "note"],
    }

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await go(pilot, "i")
            names = command_names(await open_palette(pilot))
            assert set(everywhere) <= set(names)
            assert {t(f"key.{k}") for k in own["items"]} <= set(names)
            await pilot.press("escape")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            names = command_names(await open_palette(pilot))
            assert set(everywhere) <= set(names)
            assert {t(f"key.{k}") for k in own["detail"]} <= set(names)
            assert {t("tui.detail.in_report"), t("tui.detail.paragraph")} <= set(names)

    asyncio.run(run())


def test_palette_finds_the_overdue_review_by_a_word_and_opens_it(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            palette = await open_palette(pilot, "逾期")
            assert (t("key.overdue"), t("palette.overdue")) in listed(palette)
            await run_command(pilot, palette, t("key.overdue"), t("palette.overdue"))
            assert app.current_mode == "overdue"
            assert isinstance(app.screen, OverdueScreen)

    asyncio.run(run())


def test_every_command_of_a_name_does_what_its_key_does(
    make_app: Callable[..., TrackerApp],
) -> None:
    """However many commands the palette lists under a key's name, each one works."""

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            found = [c for c in listed(await open_palette(pilot)) if c[0] == t("key.overdue")]
            await pilot.press("escape")
            assert found
            for command in found:
                await go(pilot, "d")
                await run_command(pilot, await open_palette(pilot, command[0]), *command)
                assert app.current_mode == "overdue", command
            await go(pilot, "i")
            found = [c for c in listed(await open_palette(pilot)) if c[0] == t("key.open")]
            await pilot.press("escape")
            assert found
            for command in found:
                await run_command(pilot, await open_palette(pilot, command[0]), *command)
                assert isinstance(app.screen, DetailScreen), command
                await pilot.press("escape")
                await settle(pilot)

    asyncio.run(run())


def test_palette_names_every_command_in_the_officers_language(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            for key in AREAS:
                await go(pilot, key)
                names = command_names(await open_palette(pilot))
                assert names
                assert not [n for n in names if CATALOG_KEY.fullmatch(n)], (key, names)
                await pilot.press("escape")

    asyncio.run(run())


def test_palette_asks_in_chinese_by_default(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            palette = await open_palette(pilot)
            assert CJK.search(palette.query_one(CommandInput).placeholder)

    asyncio.run(run())


def test_filter_dialog_prompts_in_chinese_by_default(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await go(pilot, "i")
            await pilot.press("f")
            await settle(pilot)
            assert isinstance(app.screen, FilterDialog)
            for select_ in app.screen.query(Select):
                assert CJK.search(str(select_.prompt)), select_.id

    asyncio.run(run())


# --- 3. q, ? and Escape -------------------------------------------------------------------


def test_q_quits_but_is_typed_into_the_search_box(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> TrackerApp:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await go(pilot, "i")
            await pilot.press("slash", "q")
            await settle(pilot)
            assert app.is_running
            assert app.screen.query_one("#search").has_focus
            await pilot.press("escape")  # back to the list, the search kept
            assert app.screen.query_one(ItemList).has_focus
            await pilot.press("q")
            await pilot.pause()
        return app

    app = asyncio.run(run())
    assert not app.is_running
    assert app.return_code == 0
    assert app.return_value is None


def test_q_quits_from_a_detail(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> TrackerApp:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("q")
            await pilot.pause()
        return app

    app = asyncio.run(run())
    assert not app.is_running
    assert app.return_code == 0


def test_question_mark_opens_help_over_every_area_and_escape_closes_it(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            for key in [*AREAS, "enter"]:
                under: Screen[Any]
                if key == "enter":  # and over a detail, opened from the report's text
                    await pilot.press("n", "enter")
                    await settle(pilot)
                    assert isinstance(app.screen, DetailScreen)
                    under = app.screen
                else:
                    under = await go(pilot, key)
                await pilot.press("question_mark")
                await pilot.pause()
                assert isinstance(app.screen, HelpScreen), key
                await pilot.press("escape")
                await pilot.pause()
                back: Screen[Any] = app.screen
                assert back is under, key

    asyncio.run(run())


def test_escape_goes_back_from_a_detail_to_where_it_was_opened(
    make_app: Callable[..., TrackerApp],
) -> None:
    def place(screen: Screen[Any]) -> object:
        """Where the cursor is on an area's screen."""
        if isinstance(screen, ItemsScreen):
            return screen.query_one(ItemList).cursor
        if isinstance(screen, VillagesScreen):
            return screen.query_one(VillageTable).cursor_coordinate
        if isinstance(screen, ReportScreen):
            return screen.query_one(ReportText).cursor
        return screen.query_one(LineList).highlighted

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            for key, moves in [
                ("d", ["down"]),
                ("i", ["down", "down", "down"]),
                ("v", ["down", "down"]),
                ("r", ["down", "right"]),
                ("t", ["n", "n"]),
            ]:
                area = await go(pilot, key)
                await pilot.press(*moves)
                await settle(pilot)
                before = place(area)
                await pilot.press("enter")
                await settle(pilot)
                assert isinstance(app.screen, DetailScreen), key
                await pilot.press("escape")
                await settle(pilot)
                assert app.screen is area, key
                assert app.current_mode == AREAS[key][0]
                assert place(area) == before, key

    asyncio.run(run())


# --- 4. A district database (the fixture district_db_url: conftest.py) ----------------------


def report_total(db_url: str, slug: str) -> int:
    engine = make_engine(db_url)
    try:
        with new_session(engine) as session:
            flt = ListFilter(report=slug)
            deadlines = Deadlines(as_of=AS_OF)
            return list_items(session=session, flt=flt, deadlines=deadlines, limit=1).total
    finally:
        engine.dispose()


def test_a_district_database_asks_which_report_first(
    make_app: Callable[..., TrackerApp], district_db_url: str
) -> None:
    before = report_total(district_db_url, SECOND)

    async def run() -> None:
        app = make_app()
        first = report_total(district_db_url, "baohe-2021")
        second = report_total(district_db_url, SECOND)
        assert second > before  # the periods of 2026, created on opening
        assert first != second  # else the list's count below could not tell them apart
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ChooseReportScreen)
            reports = app.screen.query_one(OptionList)
            assert [reports.get_option_at_index(i).id for i in range(2)] == [
                "baohe-2021",
                SECOND,
            ]
            # No area can be opened before a report is chosen.
            await pilot.press(*AREAS)
            await settle(pilot)
            assert app.current_mode == "choose"
            assert isinstance(app.screen, ChooseReportScreen)
            for _ in range(3):
                highlighted = reports.highlighted_option
                if highlighted is not None and highlighted.id == SECOND:
                    break
                await pilot.press("down")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert app.context.report == SECOND
            await go(pilot, "i")
            assert app.screen.query_one(ItemList).total == second

    asyncio.run(run())


def test_ctrl_s_works_on_the_report_under_the_cursor_as_in_every_dialog(
    make_app: Callable[..., TrackerApp], district_db_url: str
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ChooseReportScreen)
            reports = app.screen.query_one(OptionList)
            while (reports.highlighted_option or Option("")).id != SECOND:
                await pilot.press("down")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert app.context.report == SECOND
            await pilot.press("escape")  # nothing to go back to: the report stays chosen
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    asyncio.run(run())


def test_enter_at_once_chooses_the_first_report_as_the_prompt_says(
    make_app: Callable[..., TrackerApp], district_db_url: str
) -> None:
    """The prompt says Enter chooses: the first report is under the cursor from the start
    (an option list opens with none, and Enter did nothing)."""

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ChooseReportScreen)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert app.context.report == "baohe-2021"

    asyncio.run(run())


def test_the_palette_cannot_skip_choosing_the_report(
    make_app: Callable[..., TrackerApp], district_db_url: str
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ChooseReportScreen)
            palette = await open_palette(pilot, t("key.dashboard"))
            if (t("key.dashboard"), t("palette.dashboard")) in listed(palette):
                await run_command(pilot, palette, t("key.dashboard"), t("palette.dashboard"))
            else:
                await pilot.press("escape")
            assert app.current_mode == "choose"
            assert app.context.report is None

    asyncio.run(run())


# --- 5. Light and dark themes -------------------------------------------------------------


def light_colours(screen: Screen[Any]) -> dict[Light, tuple[ColorTriplet, ColorTriplet]]:
    """The colour and background each light is drawn in on the overview's counts line."""
    counts = screen.query_one("#board-counts", Static)
    found: dict[Light, tuple[ColorTriplet, ColorTriplet]] = {}
    for strip in counts.render_lines(Region(0, 0, counts.size.width, counts.size.height)):
        for segment in strip:
            style = segment.style
            for light in Light:
                if segment.text.startswith(f"● {light_label(light)}") and style is not None:
                    assert style.color is not None and style.bgcolor is not None
                    found[light] = (style.color.get_truecolor(), style.bgcolor.get_truecolor())
    return found


def contrast(a: ColorTriplet, b: ColorTriplet) -> float:
    """WCAG's contrast ratio of two colours (1 to 21)."""

    def luminance(c: ColorTriplet) -> float:
        def channel(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.red) + 0.7152 * channel(c.green) + 0.0722 * channel(c.blue)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_area_works_in_light_and_dark_and_the_lights_stay_apart(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            dark = app.theme
            assert app.current_theme.dark
            for theme in ("textual-light", dark):
                app.theme = theme
                await settle(pilot)
                assert app.current_theme.dark == (theme == dark)
                for key in AREAS:
                    await go(pilot, key)
                await go(pilot, "i")
                await pilot.press("enter")  # a detail, redrawn in the theme's colours
                await settle(pilot)
                assert isinstance(app.screen, DetailScreen)
                await pilot.press("escape")
                overview = await go(pilot, "d")
                colours = light_colours(overview)
                assert set(colours) == set(Light), theme
                lit = [colours[light][0] for light in (Light.RED, Light.YELLOW, Light.GREEN)]
                assert len(set(lit)) == 3, (theme, lit)
                for light, (colour, background) in colours.items():
                    # Readable, if not to WCAG's 3:1 for yellow on the light theme's grey.
                    assert contrast(colour, background) >= 2, (theme, light, colour)

    asyncio.run(run())


# --- 6. 80×24 -----------------------------------------------------------------------------


def test_every_area_is_usable_at_80_by_24(make_app: Callable[..., TrackerApp]) -> None:
    def check(screen: Screen[Any], main: Widget) -> None:
        footer = screen.query_one(Footer)
        assert footer.display and footer.region.height == 1
        assert footer.region.bottom == 24  # the last line, on screen
        assert main.region.height >= 10, (type(screen).__name__, main.region)
        assert main.region.bottom <= footer.region.y

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            for key, (_, _, main) in AREAS.items():
                screen = await go(pilot, key)
                check(screen, screen.query_one(main))
            await go(pilot, "i")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            check(app.screen, app.screen.query_one("#detail"))

    asyncio.run(run())
