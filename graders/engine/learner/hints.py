"""Hint ladders: which level of each check's hint a student has unlocked, kept in a small file.

A check that fails shows level 1 of its ladder (a question to ask yourself).
The next level unlocks when the student's code for the check's task has
changed and the check still fails: a new attempt, not a rerun. ``python -m
graders hint`` unlocks the next level on request. The state lives in
``.graders-hints.json`` at the root of the student's repository (ignored by
git, never part of a submission); deleting it starts over. Instructors cap
the level with the ini option ``max_hint_level`` (0 hides hints, e.g. in an
exam).
"""

from __future__ import annotations

import configparser
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..checks import HINT_LEVELS, Check
from ..layout import KIT_ROOT

STATE_ENV = "GRADERS_HINT_STATE"  # another place for the state file (the kit's own tests use it)
STATE_FILE = Path(os.environ.get(STATE_ENV) or KIT_ROOT / ".graders-hints.json")
MAX_LEVEL_SETTING = "max_hint_level"
MAX_LEVEL_HELP = (
    f"highest hint level students can unlock, 0 to {HINT_LEVELS} (default {HINT_LEVELS}; "
    "0 hides hints, e.g. for an exam). Also read by `python -m graders hint`."
)


@dataclass
class Entry:
    level: int  # unlocked so far (1..HINT_LEVELS)
    code: str  # digest of the task's code when that level was unlocked


def checked_cap(cap: int) -> int:
    """``cap`` when it is a level 0..HINT_LEVELS.

    Raises:
        ValueError: any other value.
    """
    if not 0 <= cap <= HINT_LEVELS:
        raise ValueError(f"{MAX_LEVEL_SETTING} should be between 0 and {HINT_LEVELS}, but got {cap}")
    return cap


class HintState:
    """The unlocked levels of one student's checks, read from and written to ``path``.

    Args:
        path: the state file (missing or unreadable: nothing unlocked yet).
        cap: the highest level that may be shown.

    Example:
        >>> state = HintState(Path(".graders-hints.json"), cap=3)  # doctest: +SKIP
        >>> state.on_failure(check, code="ab12")  # first failure: level 1  # doctest: +SKIP
        1
    """

    def __init__(self, path: Path = STATE_FILE, cap: int = HINT_LEVELS) -> None:
        self.path = path
        self.cap = checked_cap(cap)
        self.entries = _read(path)
        self.changed = False

    def reload(self) -> None:
        """Read the file again (another process may have unlocked levels since)."""
        self.entries = _read(self.path)
        self.changed = False

    def level(self, check: Check) -> int:
        entry = self.entries.get(check.id)
        return min(entry.level, self.cap) if entry else 0

    def on_failure(self, check: Check, code: str) -> int:
        """The level to show for a failing check whose task's code digest is ``code``.

        The first failure unlocks level 1; a failure after the code changed unlocks the next one.
        """
        entry = self.entries.get(check.id)
        if entry is None:
            self.entries[check.id] = Entry(1, code)
            self.changed = True
        elif entry.code != code and entry.level < HINT_LEVELS:
            self.entries[check.id] = Entry(entry.level + 1, code)
            self.changed = True
        return self.level(check)

    def unlock_next(self, check: Check, code: str) -> int:
        """``python -m graders hint``: one more level, on request (up to the cap)."""
        entry = self.entries.get(check.id)
        level = min((entry.level if entry else 0) + 1, self.cap, HINT_LEVELS)
        if level > 0:
            self.entries[check.id] = Entry(max(level, entry.level if entry else 0), code)
            self.changed = True
        return level

    def save(self) -> None:
        """Write the state atomically when it changed; a read-only folder just keeps nothing."""
        if not self.changed:
            return
        data = {cid: {"level": e.level, "code": e.code} for cid, e in sorted(self.entries.items())}
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".graders-hints-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1)
            os.replace(tmp, self.path)
        except OSError:
            pass


def _read(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries = {}
    for cid, value in data.items() if isinstance(data, dict) else ():
        if isinstance(value, dict) and type(value.get("level")) is int and isinstance(value.get("code"), str):
            entries[cid] = Entry(max(1, min(value["level"], HINT_LEVELS)), value["code"])
    return entries


def configured_cap(root: Path = KIT_ROOT) -> int:
    """``max_hint_level`` from the ini file pytest reads (pytest.ini, pyproject.toml, tox.ini, setup.cfg)."""
    value = _ini_value(root)
    if value is None:
        return HINT_LEVELS
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{MAX_LEVEL_SETTING} should be an integer 0 to {HINT_LEVELS}, but got {value!r}") from None


def _ini_value(root: Path) -> str | None:
    for name, section in (
        ("pytest.ini", "pytest"),
        ("pyproject.toml", None),
        ("tox.ini", "pytest"),
        ("setup.cfg", "tool:pytest"),
    ):
        path = root / name
        if not path.is_file():
            continue
        if section is None:
            found, value = _toml_value(path)
        else:
            parser = configparser.ConfigParser()
            parser.read(path, encoding="utf-8")
            found = parser.has_section(section)
            value = parser.get(section, MAX_LEVEL_SETTING, fallback=None) if found else None
        if found:
            return value
    return None


def _toml_value(path: Path) -> tuple[bool, str | None]:
    try:
        import tomllib
    except ImportError:  # Python 3.10: pyproject.toml's setting is read by pytest only
        return False, None
    options = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("pytest", {}).get("ini_options")
    if options is None:
        return False, None
    value = options.get(MAX_LEVEL_SETTING)
    return True, None if value is None else str(value)


class HintPolicy:
    """Which hint level each failing check of one run shows.

    Args:
        state: the student's unlocked levels (self-check of ``assignments/``);
            ``None`` shows ``fixed`` for every check.
        fixed: the level shown without a state (official grading: 1; a preview: any).
    """

    def __init__(self, state: HintState | None = None, fixed: int = 1) -> None:
        self.state = state
        self.fixed = fixed

    def level(self, check: Check, code: str) -> int:
        return self.fixed if self.state is None else self.state.on_failure(check, code)

    def save(self) -> None:
        if self.state is not None:
            self.state.save()
