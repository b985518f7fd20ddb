"""`kpi new-indicator`: every place an indicator (and, the first time, its source) is added to,
written or extended for the data engineer, who then fills in only what `left_to_fill` lists.

Written or extended (the source's parts only when its code is new):
  dbt_project/seeds/source_systems.csv          the source's code, names, rhythm and lag
  dbt_project/dbt_project.yml (var kpi_sources)  its known-at-d model, data-date column and actuals model
  dbt_project/seeds/kpi_catalog.csv             the indicator's row
  dbt_project/seeds/kpi_targets.csv             one row per plan year
  dbt_project/models/intermediate/<source>/     int_<source>__known.sql, int_kpi_actuals__<source>.sql,
                                                _<source>.yml with a unit test whose expected rows are complete
  docs/indicators.md                            the indicator's formula section
  include/kpi/demo/sources/<source>.py          a demo writer that writes nothing yet
  tests/test_<source>.py                        a test of the declarations, to grow
`int_source_freshness` and `int_kpi_actuals` follow the var kpi_sources: nothing else is edited.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kpi import config, declarations, errors
from kpi.loaders.spec import load_sources, sources_file
from kpi.scaffold import NAME_RE as COLUMN_RE  # a column is named like a source: lower snake case

CODE_RE = re.compile(r"^([KC])(\d+)\.(\d+)$")
SOURCE_CODE_RE = re.compile(r"^S\d+$")


@dataclass(frozen=True)
class Indicator:
    code: str
    source: str
    name_zh: str
    measure: str = "ratio"                 # ratio | cumulative
    target: float = 1.0                    # a fraction for a ratio (0.85 = 85 %)
    unit_zh: str | None = None
    name_en: str = "TODO English name"
    standard_zh: str | None = None         # 衡量標準; default: the formula in words
    direction: str = "higher"
    per_department: bool = False
    date_column: str = "record_date"
    unit_column: str = "org_unit_code"
    numerator: str | None = None           # ratio
    denominator: str | None = None         # ratio
    value: str | None = None               # cumulative
    source_code: str | None = None         # needed when the source is new to source_systems.csv
    source_name_zh: str | None = None
    rhythm: str = "day"                    # day | month: how often it delivers (freshness, the cut at d)
    lag: int = 2


def _project() -> Path:
    return config.project_root()


def _check(ind: Indicator) -> tuple[str, dict | None]:
    """The source's code, and its source_systems row when it exists already."""
    if not CODE_RE.match(ind.code):
        raise errors.InputError(f"indicator code must look like K3.3 or C1.1: {ind.code!r}")
    if ind.code in declarations.catalog():
        raise errors.InputError(f"indicator {ind.code} is already in dbt_project/seeds/kpi_catalog.csv")
    if ind.source not in load_sources():
        raise errors.InputError(f"source {ind.source!r} is not declared in {sources_file()}: "
                                f"run `kpi new-source {ind.source} --kind file` first")
    if ind.measure not in ("ratio", "cumulative"):
        raise errors.InputError(f"--measure must be ratio or cumulative: {ind.measure!r}")
    needed = {"ratio": ("numerator", "denominator"), "cumulative": ("value",)}[ind.measure]
    for name in ("date_column", "unit_column", *needed):
        value = getattr(ind, name)
        if not value or not COLUMN_RE.match(value):
            raise errors.InputError(f"--{name.replace('_', '-')} must name a column of the staging model "
                                    f"(lower_snake_case): {value!r}")
    if ind.direction not in ("higher", "lower"):
        raise errors.InputError(f"--direction must be higher or lower: {ind.direction!r}")
    existing = next((r for r in declarations.source_systems().values() if r["source_name"] == ind.source), None)
    if existing:
        code = existing["source_code"]
        if code in declarations.kpi_sources() and declarations.kpi_sources()[code].get("actuals"):
            raise errors.InputError(
                f"source {code} ({ind.source}) measures its indicators in "
                f"{declarations.kpi_sources()[code]['actuals']}.sql already: add {ind.code} there by hand "
                "(its catalog and target rows as docs/adding-a-source-and-an-indicator.md shows)")
        if code in declarations.kpi_sources():
            raise errors.InputError(f"source {code} ({ind.source}) is in the var kpi_sources of dbt_project.yml "
                                    "already: add its actuals model there by hand")
        return code, existing
    code = ind.source_code
    if not code or not SOURCE_CODE_RE.match(code):
        raise errors.InputError(f"source {ind.source!r} is new to dbt_project/seeds/source_systems.csv: "
                                "give its code with --source-code (e.g. S8)")
    if code in declarations.source_systems():
        raise errors.InputError(f"source code {code} is taken by "
                                f"{declarations.source_systems()[code]['source_name']} in source_systems.csv")
    if ind.rhythm not in ("day", "month"):
        raise errors.InputError(f"--rhythm must be day or month: {ind.rhythm!r}")
    return code, None


