"""S3: the monthly budget-execution workbooks (歲出預算執行明細表), one cumulative snapshot a month."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from .draws import centred
from .orgs import Department
from .roc import roc_year
from .xlsx import deterministic_xlsx

HEADER = ["年度", "月份", "單位代碼", "單位名稱", "計畫代碼", "計畫名稱", "經資門別", "用途別", "列管基本設施",
          "預算數", "累計分配數", "累計實支數", "累計應付未付數", "累計節餘數", "保留數"]
SHEET_TITLE = "預算執行"
CURRENT, CAPITAL = "經常門", "資本門"

# K5.1 design: year-end execution of tracked infrastructure lines (target 82%); earlier months run
# lower by the fraction TRACKED_RAMP × the share of the year-end rush still ahead (RUSH_AHEAD) — a
# fraction, so a year's shape does not depend on its level. 2026 sits under the target in October.
TRACKED_YEAR_END = {2022: 0.852, 2023: 0.788, 2024: 0.836, 2025: 0.803, 2026: 0.838}
TRACKED_RAMP = 0.24
# The year-end rush: of the catch-up between January and the books' close, the share still ahead at
# each month end. Slow through the spring, faster from September, the biggest step in December.
RUSH_AHEAD = [1.0, 0.97, 0.94, 0.90, 0.86, 0.82, 0.76, 0.71, 0.66, 0.59, 0.48, 0.34, 0.0]
# How much each year's rush differs from the usual one (a uniform factor around 1).
RUSH_SPREAD = 0.05
# A line's execution relative to the city's (a fraction): departments keep their pace from year to
# year (a slow department stays slow); this much of it is drawn afresh each year.
TRACKED_OFFSET_SD, TRACKED_OFFSET_YEARLY_SD = 0.05, 0.012
# C1.1 design: year-end surplus of 經常門 業務費 ((budget - paid - carried) / budget, target >= 2%).
SURPLUS = {2022: 0.031, 2023: 0.014, 2024: 0.027, 2025: 0.017, 2026: 0.024}

# Department-specific plan names; infrastructure departments have tracked (列管) tenders.
_OPERATING_PLANS = {
    "KL0100": ["戶政及宗教禮俗", "里鄰建設", "殯葬管理"], "KL0200": ["公有財產管理", "菸酒管理"],
    "KL0300": ["資訊業務推動", "研考及管制考核", "為民服務"], "KL0400": ["國民教育", "社會教育", "體育活動"],
    "KL0500": ["商業及工業輔導", "農漁業發展", "動物保護"], "KL0600": ["社會救助", "長期照顧", "兒少福利"],
    "KL0700": ["地籍管理", "地價及測量"], "KL0800": ["都市計畫", "建築管理"],
    "KL0900": ["公共運輸", "交通管理"], "KL1000": ["觀光推廣", "城市行銷"], "KL1100": ["人事管理"],
    "KL1200": ["道路養護", "下水道管理", "公園路燈維護"], "KL1300": ["歲計會計", "統計業務"],
    "KL1400": ["廉政業務"], "KL1500": ["藝文推廣", "圖書館營運"], "KL1600": ["警政業務", "交通執法"],
    "KL1700": ["災害搶救", "火災預防"], "KL1800": ["衛生保健", "食品藥物管理"],
    "KL1900": ["廢棄物清理", "空氣及噪音管制", "水質保護"], "KL2000": ["稅務稽徵"],
}
_INFRA_PLANS = {
    "KL1200": ["道路及橋梁改善工程", "排水系統改善工程", "人行環境改善工程", "公園整建工程"],
    "KL0800": ["都市更新及景觀工程", "社會住宅興建"], "KL0900": ["停車場興建工程", "公車候車設施改善"],
    "KL1900": ["垃圾焚化廠整修工程"], "KL1000": ["觀光景點設施改善"], "KL1500": ["文化場館整修工程"],
    "KL0400": ["校舍耐震補強工程"], "KL0500": ["漁港及市場改善工程"], "KL0100": ["基本設施工程"],
    "KL0300": ["基本設施工程"], "KL0600": ["社福館舍改善工程"], "KL1700": ["消防廳舍改建工程"],
}
# Which operating plans also pay grants (獎補助費) or temporary staff (臨時人員酬金).
_GRANT_HEAVY = {"KL0400", "KL0500", "KL0600", "KL1000", "KL1500", "KL0100"}


@dataclass
class BudgetLine:
    dept: Department
    plan_code: str
    plan_name: str
    side: str          # 經常門 / 資本門
    kind: str          # 用途別
    tracked: bool      # 列管基本設施
    base: int          # annual budget in the first year
    alloc_power: float  # how front-loaded allocation is through the year
    exec_level: float   # execution of allocation for non-tracked lines
    paid_share: float   # of executed: disbursed; the rest payable, savings
    payable_share: float
    carry_share: float  # of the unexecuted allocation, how much is carried over at year end


def _thousands(rng: random.Random, low: float, high: float) -> int:
    return int(rng.uniform(low, high) / 1000) * 1000


def build_lines(departments: list[Department], rng: random.Random, scale: float) -> list[BudgetLine]:
    """The budget structure (stable from year to year); scale trims optional plans, never a
    department's staff line, first operating plan, equipment line or first tracked tender."""
    lines: list[BudgetLine] = []

    def line(dept, code, name, side, kind, tracked, base, power=0.95, level=None):
        lines.append(BudgetLine(
            dept, code, name, side, kind, tracked, base, power,
            level if level is not None else rng.uniform(0.9, 0.97),
            rng.uniform(0.83, 0.89), rng.uniform(0.08, 0.11), rng.uniform(0.6, 1.0),
        ))

    def keep(items: list, minimum: int) -> list:
        return items[:max(minimum, round(len(items) * scale))]

    for dept in departments:
        c = dept.code
        # Personnel cost follows head count (roughly NT$0.9M per civil servant a year).
        line(dept, f"{c}-A01", "一般行政", CURRENT, "人事費", False, _thousands(rng, 0.85e6, 0.95e6) * dept.staff)
        line(dept, f"{c}-A01", "一般行政", CURRENT, "業務費", False, _thousands(rng, 3e6, 12e6))
        for k, name in enumerate(keep(_OPERATING_PLANS.get(c, ["業務推動"]), 1), start=1):
            code = f"{c}-C{k:02d}"
            line(dept, code, name, CURRENT, "業務費", False, _thousands(rng, 8e6, 60e6))
            if rng.random() < 0.5:
                line(dept, code, name, CURRENT, "臨時人員酬金", False, _thousands(rng, 1.5e6, 12e6))
            if c in _GRANT_HEAVY and rng.random() < 0.7:
                line(dept, code, name, CURRENT, "獎補助費", False, _thousands(rng, 5e6, 120e6))
        infra = keep(_INFRA_PLANS.get(c, []), 1)
        for k, name in enumerate(infra, start=1):
            size = (60e6, 300e6) if c == "KL1200" else (15e6, 120e6)
            line(dept, f"{c}-B{k:02d}", name, CAPITAL, "設備及投資", True, _thousands(rng, *size),
                 power=rng.uniform(0.7, 0.95))
        line(dept, f"{c}-B{len(infra) + 1:02d}", "一般設備購置", CAPITAL, "設備及投資", False,
             _thousands(rng, 2e6, 15e6), power=rng.uniform(0.75, 0.95))
    return lines


