"""The draft annual 施政績效成果報告 of a closed year (issue 13): one row per indicator of the plan,
grouped by strategic goal as in the plan's table (評估體制, 評估方式, 衡量標準, 年度目標值, 實際值,
the numerator and denominator behind it, 達成度 and 達成 / 未達成), and for each miss the unit's
explanation. Written as ODF text (.odt, the format the government exchanges documents in), .docx, and
the table as .xlsx, under reports/annual/<year>/.

The year's final statuses are the latest as-of date's rows for that year (each as-of date re-judges
the year before). An indicator that needs data the year has not delivered yet (C1.1 waits for the
December budget workbook: status pending) says so instead of guessing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from kpi import config, errors, labels, warehouse
from kpi.publications import common

KINDS = (("key", "關鍵績效指標"), ("common", "共同性指標"))
GOAL_HEAD = {"key": "關鍵策略目標", "common": "共同性目標"}
COLUMNS = ("編號", "指標", "評估體制", "評估方式", "衡量標準", "年度目標值", "實際值", "分子", "分母",
           "達成度", "達成情形", "落後說明／備註")

# 達成度: actual ÷ target, inverted (target ÷ actual) where lower is better; undefined for a target or
# an actual of 0 where dividing by it means nothing. Shown as a percent in the seed's percent format.
_ROWS_SQL = f"""
with final as (
    select %(d)s::date as as_of_date
), rows as (
    select l.*, k.goal_seq, k.item_no, k.goal_category_zh, k.evaluation_system, k.evaluation_method_zh,
           t.target_text_zh
    from marts.kpi_status_labelled as l
    inner join final using (as_of_date)
    inner join marts.dim_kpi as k using (kpi_code)
    left join marts.dim_kpi_target as t on t.kpi_code = l.kpi_code and t.year = l.year
    where l.year = %(y)s and l.is_city
)
select r.*,
       {common.number_sql('r.numerator')} as numerator_text,
       {common.number_sql('r.denominator')} as denominator_text,
       s.source_name_zh
from rows as r
left join (select distinct source_code, source_name_zh from marts.fct_source_freshness) as s using (source_code)
order by r.kpi_kind = 'common', r.goal_seq, r.item_no
"""

_EXPLANATIONS_SQL = """
select distinct on (e.kpi_code, e.org_unit_code)
       e.kpi_code, e.org_unit_code, coalesce(o.org_unit_name_zh, e.org_unit_code) as org_unit_name_zh,
       e.lag_reason, e.improvement_action, e.expected_improvement_date::date as expected_improvement_date,
       e.received_date::date as received_date
from marts.fct_kpi_explanations as e
left join marts.dim_org_unit as o using (org_unit_code)
where e.year = %(y)s and e.kpi_code = any(%(codes)s)
order by e.kpi_code, e.org_unit_code, e.received_date desc nulls last, e.as_of_date desc
"""

_COUNTS_SQL = """
select s.status, s.status_zh, count(l.kpi_code) as n
from marts.dim_status as s
inner join marts.kpi_status_labelled as l on l.status = s.status
where l.year = %(y)s and l.is_city
  and l.as_of_date = %(d)s
