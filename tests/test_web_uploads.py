"""Evidence uploaded from an officer's PC to `tracker serve` (tracker.web.uploads, and the
server's /upload): into the officer's own folder, under a name that cannot be a path, never
over another file, refused past the size limit and without a session."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import aiohttp
import pytest

from tests.test_web_server import (  # noqa: F401  (the ledger fixture, with 吴科员's password)
    ledger,
    serving,
    sign_in,
    url_of,
)
from tracker.web import server as web_server
from tracker.web.server import Limits, TrackerWeb
from tracker.web.signin import SqlitePasswords
from tracker.web.uploads import officer_folder, place_for, safe_name


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("签到表.pdf", "签到表.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\王\\照片 1.jpg", "照片 1.jpg"),
        (".bashrc", "bashrc"),
        ("a\nb\x00c.txt", "a_b_c.txt"),
        ("..", "file"),
        ("", "file"),
    ],
)
def test_a_file_name_keeps_only_what_cannot_make_it_a_path(typed: str, kept: str) -> None:
    assert safe_name(typed) == kept


def test_a_second_file_of_the_same_name_gets_a_place_of_its_own(tmp_path: Path) -> None:
    first = place_for(tmp_path, "签到表.pdf")
    first.write_bytes(b"1")
    second = place_for(tmp_path, "签到表.pdf")
    assert second != first and second.parent == tmp_path and second.suffix == ".pdf"
    assert officer_folder(tmp_path, "../吴科员") == tmp_path / "吴科员"


def _form(name: str, content: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    return form


def test_an_upload_lands_in_the_officers_own_folder(ledger: str, tmp_path: Path) -> None:  # noqa: F811
    uploads = tmp_path / "uploads"

    async def scenario() -> None:
        web = TrackerWeb(SqlitePasswords(ledger), limits=Limits(), uploads=uploads)
        async with serving(web) as (srv, c):
            refused = await c.post(url_of(srv, "/upload"), data=_form("x.pdf", b"x"))
            assert refused.status == 403
            await sign_in(srv, c)
            sent = await c.post(url_of(srv, "/upload"), data=_form("../签到表.pdf", b"%PDF-1.4"))
            assert sent.status == 200
            answer = await sent.json()
            (path,) = answer["paths"]
            assert Path(path).parent == uploads / "吴科员"
            assert Path(path).name.endswith("-签到表.pdf")
            assert Path(path).read_bytes() == b"%PDF-1.4"
            assert path in answer["message"] and "佐证材料" in answer["message"]
            garbled = await c.post(url_of(srv, "/upload"), data=b"not a form")
            assert garbled.status == 400 and "上传没有成功" in (await garbled.json())["message"]
            foreign = await c.post(
                url_of(srv, "/upload"),
                data=_form("y.pdf", b"y"),
                headers={"Origin": "http://evil.example"},
            )
            assert foreign.status == 403

    asyncio.run(scenario())
    assert sorted(p.name for p in (uploads / "吴科员").iterdir())[0].endswith("签到表.pdf")
    assert len(list((uploads / "吴科员").iterdir())) == 1


def test_a_file_past_the_limit_is_refused_and_not_kept(
    ledger: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uploads = tmp_path / "uploads"
    monkeypatch.setattr(web_server, "MAX_FILE", 100 * 1024)

    async def scenario() -> None:
        web = TrackerWeb(SqlitePasswords(ledger), limits=Limits(), uploads=uploads)
        async with serving(web) as (srv, c):
            await sign_in(srv, c)
            sent = await c.post(url_of(srv, "/upload"), data=_form("录像.mp4", b"0" * 300_000))
            assert sent.status == 413
            assert "太大" in (await sent.json())["message"]

    asyncio.run(scenario())
    assert list((uploads / "吴科员").iterdir()) == []
    shutil.rmtree(uploads)