def _design(table: dict[int, float], year: int) -> float:
    return table.get(year, table[min(table, key=lambda y: abs(y - year))])


class YearFigures:
    """One year's budget per line and the per-line randomness that must stay put month to month,
    so cumulative figures never go down."""

    def __init__(self, lines: list[BudgetLine], year: int, first_year: int, rng: random.Random,
                 line_offsets: list[float]):
        self.year = year
        growth = 1.0 + 0.03 * (year - first_year)
        self.budget = [int(ln.base * growth * rng.uniform(0.95, 1.05) / 1000) * 1000 for ln in lines]
        self.tracked_offset = [o + rng.gauss(0, TRACKED_OFFSET_YEARLY_SD) for o in line_offsets]
        self.rush = rng.uniform(1 - RUSH_SPREAD, 1 + RUSH_SPREAD)
        carried = [rng.uniform(0.0, 0.03) for _ in lines]
        self.carried_share = carried
        # Year-end surplus per 業務費 line, centred so the city lands exactly on the design.
        ops = [i for i, ln in enumerate(lines) if ln.side == CURRENT and ln.kind == "業務費"]
        surplus = centred([_design(SURPLUS, year) + rng.gauss(0, 0.008) for _ in ops],
                          [self.budget[i] for i in ops], _design(SURPLUS, year))
        self.surplus = {i: min(0.15, max(0.001, s)) for i, s in zip(ops, surplus)}