group by s.status, s.status_zh, s.status_sort
order by s.status_sort
"""


@dataclass
class Goal:
    kind: str
    seq: int
    name: str
    category: str
    rows: list[dict] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.seq}. {self.name}（{self.category}）"


@dataclass
class AnnualReport:
    year: int
    as_of: date
    rows: list[dict]
    counts: list[dict]
    explanations_available: bool
    generated_at: datetime = field(default_factory=lambda: datetime.now(config.TIMEZONE))

    @property
    def roc_year(self) -> int:
        return labels.roc_year(self.year)

    @property
    def title(self) -> str:
        return f"基隆市政府綜合發展處 {self.roc_year}年度（{self.year}）施政績效成果報告（初稿）"

    def goals(self) -> list[Goal]:
        out: list[Goal] = []
        for r in self.rows:
            if not out or (out[-1].kind, out[-1].seq) != (r["kpi_kind"], r["goal_seq"]):
                out.append(Goal(r["kpi_kind"], r["goal_seq"], r["strategic_goal_zh"], r["goal_category_zh"]))
            out[-1].rows.append(r)
        return out

    @property
    def summary(self) -> str:
        parts = "、".join(f"{c['status_zh']} {c['n']} 項" for c in self.counts)
        return (f"本年度共 {len(self.rows)} 項指標：{parts}。資料基準日 {labels.roc_date_long(self.as_of)}，"
                f"由 KPI 資料平台依倉儲資料產製，請各單位確認後定稿。")


def parse_year(text: str | int) -> int:
    """A year as ROC (113) or Gregorian (2024) -> Gregorian."""
    try:
        y = int(str(text).strip())
    except ValueError:
        raise errors.InputError(f"不是年份：{text!r}（民國年如 113，或西元年如 2024）") from None
    if 1 <= y <= 300:
        return y + labels.ROC_OFFSET
    if 1912 <= y <= 2300:
        return y
    raise errors.InputError(f"不是年份：{text!r}（民國年如 113，或西元年如 2024）")


def note(r: dict, explanations: list[dict], available: bool) -> str:
    """The last column: the units' explanations of a miss, or why there is no value yet."""
    if r["status"] == "pending":
        what = "12 月份資料" if r["progress_rule"] == "year_end" else "年度資料"
        return (f"{r['status_reason'] or r['status_zh']}。本指標依「{r['measure_standard_zh']}」計算，"
                f"須待{labels.roc_year(r['year'])}年{what}"
                f"（{r['source_name_zh'] or r['source_code']}）到齊後方能填列，不予推估。")
    if r["status"] == "no_data":
        return r["status_reason"] or r["status_zh"]
    if not r["is_flagged"]:
        return ""
    if not explanations:
        return "尚未提出落後說明。" if available else "落後說明尚未納入資料平台。"
    return "\n".join(
        f"{e['org_unit_name_zh']}：落後原因：{e['lag_reason'] or '—'}；改善措施：{e['improvement_action'] or '—'}"
        + (f"；預計改善日期：{labels.roc_date(e['expected_improvement_date'])}"
           if e["expected_improvement_date"] else "")
        for e in explanations)


def fetch(year: int, as_of: date | None = None) -> AnnualReport:
    """The year's rows as judged at `as_of` (default: the latest as-of date that judged the year)."""
    with warehouse.connect() as conn:
        final = conn.execute("select max(as_of_date) from marts.fct_kpi_status where year = %s"
                             + (" and as_of_date = %s" if as_of else ""),
                             (year, as_of) if as_of else (year,)).fetchone()[0]
        if final is None and as_of:
            raise errors.InputError(f"倉儲中沒有基準日 {labels.roc_date(as_of)} 對{labels.year_label(year)}的指標狀態")
        if final is None:
            raise errors.InputError(f"倉儲中沒有{labels.year_label(year)}的指標狀態"
                             f"（請先執行 kpi backfill --from {year + 1}-01-01 --to {year + 1}-01-01）")
        if final <= date(year, 12, 31):
            raise errors.InputError(f"{labels.year_label(year)}尚未結束："
                                    f"倉儲中該年度最新的基準日為 {labels.roc_date(final)}，"
                                    "年度成果報告須待年度結束後產製")
        rows = warehouse.fetch_dicts(conn, _ROWS_SQL, {"y": year, "d": final})
        counts = warehouse.fetch_dicts(conn, _COUNTS_SQL, {"y": year, "d": final})
        available = common.has_explanations(conn)
        missed = [r["kpi_code"] for r in rows if r["is_flagged"]]
        explanations: dict[str, list[dict]] = {}
        if available and missed:
            for e in warehouse.fetch_dicts(conn, _EXPLANATIONS_SQL, {"y": year, "codes": missed}):
                explanations.setdefault(e["kpi_code"], []).append(e)
    for r in rows:
        r["explanations"] = explanations.get(r["kpi_code"], [])
        r["note"] = note(r, r["explanations"], available)
    return AnnualReport(year, final, rows, counts, available)


def cells(r: dict) -> list[str]:
    """The printed row, in COLUMNS order."""
    return [r["kpi_code"], r["kpi_name_zh"], str(r["evaluation_system"]), r["evaluation_method_zh"],
            r["measure_standard_zh"], r["target_text_zh"] or r["target_text"], r["actual_text"],
            r["numerator_text"] or "—", r["denominator_text"] or "—", r["achievement_text"] or "—",
            r["status_zh"], r["note"]]


# --- writers ----------------------------------------------------------------------------------------