def _staging_model(source: str) -> str:
    folder = config.dbt_project_dir() / "models" / "staging" / source
    models = sorted(folder.glob(f"stg_{source}__*.sql"))
    if not models:
        raise errors.InputError(f"no staging model {folder}/stg_{source}__<entity>.sql: "
                                f"run `kpi new-source {source} --kind file` first")
    return models[0].stem


def _append_csv_rows(path: Path, rows: list[dict]) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + out.getvalue(), encoding="utf-8")


def _add_kpi_source(code: str, line: str) -> Path:
    """One line in the var kpi_sources of dbt_project.yml, after the last one."""
    path = config.dbt_project_dir() / "dbt_project.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, text in enumerate(lines) if text.strip() == "kpi_sources:"), None)
    if start is None:
        raise errors.InputError(f"{path} has no var kpi_sources")
    end = start + 1
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    lines.insert(end, f"    {code}: {line}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _fmt(value: float) -> str:
    return f"{value:g}"


def _plan_years() -> list[tuple[str, str]]:
    return sorted({(t["roc_year"], t["year"]) for t in declarations.targets()}, key=lambda y: int(y[1]))


def _goal(kind: str, goal_seq: int) -> tuple[str, str]:
    same = [r for r in declarations.catalog().values() if r["kpi_kind"] == kind and int(r["goal_seq"]) == goal_seq]
    if same:
        return same[0]["strategic_goal_zh"], same[0]["goal_category_zh"]
    return "TODO 策略目標", "業務成果"


KNOWN_SQL = """-- {scode} {source} rows known at some as-of date d of the build (docs/indicators.md#known-at-d:
-- {rule}); the measures keep {date} <= {cut_d} per d.
-- TODO: a source that revises its rows keeps [valid_from, valid_to) versions instead (int_documents__known).
select *
from {{{{ ref('{staging}') }}}}
where {date} <= {cut_to}
"""

ACTUALS_SQL = """{{{{ config(materialized='table') }}}}

-- {code} {name_zh} from {scode} {source} (docs/indicators.md): per as-of date d and year,
-- {formula} over the rows known at d ({date} <= {cut_d}),
-- {scope_words}.
with known as (
    select
        {date} as data_date,
        extract(year from {date})::int as year,
        {unit_select},
{measure_columns}
    from {{{{ ref('int_{source}__known') }}}}
),

as_of_dates as (
    {{{{ as_of_dates() }}}}
),

by_unit as (
    select d.as_of_date, k.year, k.org_unit_code, {sums}
    from as_of_dates as d
    inner join known as k on k.data_date <= {cut_join}
    group by d.as_of_date, k.year, k.org_unit_code
),

by_scope as (
{by_unit_scope}    select as_of_date, year, 'ALL' as org_unit_code, {sums_again}
    from by_unit
    group by as_of_date, year
)

select
    as_of_date,
    '{code}' as kpi_code,
    year,
    org_unit_code,
    {actual} as actual_value,
    {numerator},
    {denominator},
    null::date as coverage_end_date,
    null::boolean as is_final
from by_scope
"""

YML = """# {scode} {source} measures: {code} {name_zh}.
version: 2
models:
- name: int_{source}__known
  description: >-
    {scode} rows known at some as-of date of the build ({rule}).
- name: int_kpi_actuals__{source}
  description: {code} measured from {scode}{scopes}.
  data_tests:
  - unique_combination_of_columns:
      arguments:
        combination_of_columns: [as_of_date, kpi_code, year, org_unit_code]

unit_tests:
  - name: {test_name}
    description: >
      At d = 2025-03-31 the rows up to {cut_text} count, a later row does not; {what}.
    model: int_kpi_actuals__{source}
    overrides:
      vars: {{as_of_date: '2025-03-31'}}
    given:
      - input: ref('int_{source}__known')
        rows:
{given}
    expect:
      rows:
{expect}
"""

DOC = """### {code} {name_zh}（{scode}）

{standard}。來源：{scode} {source_zh}（`{source}`，{rhythm_zh}）。模型
`int_kpi_actuals__{source}`：{formula_zh}。{scope_zh}
TODO: the filters, the quirks of the source and a worked check by hand.

"""

DEMO = '''"""{scode} {source}: demo files of {code} {name_zh} (kpi/demo/sources/__init__.py says what a writer
returns). TODO: write the files of start..until under <landing>/{source}/ with the source's real quirks;
until then the demo delivers nothing for it and the report says 尚無資料."""
from __future__ import annotations

OWN_FILES: list[str] = []   # TODO: the glob patterns of the files written below, e.g. "{source}_*.xlsx"


def write(landing, *, departments, calendar, start, until, rng, scale, progress) -> dict:
    return {{"files": [], "rows": 0, "bad_rows": 0}}
'''

TEST = '''"""{code} {name_zh} from {scode} {source}. TODO: load a hand-made {source} file with its quirks and
check {code}'s value (see tests/test_engineer_guide.py)."""
from __future__ import annotations

from kpi import declarations


def test_{ident}_is_declared_with_its_source_and_targets():
    row = declarations.catalog()["{code}"]
    assert (row["source_code"], row["measure_type"]) == ("{scode}", "{measure}")
    assert declarations.kpi_sources()["{scode}"]["actuals"] == "int_kpi_actuals__{source}"
    assert {{t["year"] for t in declarations.targets() if t["kpi_code"] == "{code}"}}
'''


def _pg_ratio(num: int, den: int) -> str:
    """num::numeric / den::numeric as PostgreSQL writes it for these small figures (20 decimals): dbt
    compares the unit test's expected value as text."""
    return str((Decimal(num) / Decimal(den)).quantize(Decimal("1e-20")))


def _unit_test_rows(ind: Indicator, month: bool) -> tuple[str, str, str]:
    """Given rows of the known model and the complete expected rows of the actuals at d = 2025-03-31."""
    dates = ["2025-01-01", "2025-02-01", "2025-04-01"] if month else ["2025-01-15", "2025-02-15", "2025-04-15"]
    units = ["KL0100", "KL0300", "KL0100"]
    given, expect = [], []
    if ind.measure == "ratio":
        figures = [(40, 50), (45, 50), (10, 10)]
        for day, unit, (num, den) in zip(dates, units, figures, strict=True):
            given.append(f"{{{ind.date_column}: '{day}', {ind.unit_column}: {unit}, "
                         f"{ind.numerator}: {num}, {ind.denominator}: {den}}}")
        scopes = [("KL0100", 40, 50), ("KL0300", 45, 50), ("ALL", 85, 100)]
        for unit, num, den in scopes if ind.per_department else scopes[-1:]:
            expect.append(f"{{as_of_date: '2025-03-31', kpi_code: {ind.code}, year: 2025, org_unit_code: {unit}, "
                          f"actual_value: '{_pg_ratio(num, den)}', numerator: {num}, denominator: {den}, "
                          "coverage_end_date: null, is_final: null}")
        what = "the ratio is Σ numerator ÷ Σ denominator, not a mean of the units' ratios"
    else:
        figures = [3, 4, 5]
        for day, unit, value in zip(dates, units, figures, strict=True):
            given.append(f"{{{ind.date_column}: '{day}', {ind.unit_column}: {unit}, {ind.value}: {value}}}")
        scopes = [("KL0100", 3), ("KL0300", 4), ("ALL", 7)]
        for unit, total in scopes if ind.per_department else scopes[-1:]:
            expect.append(f"{{as_of_date: '2025-03-31', kpi_code: {ind.code}, year: 2025, org_unit_code: {unit}, "
                          f"actual_value: {total}, numerator: null, denominator: null, "
                          "coverage_end_date: null, is_final: null}")
        what = "the value is the sum of the year's rows"
    pad = " " * 10
    return "\n".join(pad + "- " + g for g in given), "\n".join(pad + "- " + e for e in expect), what


def new_indicator(ind: Indicator) -> tuple[list[Path], list[str]]:
    """Write every place; return the files written or extended and what is left to fill in by hand."""
    scode, existing = _check(ind)
    staging = _staging_model(ind.source)
    root, dbt = _project(), config.dbt_project_dir()
    folder = dbt / "models" / "intermediate" / ind.source
    demo = root / "include" / "kpi" / "demo" / "sources" / f"{ind.source}.py"
    test = root / "tests" / f"test_{ind.source}.py"
    for path in (folder, demo, test):
        if path.exists():
            raise errors.InputError(f"{path} already exists")
    kind, goal_seq, item_no = CODE_RE.match(ind.code).groups()
    rhythm = existing["freshness_unit"] if existing else ind.rhythm
    month = rhythm == "month"
    source_zh = existing["source_name_zh"] if existing else (ind.source_name_zh or f"TODO {ind.source} 中文名稱")
    unit_zh = ind.unit_zh or ("%" if ind.measure == "ratio" else "次")
    if ind.measure == "ratio":
        formula = f"sum({ind.numerator}) / sum({ind.denominator})"
        formula_zh = f"Σ {ind.numerator} ÷ Σ {ind.denominator}（當年度至 d 可知的資料）"
    else:
        formula = f"sum({ind.value})"
        formula_zh = f"Σ {ind.value}（當年度至 d 可知的資料）"
    standard = ind.standard_zh or formula_zh
    written: list[Path] = []

    # the source, the first time
    if not existing:
        path = dbt / "seeds" / "source_systems.csv"
        _append_csv_rows(path, [{"source_code": scode, "source_name": ind.source, "source_name_zh": source_zh,
                                 "freshness_unit": rhythm, "freshness_lag": str(ind.lag)}])
        written.append(path)
    written.append(_add_kpi_source(scode, f"{{known: int_{ind.source}__known, data_date: {ind.date_column}, "
                                          f"actuals: int_kpi_actuals__{ind.source}}}"))

    # the indicator's rows
    goal_zh, category_zh = _goal("key" if kind == "K" else "common", int(goal_seq))
    path = dbt / "seeds" / "kpi_catalog.csv"
    _append_csv_rows(path, [{
        "kpi_code": ind.code, "kpi_kind": "key" if kind == "K" else "common", "goal_seq": goal_seq,
        "item_no": item_no, "strategic_goal_zh": goal_zh, "goal_category_zh": category_zh,
        "kpi_name_zh": ind.name_zh, "kpi_name_en": ind.name_en, "evaluation_system": "1",
        "evaluation_method_zh": "統計數據", "measure_standard_zh": standard, "source_code": scode,
        "measure_type": ind.measure, "progress_rule": "none" if ind.measure == "ratio" else "linear",
        "direction": ind.direction, "tolerance": "0.05" if ind.measure == "ratio" else "",
        "deadlines": "", "per_department": "true" if ind.per_department else "false", "unit_zh": unit_zh,
        "value_format": "percent" if ind.measure == "ratio" else "count", "filter_note": ""}])
    written.append(path)
    text_zh = f"{_fmt(ind.target * 100)}%" if ind.measure == "ratio" else f"{_fmt(ind.target)}{unit_zh}"
    path = dbt / "seeds" / "kpi_targets.csv"
    _append_csv_rows(path, [{"kpi_code": ind.code, "roc_year": roc, "year": year, "target_value": _fmt(ind.target),
                             "target_text_zh": text_zh} for roc, year in _plan_years()])
    written.append(path)

    # the models
    rule = "months <= d's month" if month else f"{ind.date_column} <= d"
    cut_d = "d's month" if month else "d"
    values = dict(
        code=ind.code, name_zh=ind.name_zh, scode=scode, source=ind.source, date=ind.date_column,
        unit=ind.unit_column, staging=staging, rule=rule, cut_d=cut_d, formula=formula,
        cut_to="date_trunc('month', {{ as_of_to() }})::date" if month else "{{ as_of_to() }}",
        cut_join="date_trunc('month', d.as_of_date)" if month else "d.as_of_date",
        unit_select=ind.unit_column if ind.unit_column == "org_unit_code" else f"{ind.unit_column} as org_unit_code",
        scope_words="per department and for the city ('ALL')" if ind.per_department else "for the city ('ALL')",
        scopes=", per department and for the city ('ALL')" if ind.per_department else ", for the city ('ALL')",
    )
    if ind.measure == "ratio":
        measure_columns = (f"        {ind.numerator}::numeric as numerator,\n"
                           f"        {ind.denominator}::numeric as denominator")
        sums = "sum(k.numerator) as numerator, sum(k.denominator) as denominator"
        sums_again = "sum(numerator), sum(denominator)"
        actual, numerator, denominator = "numerator / nullif(denominator, 0)", "numerator", "denominator"
        by_unit_cols = "numerator, denominator"
    else:
        measure_columns = f"        {ind.value}::numeric as value"
        sums, sums_again = "sum(k.value) as value", "sum(value)"
        actual, numerator, denominator = "value", "null::numeric as numerator", "null::numeric as denominator"
        by_unit_cols = "value"
    by_unit_scope = (f"    select as_of_date, year, org_unit_code, {by_unit_cols} from by_unit\n    union all\n"
                     if ind.per_department else "")
    folder.mkdir(parents=True)
    known = folder / f"int_{ind.source}__known.sql"
    known.write_text(KNOWN_SQL.format(**values), encoding="utf-8")
    actuals = folder / f"int_kpi_actuals__{ind.source}.sql"
    actuals.write_text(ACTUALS_SQL.format(
        **values, measure_columns=measure_columns, sums=sums, sums_again=sums_again, actual=actual,
        numerator=numerator, denominator=denominator, by_unit_scope=by_unit_scope), encoding="utf-8")
    given, expect, what = _unit_test_rows(ind, month)
    yml = folder / f"_{ind.source}.yml"
    yml.write_text(YML.format(**values, test_name=f"{ind.code.lower().replace('.', '')}_counts_the_rows_known_at_d",
                              cut_text="d's month" if month else "d", given=given, expect=expect, what=what),
                   encoding="utf-8")
    written += [known, actuals, yml]

    # the methodology, the demo, the test
    doc = root / "docs" / "indicators.md"
    section = DOC.format(**values, standard=standard, source_zh=source_zh, formula_zh=formula_zh,
                         rhythm_zh="每月" if month else "每日",
                         scope_zh="分單位列與全市（ALL）。" if ind.per_department else "僅全市（ALL）。")
    text = doc.read_text(encoding="utf-8")
    marker = "## 分單位的列"
    doc.write_text(text.replace(marker, section + marker, 1) if marker in text else text + "\n" + section,
                   encoding="utf-8")
    written.append(doc)
    demo.parent.mkdir(parents=True, exist_ok=True)
    test.parent.mkdir(parents=True, exist_ok=True)
    demo.write_text(DEMO.format(**values), encoding="utf-8")
    test.write_text(TEST.format(**values, ident=ind.code.lower().replace(".", "_"), measure=ind.measure),
                    encoding="utf-8")
    written += [demo, test]

    left = [
        f"include/kpi/loaders/sources.yml: the `{ind.source}:` entry (path, format, header_row / total_marker / "
        f"sheet, the columns as delivered -> {ind.date_column}, {ind.unit_column}, "
        + (f"{ind.numerator}, {ind.denominator})" if ind.measure == "ratio" else f"{ind.value})"),
        f"dbt_project/models/staging/{ind.source}/{staging}.sql and _{ind.source}.yml: "
        "select and describe those columns",
        f"docs/indicators.md: the TODO line of the section {ind.code} (filters, quirks, a check by hand)",
        f"include/kpi/demo/sources/{ind.source}.py: demo files (optional: without them the report says 尚無資料)",
        f"tests/test_{ind.source}.py: a check of {ind.code} on a hand-made file with the source's quirks",
    ]
    if ind.name_en.startswith("TODO") or (not existing and not ind.source_name_zh):
        left.insert(0, "dbt_project/seeds/kpi_catalog.csv / source_systems.csv: the TODO names")
    return written, left
