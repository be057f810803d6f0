"""`tracker serve` in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright) signs in, sees the overview in Chinese, searches 讲座, opens the lecture quota,
logs a lecture, and signs out; a wrong password is refused.

The terminal in the page draws on a canvas, so what it shows is read from what the server
sends it: the websocket's frames, fed to a terminal emulator (pyte) of the page's size. A
screenshot of the overview is written beside the ledger for a person to look at; no test
compares it.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyte
import pytest

from tracker.db import make_engine, new_session
from tracker.models import Role
from tracker.services.accounts import add_account
from tracker.services.lookup import now
from tracker.services.passwords import set_password

CHROMIUM = os.environ.get("TRACKER_TEST_BROWSER", "/usr/bin/chromium")
PASSWORD = "讲座记录2026"
NOTE = "浏览器中登记的法治讲座"
DIALOG = "记录事件 · "  # the log dialog's title

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)"
)


class TerminalView:
    """What the page's terminal shows, rebuilt from the frames the server sends it."""

    def __init__(self) -> None:
        self.screen: pyte.Screen | None = None
        self.stream: pyte.ByteStream | None = None

    def attach(self, websocket: object) -> None:
        query = parse_qs(urlsplit(websocket.url).query)  # type: ignore[attr-defined]
        width, height = int(query["width"][0]), int(query["height"][0])
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        websocket.on("framereceived", self._received)  # type: ignore[attr-defined]
        websocket.on("framesent", self._sent)  # type: ignore[attr-defined]

    def _received(self, frame: bytes | str) -> None:
        if isinstance(frame, bytes) and self.stream is not None:
            self.stream.feed(frame)

    def _sent(self, frame: bytes | str) -> None:
        # ["resize", {"width": W, "height": H}] when the page fits the terminal to itself
        if isinstance(frame, str) and frame.startswith('["resize"') and self.screen is not None:
            import json

            size = json.loads(frame)[1]
            self.screen.resize(size["height"], size["width"])

    def text(self) -> str:
        return "\n".join(self.screen.display) if self.screen is not None else ""


def wait_for(
    page: object, view: TerminalView, condition: Callable[[], bool], what: str, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; the page shows:\n{view.text()}")
        page.wait_for_timeout(100)  # type: ignore[attr-defined]


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, Path, Path]]:
    """`tracker serve --sign-in` on a ledger where 吴科员 (镇党委) has a password; its URL,
    the ledger, and where uploads go (a short path: the log dialog shows it whole)."""
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with new_session(engine) as session:
        when = now()
        add_account(
            session=session, actor="seeder", name="吴科员", role=Role.OFFICER,
            units=["镇党委"], now=when,
        )  # fmt: skip
        set_password(session=session, actor="seeder", name="吴科员", password=PASSWORD, now=when)
        session.commit()
    engine.dispose()
    port = _free_port()
    # HOME: the app's printouts go to the server user's documents folder (here, the test's).
    env = {**os.environ, "TRACKER_SERVER": "off", "TRACKER_USER": "seeder", "HOME": str(tmp_path)}
    uploads = Path(tempfile.mkdtemp(prefix="up-", dir="/tmp"))
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker", "--db", str(path), "serve", "--sign-in",
         "--port", str(port), "--uploads", str(uploads)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_listening(port, server)
        yield f"http://127.0.0.1:{port}", path, uploads
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(uploads, ignore_errors=True)


