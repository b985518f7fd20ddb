"""docs/adding-a-source-and-an-indicator.md, run as a data engineer would (issue 17): in a copy of the
project, its two scaffold commands, then only the blocks it says to fill in, taken from the page as
written; a night without the survey (the report says S8 has no data yet), then with two monthly
workbooks (title row, total row, one bad row): K3.3 gets its status rows, report rows and alerts."""
from __future__ import annotations

import re
import shlex
import shutil
from datetime import date
from decimal import Decimal

import pytest
from conftest import PROJECT, run_kpi
from openpyxl import Workbook

from kpi import config, warehouse

pytestmark = pytest.mark.slow   # two nights through Airflow

GUIDE = PROJECT / "docs" / "adding-a-source-and-an-indicator.md"
AS_OF = date(2025, 3, 5)
# (month, unit, name, respondents, satisfied); KL0500's February row says more satisfied than asked
SURVEY = {
    "11401": [("KL0100", "民政處", 115, 98), ("KL0300", "綜合發展處", 90, 70), ("KL0400", "教育處", 100, 83)],
    "11402": [("KL0100", "民政處", 120, 104), ("KL0300", "綜合發展處", 80, 62), ("KL0400", "教育處", 100, 83),
              ("KL0500", "產業發展處", 50, 60)],
}


