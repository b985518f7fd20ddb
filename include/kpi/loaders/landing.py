"""What the loaders may read from a folder of delivered files, and the delivery date a file's name gives.

The landing directory is written by other systems (and people); the loaders only read it. Two
rules keep a hostile or careless delivery from making them read anything else:

- a path is read only when it is a regular file lying inside its root (the landing directory, or
  the folder of a file:// API's first page) with no symbolic link on the way: neither the file
  nor any folder between the root and the file may be a link, wherever it points. The root itself
  may be a link (a landing directory mounted elsewhere is a deployment choice, a link inside it is
  not);
- nothing is followed outside the root, whatever `..` a path or URL holds.
"""
from __future__ import annotations

import os
import re
import stat
from datetime import date, datetime
from pathlib import Path

from kpi import config
from kpi.labels import ROC_OFFSET


def refusal(path: Path, root: Path) -> str | None:
    """Why `path` must not be read as a file of `root`, in words (paths relative to the root), or
    None when it may be. A path that does not exist is not refused here: reading it reports that."""
    root = Path(os.path.abspath(root))
    target = Path(os.path.normpath(os.path.abspath(path)))   # `..` resolved by name, links not followed
    try:
        relative = target.relative_to(root)
    except ValueError:
        return f"{target} is outside {root}"
    if not relative.parts:
        return f"{root} is the folder itself, not a file"
    here = root
    for part in relative.parts:
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"{relative.as_posix()} cannot be checked ({exc.strerror or type(exc).__name__})"
        if stat.S_ISLNK(mode):
            shown = here.relative_to(root).as_posix()
            what = "file" if here == target else "folder"
            return (f"{shown} is a symbolic link (to {os.readlink(here)}); a {what} that is a link is not "
                    f"followed, deliver the file itself")
    if not stat.S_ISREG(mode):
        return f"{relative.as_posix()} is not a regular file"
    return None


# A run of 4 to 8 digits in a file name: the date the file was exported for, as docs/sources.md#landing-directory names
# them (petitions_20251125, budget_11410 in ROC year + month, calendar_2026).
_NAME_DIGITS = re.compile(r"(?<!\d)(\d{4,8})(?!\d)")


def name_date(name: str) -> date | None:
    """The first day of the period a file's name gives, or None: `YYYYMMDD`, ROC `RRRMMDD`,
    `YYYYMM`, ROC `RRRMM`, `YYYY` (the last such run of digits in the name wins)."""
    found = _NAME_DIGITS.findall(Path(name).stem)
    if not found:
        return None
    digits = found[-1]
    year, month, day = {
        8: (digits[:4], digits[4:6], digits[6:]),
        7: (str(int(digits[:3]) + ROC_OFFSET), digits[3:5], digits[5:]),
        6: (digits[:4], digits[4:], "1"),
        5: (str(int(digits[:3]) + ROC_OFFSET), digits[3:], "1"),
        4: (digits, "1", "1"),
    }[len(digits)]
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def delivery_date(path: Path, mtime: float) -> date:
    """When a landing file was delivered, for judging its dates: the day it was last written
    (Asia/Taipei), or the date its name gives when that is later (the office calendar of a coming
    year is published months ahead). A number in the name that is no date cannot make it earlier."""
    written = datetime.fromtimestamp(mtime, config.TIMEZONE).date()
    named = name_date(path.name)
    return max(written, named) if named else written


def today() -> date:
    """The load day (Asia/Taipei): the delivery date of data read from a database or an API."""
    return datetime.now(config.TIMEZONE).date()