def to_docx(rep: AnnualReport) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    normal.font.name = "Times New Roman"  # creates w:rFonts, where Word reads the CJK font from
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "標楷體")
    doc.core_properties.title = rep.title
    doc.core_properties.language = "zh-TW"
    doc.add_heading(rep.title, level=0)
    doc.add_paragraph(rep.summary)
    for kind, kind_zh in KINDS:
        goals = [g for g in rep.goals() if g.kind == kind]
        if not goals:
            continue
        doc.add_heading(f"{kind_zh}、衡量標準及年度目標值達成情形", level=1)
        for g in goals:
            doc.add_heading(f"{GOAL_HEAD[kind]} {g.title}", level=2)
            table = doc.add_table(rows=1, cols=len(COLUMNS))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, COLUMNS):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
            for r in g.rows:
                for cell, text in zip(table.add_row().cells, cells(r)):
                    cell.text = text
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_odt(rep: AnnualReport) -> bytes:
    from odfdo import Cell, Document, Header, Paragraph, Row, Table

    doc = Document("text")
    # A4 landscape, like the .docx: twelve columns do not fit a portrait page
    for layout in doc.styles.get_elements("//style:page-layout-properties"):
        layout.set_attribute("fo:page-width", "29.7cm")
        layout.set_attribute("fo:page-height", "21cm")
        layout.set_attribute("style:print-orientation", "landscape")
        for side in ("top", "bottom", "left", "right"):
            layout.set_attribute(f"fo:margin-{side}", "1.5cm")
    body = doc.body
    body.clear()
    doc.meta.title = rep.title
    doc.meta.language = "zh-TW"
    body.append(Header(1, rep.title))
    body.append(Paragraph(rep.summary))
    n = 0
    for kind, kind_zh in KINDS:
        goals = [g for g in rep.goals() if g.kind == kind]
        if not goals:
            continue
        body.append(Header(2, f"{kind_zh}、衡量標準及年度目標值達成情形"))
        for g in goals:
            n += 1
            body.append(Header(3, f"{GOAL_HEAD[kind]} {g.title}"))
            table = Table(f"表{n}")
            for values in [list(COLUMNS)] + [cells(r) for r in g.rows]:
                row = Row()
                for text in values:
                    cell = Cell(text)  # the string value, and its paragraph with real line breaks
                    for p in cell.get_paragraphs():
                        p.delete()
                    cell.append(Paragraph(text))
                    row.append_cell(cell)
                table.append_row(row)
            body.append(table)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


XLSX_COLUMNS = ("類別", "序號", GOAL_HEAD["key"] + "／" + GOAL_HEAD["common"], "編號", "指標代碼", "指標",
                "評估體制", "評估方式", "衡量標準", "年度目標值", "目標值（數值）", "實際值", "實際值（數值）",
                "分子", "分母", "達成度", "達成情形", "落後說明／備註")


def to_xlsx(rep: AnnualReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = f"{rep.roc_year}年度成果"
    ws.append([rep.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([rep.summary])
    ws.append(list(XLSX_COLUMNS))
    head = ws.max_row
    for c in ws[head]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE6EF")
    kind_zh = dict(KINDS)
    for r in rep.rows:
        ws.append([kind_zh[r["kpi_kind"]], r["goal_seq"], r["strategic_goal_zh"], r["item_no"], r["kpi_code"],
                   r["kpi_name_zh"], r["evaluation_system"], r["evaluation_method_zh"], r["measure_standard_zh"],
                   r["target_text_zh"] or r["target_text"], r["target_value"], r["actual_text"], r["actual_value"],
                   r["numerator"], r["denominator"], r["achievement"], r["status_zh"], r["note"]])
        ws.cell(ws.max_row, XLSX_COLUMNS.index("達成度") + 1).number_format = "0.0%"
        for c in ws[ws.max_row]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGHIJKLMNOPQR", (10, 6, 28, 6, 9, 30, 8, 9, 34, 12, 12, 14, 12, 14, 14, 9, 10, 50)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(head + 1, 7)
    ws.auto_filter.ref = f"A{head}:R{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def output_dir(year: int) -> Path:
    return common.output_dir("annual", str(year))


def write(year: int, as_of: date | None = None) -> list[Path]:
    """Write the year's report as .odt, .docx and .xlsx under reports/annual/<year>/; returns the paths."""
    rep = fetch(year, as_of)
    out = output_dir(year)
    stem = f"annual-report-{rep.roc_year}"
    return [common.write_atomic(out / f"{stem}.odt", to_odt(rep)),
            common.write_atomic(out / f"{stem}.docx", to_docx(rep)),
            common.write_atomic(out / f"{stem}.xlsx", to_xlsx(rep))]