def _guide_blocks() -> tuple[list[list[str]], dict[str, str]]:
    """The scaffold commands of the page, and each block it says to fill in, by the file its first line names."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w*)\n(.*?)```", text, re.S)
    commands = [shlex.split(line)[1:] for lang, body in blocks if lang == "sh"
                for line in body.splitlines() if line.startswith(".venv/bin/kpi new-")]
    files = {}
    for _, body in blocks:
        head = re.match(r"(?:#|--|<!--) (\S+\.(?:yml|sql|md))\b", body)
        if head:
            files[head.group(1)] = body
    return commands, files


def _workbook(path, month: str, rows) -> None:
    wb = Workbook()
    wb.active.title = "說明"
    wb.active.append(["本調查由 1999 客服中心委外辦理"])
    ws = wb.create_sheet("調查結果")
    ws.append([f"基隆市 1999 市民熱線滿意度調查 {month[:3]} 年 {int(month[3:])} 月"])
    ws.append(["調查月份", "單位代碼", "單位名稱", "受訪人數", "滿意人數"])
    for unit, name, asked, satisfied in rows:
        ws.append([month, unit, name, asked, satisfied])
    ws.append(["合　計", None, None, sum(r[2] for r in rows), sum(r[3] for r in rows)])
    wb.save(path)


@pytest.fixture(scope="module")
def project(tmp_path_factory, monkeypatch_module, warehouse_db):
    copy = tmp_path_factory.mktemp("project")
    for part in ("dags", "dbt_project", "docs"):
        shutil.copytree(PROJECT / part, copy / part, ignore=shutil.ignore_patterns("target", "logs"))
    (copy / "include/kpi/loaders").mkdir(parents=True)
    shutil.copy(PROJECT / "include/kpi/loaders/sources.yml", copy / "include/kpi/loaders/sources.yml")
    monkeypatch_module.setenv("KPI_PROJECT_DIR", str(copy))
    landing = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    monkeypatch_module.setenv("KPI_REPORTS_DIR", str(tmp_path_factory.mktemp("reports")))
    res = run_kpi("demo-data", "--until", "2025-03-10", "--scale", "0.05")
    assert res.returncode == 0, res.stderr[-3000:]
    return copy, landing


@pytest.fixture(scope="module")
def scaffolded(project):
    copy, _ = project
    commands, files = _guide_blocks()
    assert [c[0] for c in commands] == ["new-source", "new-indicator"]
    printed = ""
    for command in commands:
        res = run_kpi(*command)
        assert res.returncode == 0, res.stderr[-3000:]
        printed += res.stdout
    # fill in exactly what the scaffold printed, with the page's blocks
    left = printed.split("left for you to fill in:")[1]
    declarations = copy / "include/kpi/loaders/sources.yml"
    text = declarations.read_text(encoding="utf-8")
    declarations.write_text(text[:text.index("\nsurvey:\n")] + "\n" + files.pop("include/kpi/loaders/sources.yml"),
                            encoding="utf-8")
    doc = copy / "docs/indicators.md"
    todo = next(line for line in doc.read_text(encoding="utf-8").splitlines() if line.startswith("TODO: the filters"))
    filled = files.pop("docs/indicators.md").split("-->\n", 1)[1].rstrip("\n")
    doc.write_text(doc.read_text(encoding="utf-8").replace(todo, filled, 1), encoding="utf-8")
    for path, body in files.items():
        assert path.rsplit("/", 1)[-1] in left or path.rsplit("/", 1)[0] in left, f"{path}: not printed as to fill in"
        (copy / path).write_text(body, encoding="utf-8")
    return printed   # the night's dbt build runs the scaffold's unit test before the model


def _fetch(sql, *params):
    with warehouse.connect() as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def night_without_survey(scaffolded):
    res = run_kpi("run", "--as-of", AS_OF.isoformat(), timeout=1800)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    return (config.reports_dir() / AS_OF.isoformat() / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def night_with_survey(night_without_survey, project):
    _, landing = project
    (landing / "survey").mkdir()
    for month, rows in SURVEY.items():
        _workbook(landing / "survey" / f"survey_{month}.xlsx", month, rows)
    res = run_kpi("run", "--as-of", AS_OF.isoformat(), timeout=1800)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    return res, (config.reports_dir() / AS_OF.isoformat() / "report.html").read_text(encoding="utf-8")


def test_the_scaffold_prints_what_is_left_and_the_page_names_every_file(scaffolded):
    guide = GUIDE.read_text(encoding="utf-8")
    written = re.findall(r"^  (\S+)$", scaffolded.split("left for you")[0], re.M)
    assert len(written) >= 10
    for path in written:
        assert path in guide or path.replace("survey", "<name>") in guide, f"the guide does not name {path}"


def test_a_declared_source_without_data_is_reported_as_having_none(night_without_survey):
    row = re.search(r'<tr data-source="survey">(.*?)</tr>', night_without_survey).group(1)
    assert "1999市民熱線滿意度調查" in row and "S8" in row and "尚無資料" in row
    statuses = dict(_fetch("select org_unit_code, status from marts.fct_kpi_status where as_of_date = %s "
                           "and kpi_code = 'K3.3' and year = 2025", AS_OF))
    assert statuses == {"ALL": "no_data"}


def test_the_survey_loads_without_its_title_total_and_bad_row(night_with_survey):
    res, _ = night_with_survey
    assert re.search(r"survey\s+讀取\s+7 列，載入\s+6 列，剔除\s+1 列", res.stdout), res.stdout[-3000:]
    (reason, line), = _fetch("select reason, line from raw.rejected_rows where source = 'survey'")
    assert line == 6 and "滿意人數 (satisfied)" in reason and "respondents" in reason


def test_k33_has_the_right_values_and_statuses(night_with_survey):
    rows = {unit: (actual, status, reason) for unit, actual, status, reason in _fetch(
        "select org_unit_code, actual_value, status, status_reason from marts.fct_kpi_status "
        "where as_of_date = %s and kpi_code = 'K3.3' and year = 2025", AS_OF)}
    good = [r for rows_ in SURVEY.values() for r in rows_ if r[3] <= r[2]]
    expected = {unit: Decimal(sum(r[3] for r in good if r[0] == unit)) / sum(r[2] for r in good if r[0] == unit)
                for unit in {r[0] for r in good}}
    expected["ALL"] = Decimal(sum(r[3] for r in good)) / sum(r[2] for r in good)
    assert set(rows) == set(expected)
    for unit, value in expected.items():
        assert abs(rows[unit][0] - value) < Decimal("1e-9"), unit
        assert rows[unit][2], unit   # a reason people can check
    assert rows["KL0100"][1] in ("on_track", "achieved")   # 202/235 = 86 %
    assert rows["KL0400"][1] == "at_risk"                  # 83 %, within the 5-point tolerance of 85 %
    assert rows["KL0300"][1] == "behind"                   # 132/170 = 78 %
    assert rows["ALL"][1] == "at_risk"                     # 500/605 = 83 %, not a mean of the units' ratios


def test_k33_raises_alerts_and_shows_in_the_report(night_with_survey):
    _, html = night_with_survey
    alerts = dict(_fetch("select org_unit_code, severity from marts.kpi_alerts where as_of_date = %s "
                         "and kpi_code = 'K3.3'", AS_OF))
    assert alerts == {"KL0300": "red", "KL0400": "yellow", "ALL": "yellow"}
    assert 'data-kpi="K3.3"' in html and "1999市民熱線滿意度" in html
    fresh = re.search(r'<tr data-source="survey">(.*?)</tr>', html).group(1)
    assert "尚無資料" not in fresh and "S8" in fresh
    assert not _fetch("select 1 from marts.kpi_alerts where as_of_date = %s and source_code = 'S8'", AS_OF)
