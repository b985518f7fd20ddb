"""The methodology lives in the repository: nothing cites the product contract that a clone does not
have, every `docs/<file>.md#anchor` a file cites exists, and docs/indicators.md names every indicator
of the catalog. Reads files only (no warehouse), so it runs in a second."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from kpi import declarations

PROJECT = Path(__file__).resolve().parents[1]
DOCS = PROJECT / "docs"

# Runtime state, dependencies and generated output: not the repository's own text.
SKIP_DIRS = {".git", ".venv", ".warehouse", ".airflow", "reports", "data", "target", "dbt_packages",
             "logs", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
TEXT_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".md", ".j2", ".toml", ".txt", ".csv", ".sh", ".cfg",
                 ".ini", ".json", ".example", ""}

# The product contract's file names, spelled in pieces so that this file does not cite them itself.
CONTRACT = re.compile("|".join([
    r"kpi-rules" + r"\.md",
    r"(?<![\w/.-])interface" + r"\.md",
    r"shared" + r"/spec",
    r"\.\./" + r"shared",
]))
# Outside docs/, a bare name of the sources file meant the contract's; the repository's is under docs/.
BARE_SOURCES = re.compile(r"(?<![\w/.-])sources" + r"\.md")
DOC_ANCHOR = re.compile(r"docs/([\w.-]+\.md)#([\w-]+)")
RELATIVE_LINK = re.compile(r"\]\(([\w.-]+\.md)?#([^)\s]+)\)")


def repo_text_files() -> list[Path]:
    found = []

    def walk(folder: Path) -> None:
        for entry in sorted(folder.iterdir()):
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in SKIP_DIRS and not entry.name.endswith(".egg-info"):
                    walk(entry)
            elif entry.suffix in TEXT_SUFFIXES:  # "" takes Makefile, Dockerfile, .ci/run
                found.append(entry)

    walk(PROJECT)
    return found


def read(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(doc: str) -> frozenset[str]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    found = set(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(github_slug(line.lstrip("#")))
    return frozenset(found)


def test_nothing_cites_the_external_contract():
    offenders = []
    for path in repo_text_files():
        text = read(path)
        if text is None:
            continue
        in_docs = path.parent == DOCS
        for number, line in enumerate(text.splitlines(), 1):
            if CONTRACT.search(line) or (not in_docs and BARE_SOURCES.search(line)):
                offenders.append(f"{path.relative_to(PROJECT)}:{number}: {line.strip()[:120]}")
    assert not offenders, "cite docs/indicators.md or docs/sources.md instead:\n" + "\n".join(offenders)


def test_every_cited_docs_anchor_exists():
    missing = []
    for path in repo_text_files():
        text = read(path)
        if text is None:
            continue
        cited = {(doc, anchor) for doc, anchor in DOC_ANCHOR.findall(text)}
        if path.parent == DOCS and path.suffix == ".md":
            cited |= {(doc or path.name, anchor) for doc, anchor in RELATIVE_LINK.findall(text)}
        for doc, anchor in sorted(cited):
            if not (DOCS / doc).is_file():
                missing.append(f"{path.relative_to(PROJECT)}: docs/{doc} does not exist")
            elif anchor not in anchors(doc):
                missing.append(f"{path.relative_to(PROJECT)}: docs/{doc}#{anchor} is no heading or anchor there")
    assert not missing, "\n".join(missing)


def test_indicators_doc_names_every_catalog_indicator():
    codes = declarations.kpi_codes()
    assert codes
    text = (DOCS / "indicators.md").read_text(encoding="utf-8")
    absent = [c for c in codes if not re.search(rf"(?<![\w.]){re.escape(c)}(?![\d])", text)]
    assert not absent, f"docs/indicators.md does not describe {absent}"
