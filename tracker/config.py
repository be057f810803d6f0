"""Settings: where the database is, who is working, in which language, how early to warn.

Each setting comes from the command line, else the environment (TRACKER_DB, TRACKER_USER,
TRACKER_LANG, TRACKER_WARN_DAYS, TRACKER_HOLIDAYS, TRACKER_EVIDENCE_DIR), else the config file
(`config.toml` in the user config directory, or TRACKER_CONFIG), else a default.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from tracker.errors import TrackerError
from tracker.files import MB, read_limited
from tracker.i18n import normalize_language, t
from tracker.schedule import DEFAULT_WARN_DAYS

APP_NAME = "tracker"
SEED_DIR = Path(__file__).resolve().parent.parent / "seed_data"
DEFAULT_SEED = SEED_DIR / "baohe-2021.yaml"
CONFIG_KEYS = frozenset({"db", "user", "lang", "warn_days", "holidays", "evidence_dir"})
MAX_CONFIG_BYTES = 1 * MB


def default_db_path() -> Path:
    """The embedded SQLite file in the platform's user data directory."""
    return platformdirs.user_data_path(APP_NAME) / "tracker.db"


def documents_folder() -> Path:
    """Where files the officer asks for go unless they type another folder (printouts,
    evidence saved from the app): their documents folder (文档), or their home where there
    is none; never the folder the app was started in, which for a developer is the source
    tree."""
    documents = Path(platformdirs.user_documents_dir())
    return documents if documents.is_dir() else Path.home()


def config_path() -> Path:
    env = os.environ.get("TRACKER_CONFIG")
    return Path(env) if env else platformdirs.user_config_path(APP_NAME) / "config.toml"


@dataclass(frozen=True)
class Settings:
    db: str  # a URL or a SQLite file path
    db_is_default: bool
    user: str
    lang: str
    warn_days: int
    holidays: Path | None
    # Where evidence files are stored; None: beside a SQLite file (services.evidence_store).
    evidence_dir: Path | None = None


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        # A few lines of settings: a larger file is the wrong one, and is not read whole.
        data = tomllib.loads(read_limited(path, MAX_CONFIG_BYTES).decode("utf-8"))
    except TrackerError as exc:
        raise TrackerError("config_invalid", path=str(path), reason=exc.message()) from exc
    except UnicodeDecodeError as exc:
        raise TrackerError("config_invalid", path=str(path), reason=t("reason.not_utf8")) from exc
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message is English and ends with "(at line L, column C)": only where is kept.
        found = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, column = found.groups() if found else ("1", "1")
        reason = t("reason.not_toml", line=line, column=column)
        raise TrackerError("config_invalid", path=str(path), reason=reason) from exc
    unknown = set(data) - CONFIG_KEYS
    if unknown:
        reason = t(
            "reason.config_unknown_keys",
            keys="、".join(sorted(unknown)),
            known="、".join(sorted(CONFIG_KEYS)),
        )
        raise TrackerError("config_invalid", path=str(path), reason=reason)
    return data


def _evidence_dir(config: dict[str, Any]) -> Path | None:
    raw = os.environ.get("TRACKER_EVIDENCE_DIR") or config.get("evidence_dir")
    return Path(str(raw)).expanduser() if raw else None


def evidence_dir_setting() -> Path | None:
    """The configured evidence store, for code that is given a session but no Settings."""
    return _evidence_dir(_read_config(config_path()))


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "officer"


def load_settings(
    *,
    db: str | None = None,
    user: str | None = None,
    lang: str | None = None,
    warn_days: int | None = None,
) -> Settings:
    """Settings from the given values, the environment, the config file and defaults."""
    env = os.environ
    config = _read_config(config_path())
    chosen_db = db or env.get("TRACKER_DB") or config.get("db")
    raw_lang = lang or env.get("TRACKER_LANG") or config.get("lang") or "zh"
    language = normalize_language(str(raw_lang))
    if language is None:
        raise TrackerError("lang_unknown", lang=raw_lang)
    raw_warn = warn_days if warn_days is not None else env.get("TRACKER_WARN_DAYS")
    if raw_warn is None:
        raw_warn = config.get("warn_days", DEFAULT_WARN_DAYS)
    try:
        warn = int(raw_warn)
    except (TypeError, ValueError) as exc:
        raise TrackerError("warn_days_invalid", value=raw_warn) from exc
    if not 0 <= warn <= 60:
        raise TrackerError("warn_days_invalid", value=raw_warn)
    holidays = env.get("TRACKER_HOLIDAYS") or config.get("holidays")
    return Settings(
        db=str(chosen_db) if chosen_db else str(default_db_path()),
        db_is_default=not chosen_db,
        user=user or env.get("TRACKER_USER") or config.get("user") or _login_name(),
        lang=language,
        warn_days=warn,
        holidays=Path(holidays).expanduser() if holidays else None,
        evidence_dir=_evidence_dir(config),
    )