def snapshot(lines: list[BudgetLine], fig: YearFigures, month: int) -> list[tuple[int, ...]]:
    """(budget, allocated, paid, payable, savings, carried) per line, cumulative to month end."""
    year = fig.year
    allocated = [
        fig.budget[i] if month == 12 else int(fig.budget[i] * (month / 12) ** ln.alloc_power)
        for i, ln in enumerate(lines)
    ]
    tracked = [i for i, ln in enumerate(lines) if ln.tracked]
    ahead = RUSH_AHEAD[month] * fig.rush
    design = _design(TRACKED_YEAR_END, year) * (1 - TRACKED_RAMP * ahead)
    rates = centred([design * (1 + fig.tracked_offset[i]) for i in tracked], [allocated[i] for i in tracked], design)
    tracked_rate = dict(zip(tracked, rates))

    out = []
    for i, ln in enumerate(lines):
        budget, alloc = fig.budget[i], allocated[i]
        if month == 12 and i in fig.surplus:
            # 業務費 at year end: paid + carried = budget * (1 - surplus); the rest is savings.
            carried = int(budget * fig.carried_share[i])
            paid = int(budget * (1 - fig.surplus[i])) - carried
            payable = int(min(budget * 0.004, budget * fig.surplus[i] * 0.2))
            savings = budget - paid - carried - payable
            out.append((budget, alloc, paid, payable, savings, carried))
            continue
        rate = tracked_rate.get(i, ln.exec_level - 0.08 * ahead)
        rate = min(0.99, max(0.3, rate))
        executed = int(alloc * rate)
        paid_share = min(0.97, ln.paid_share + (0.08 if month == 12 else 0.0))
        paid = int(executed * paid_share)
        payable = min(executed - paid, int(executed * ln.payable_share * (0.3 if month == 12 else 1.0)))
        savings = executed - paid - payable
        # Unexecuted allocation is carried into next year only when the books close (month 12).
        carried = int((alloc - executed) * ln.carry_share) if month == 12 and ln.side == CAPITAL else 0
        out.append((budget, alloc, paid, payable, savings, carried))
    return out


def _amount(rng: random.Random, value: int):
    """As the accounting system exports them: numbers, text with separators, `-` for nothing."""
    if value == 0:
        return "-" if rng.random() < 0.85 else 0
    return f"{value:,}" if rng.random() < 0.3 else value


def write_workbook(path: Path, lines: list[BudgetLine], fig: YearFigures, month: int,
                   rng: random.Random, stamp: datetime) -> int:
    roc = roc_year(fig.year)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append([f"基隆市政府{roc}年度歲出預算執行明細表（截至{month}月底）"])
    ws.append(["單位：新臺幣元"])
    ws.append(HEADER)
    totals = [0] * 6
    for ln, values in zip(lines, snapshot(lines, fig, month)):
        ws.append([roc, month, ln.dept.code, ln.dept.name, ln.plan_code, ln.plan_name, ln.side, ln.kind,
                   "是" if ln.tracked else "否", *(_amount(rng, v) for v in values)])
        totals = [t + v for t, v in zip(totals, values)]
    ws.append(["合計", None, None, None, None, None, None, None, None, *totals])
    path.write_bytes(deterministic_xlsx(wb, stamp))
    return len(lines)


def snapshot_months(start: date, until: date) -> list[tuple[int, int]]:
    """Every month whose month end is on or before `until`, from start's month on."""
    months = []
    y, m = start.year, start.month
    while True:
        month_end = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1))
        if month_end > until:
            break
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def write_budget(landing: Path, departments: list[Department], start: date, until: date,
                 rng: random.Random, scale: float,
                 progress: Callable[[str, int, int], None] | None = None) -> dict:
    folder = landing / "budget"
    folder.mkdir(parents=True, exist_ok=True)
    lines = build_lines(departments, rng, scale)
    months = snapshot_months(start, until)
    figures: dict[int, YearFigures] = {}
    line_offsets = [rng.gauss(0, TRACKED_OFFSET_SD) for _ in lines]
    files = []
    for k, (year, month) in enumerate(months):
        if year not in figures:
            figures[year] = YearFigures(lines, year, start.year, rng, line_offsets)
        # Accounting publishes a few days after month end; the workbook carries that time.
        published = date(year + (month == 12), month % 12 + 1, 5)
        stamp = datetime.combine(min(published, until), datetime.min.time()).replace(hour=9)
        path = folder / f"budget_{roc_year(year)}{month:02d}.xlsx"
        rows = write_workbook(path, lines, figures[year], month, rng, stamp)
        files.append({
            "path": f"budget/{path.name}", "format": "xlsx", "sheet": SHEET_TITLE,
            "rows": rows, "bad_rows": 0, "bad": [],
            # worksheet rows: 1 title, 2 note, 3 header, data from 4, then the 合計 row
            "first_data_row": 4, "total_row": rows + 4,
        })
        if progress:
            progress("budget", k + 1, len(months))
    return {"files": files, "rows": sum(f["rows"] for f in files), "bad_rows": 0}
