"""The personal data a landing directory holds, as the tests look for it elsewhere."""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

PETITIONER_COLUMNS = ("陳情人姓名", "聯絡電話", "電子郵件", "地址")


def personal_data(landing: Path) -> set[str]:
    values: set[str] = set()
    for path in sorted((landing / "petitions").glob("*.csv")):
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp950")
        for row in csv.DictReader(text.splitlines()):
            values.update(v.strip() for k, v in row.items() if k in PETITIONER_COLUMNS and v and v.strip())
    register = landing / "register" / "kpi_register.csv"
    if register.exists():
        with open(register, encoding="utf-8-sig", newline="") as fh:
            values.update(r["填報人"].strip() for r in csv.DictReader(fh) if (r.get("填報人") or "").strip())
    # S7 落後說明: who filled each returned template in
    for path in sorted((landing / "explanations").glob("*.xlsx")):
        from openpyxl import load_workbook

        rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
        header = next((list(r) for r in rows if "填報人" in r), None)
        if header:
            at = header.index("填報人")
            values.update(str(r[at]).strip() for r in rows[rows.index(tuple(header)) + 1:]
                          if at < len(r) and r[at] and str(r[at]).strip())
    return values


_PLACE = re.compile(r"^(?:[^\s市縣]{1,3}[市縣])?(?:[^\s市縣區]{1,3}區)?")


def street_parts(addresses: Iterable[str]) -> set[str]:
    """The part of each address after its city and district (the 區 may stay in the warehouse)."""
    return {rest for a in addresses if len(rest := _PLACE.sub("", a)) >= 3 and rest != a}


def found_in(values: Iterable[str], text: str) -> set[str]:
    """Which of `values` occur in `text`: one regex shaped as a trie of the values (so thousands of
    them cost one scan of the text, not one each), restarted one character after each match so
    that values inside other values are found too. A value of digits only (a phone number) counts only
    where no digit is next to it: inside a longer run of digits (a numeric with 40 decimals) it is a
    coincidence, not a phone number."""
    trie: dict = {}
    for value in values:
        node = trie
        for ch in value:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return set()
    pattern = re.compile(_trie_pattern(trie))
    wanted = set(values)
    found: set[str] = set()
    at = 0
    while m := pattern.search(text, at):
        hit, start = m.group(), m.start()
        for n in range(1, len(hit) + 1):
            value = hit[:n]
            if value not in wanted:
                continue
            if value.isdigit() and ((start > 0 and text[start - 1].isdigit())
                                    or (start + n < len(text) and text[start + n].isdigit())):
                continue
            found.add(value)
        at = start + 1
    return found


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in node.items() if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body