def test_an_officer_signs_in_logs_a_lecture_and_signs_out_in_chromium(
    served: tuple[str, Path, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, path, uploads = served
    view = TerminalView()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            page.on("websocket", view.attach)
            page.goto(base + "/")
            assert page.url == base + "/signin"

            page.fill("#name", "吴科员")
            page.fill("#password", "不是这个密码")
            page.click("#submit")
            assert "账户名或密码不对" in page.inner_text("#message")
            page.wait_for_timeout(1100)  # the wait after one wrong password
            page.fill("#name", "吴科员")
            page.fill("#password", PASSWORD)
            page.click("#submit")
            page.wait_for_selector("body.-first-byte", timeout=60_000)
            wait_for(page, view, lambda: "亮灯" in view.text(), "the overview")
            assert "法治政府建设承诺事项台账" in view.text()
            assert "各部分进度" in view.text()
            page.screenshot(path=str(tmp_path / "overview.png"))

            page.click("#terminal")
            page.keyboard.press("i")
            # The list with its first page (not the overview, which also names 5.5a/2026).
            wait_for(page, view, lambda: _listing(view, "1.1a"), "the list")
            page.keyboard.press("/")
            _search(page, view, "讲座", "5.5a/2026", gone="1.1a", what="the lectures found")
            lectures = [line for line in view.text().splitlines() if line.startswith(" ●")]
            assert any(" 2.1-N3 " in line for line in lectures)  # 各类法治讲座 too
            # This year's lecture quota: searched for by its code, the list's only row.
            page.keyboard.press("Control+a")
            page.keyboard.press("Control+k")
            _search(page, view, "5.5a/2026", "5.5a/2026", gone="2.1-N3", what="the quota alone")
            page.keyboard.press("Enter")  # from the search box to the list
            page.wait_for_timeout(300)
            page.keyboard.press("Enter")
            # The screen reaches the page in pieces: wait for the header and the events both.
            header = "● 5.5a/2026  每年至少2次法治专题讲座"
            wait_for(
                page,
                view,
                lambda: header in view.text() and "事件记录（0）" in view.text(),
                "the quota's detail",
            )

            # Evidence from the officer's PC: uploaded to their folder on the server, whose
            # path the page shows for the log dialog's 佐证材料 field.
            evidence = tmp_path / "desk" / "签到表.pdf"
            evidence.parent.mkdir()
            evidence.write_bytes(b"%PDF-1.4 sign-in sheet")
            page.set_input_files("#upload-files", str(evidence))
            page.wait_for_selector("#uploaded:not([hidden])", timeout=30_000)
            said = page.inner_text("#uploaded")
            (uploaded,) = [Path(line) for line in said.splitlines() if line.startswith("/")]
            assert uploaded.parent == uploads / "吴科员"
            assert uploaded.read_bytes() == evidence.read_bytes()

            _log(page, view, NOTE, evidence=str(uploaded))
            wait_for(page, view, lambda: "事件记录（1）" in view.text(), "the lecture logged")
            assert NOTE in view.text()

            # A printout: written on the server, and handed to the browser, which downloads
            # it (the officer cannot reach the server's disk).
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
            with page.expect_download(timeout=60_000) as downloading:
                page.keyboard.press("p")
                wait_for(page, view, lambda: "打印什么" in view.text(), "the print dialog")
                page.wait_for_timeout(300)
                page.keyboard.press("Control+s")
            download = downloading.value
            saved = tmp_path / "downloads" / download.suggested_filename
            download.save_as(saved)
            assert _is_printout(saved), saved

            page.click("#signout button")
            page.wait_for_url(base + "/signin")
            page.goto(base + "/")
            assert page.url == base + "/signin"
        finally:
            browser.close()

    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        from sqlalchemy import text

        logged = connection.execute(
            text(
                "SELECT c.code, e.happened_on, e.recorded_by FROM event e "
                "JOIN commitment c ON c.id = e.commitment_id WHERE e.note = :note"
            ),
            {"note": NOTE},
        ).all()
    engine.dispose()
    assert [(code, str(day), who) for code, day, who in logged] == [
        ("5.5a/2026", date.today().isoformat(), "吴科员")
    ]
    with sqlite3.connect(path) as connection:
        (size,) = connection.execute(
            "SELECT v.size FROM evidence v JOIN event e ON e.id = v.event_id WHERE e.note = ?",
            (NOTE,),
        ).fetchone()
    assert size == len(b"%PDF-1.4 sign-in sheet")  # the uploaded file, attached


def _log(page: object, view: TerminalView, note: str, evidence: str = "") -> None:
    """`l`, the note typed (the date left at today), saved. Each step waits for the screen
    to show the one before: the terminal's page sends a key at once but typed text a moment
    later, so a key pressed without a person's pause can overtake the text typed before it.
    A note that landed in the wrong field is cancelled and typed again."""
    keyboard = page.keyboard  # type: ignore[attr-defined]
    missed = ""
    for _attempt in range(3):
        keyboard.press("l")
        wait_for(page, view, lambda: DIALOG in view.text(), "the log dialog")
        page.wait_for_timeout(300)  # type: ignore[attr-defined]
        keyboard.press("Tab")
        page.wait_for_timeout(300)  # type: ignore[attr-defined]
        keyboard.type(note)
        try:
            wait_for(page, view, lambda: f"说明      ▊  {note}" in view.text(), "the note", 10)
            if evidence:
                keyboard.press("Tab")
                page.wait_for_timeout(300)  # type: ignore[attr-defined]
                keyboard.type(evidence)
                wait_for(page, view, lambda: Path(evidence).name in view.text(), "evidence", 10)
        except AssertionError as exc:
            missed = str(exc)
            keyboard.press("Escape")
            wait_for(page, view, lambda: DIALOG not in view.text(), "the dialog closed")
            continue
        keyboard.press("Control+s")
        return
    raise AssertionError(f"the note never landed in its field: {missed}")


def _is_printout(path: Path) -> bool:
    """Whether `path` is a printout the library of its kind reads back."""
    if path.suffix == ".xlsx":
        import openpyxl

        return openpyxl.load_workbook(path, read_only=True).sheetnames != []
    if path.suffix == ".docx":
        import docx

        return len(docx.Document(str(path)).paragraphs) > 0
    if path.suffix == ".pdf":
        return path.read_bytes().startswith(b"%PDF")
    return False


def _search(
    page: object, view: TerminalView, words: str, found: str, *, gone: str, what: str
) -> None:
    """Type `words` into the search box (a moment after it opened, so no key overtakes the
    text) and wait until the list shows `found` and no longer `gone`."""
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.keyboard.type(words)  # type: ignore[attr-defined]
    wait_for(page, view, lambda: _listing(view, found) and not _listing(view, gone), what)


def _listing(view: TerminalView, code: str) -> bool:
    """Whether the item list (its header shown) has a row of `code`."""
    text = view.text()
    return "编号" in text and "各部分进度" not in text and f" {code} " in text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode() if server.stdout else ""
            raise AssertionError(f"tracker serve ended: {output}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("tracker serve did not listen")
