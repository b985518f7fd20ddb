"""What the report shows, read from the warehouse in one go: statuses of the as-of date, each
indicator's history over the year, department rows, source freshness, the load ledger, the
set-aside rows (counts and reasons only, never row contents) and the unknown department codes."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from kpi import config, labels, warehouse

CITY = "ALL"


@dataclass
class Indicator:
    """One KPI of the as-of date's year: its city-wide status row (with catalog columns), the
    city-wide value of every earlier run that year, and its departments at the as-of date."""

    row: dict
    history: list[dict] = field(default_factory=list)
    departments: list[dict] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.row["kpi_code"]

    @property
    def flagged(self) -> bool:
        return self.row["is_flagged"]

    @property
    def departments_flagged(self) -> list[dict]:
        return [d for d in self.departments if d["is_flagged"]]


@dataclass
class SourceLoads:
    """Per source, what raw.load_ledger holds (successful loads summed, as `kpi run` reports them)."""

    source: str
    source_name_zh: str
    objects: int
    loads: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    failed_objects: int
    last_finished: datetime | None


@dataclass
class ReportData:
    as_of: date
    year: int
    generated_at: datetime
    indicators: list[Indicator]
    freshness: list[dict]
    loads: list[SourceLoads]
    failures: list[dict]
    set_aside_files: list[dict]
    set_aside_reasons: list[dict]
    set_aside_total: int
    unknown_units: list[dict] = field(default_factory=list)
    # the units' explanations beside the flags of the year (S7), by (kpi_code, org_unit_code), and the
    # flags whose explanation is overdue (alert 未提出落後說明)
    explanations: dict[tuple[str, str], dict] = field(default_factory=dict)
    overdue: list[dict] = field(default_factory=list)
    # early warnings (預警, kpi_alerts severity early_warning): shown apart, never counted as flags
    early_warnings: list[dict] = field(default_factory=list)

    @property
    def unknown_codes(self) -> list[str]:
        return sorted({u["org_unit_code"] for u in self.unknown_units})

    @property
    def status_counts(self) -> dict[str, int]:
        return dict(Counter(i.row["status"] for i in self.indicators))

    @property
    def flagged(self) -> list[Indicator]:
        return [i for i in self.indicators if i.flagged]

    @property
    def stale_sources(self) -> list[dict]:
        return [f for f in self.freshness if not f["is_fresh"]]


# every word, colour and value text comes from the marts (kpi_status_labelled and its history view,
# kpi_expected_path), so the report shows what BI tools show
_STATUS_ROWS = """
select *
from marts.kpi_status_labelled
where as_of_date = %(d)s and year = %(y)s
order by status_sort, kpi_sort, org_unit_code
"""

_HISTORY = """
select kpi_code, as_of_date, year_fraction, actual_value, actual_text, target_value, expected_to_date, status,
       status_zh
from marts.kpi_status_history
where year = %(y)s and org_unit_code = 'ALL' and as_of_date <= %(d)s
order by kpi_code, as_of_date
"""

_PATH = """
select kpi_code, year_fraction, expected_value, band_low, band_high, seasonal_expected_value
from marts.kpi_expected_path
where year = %(y)s
order by kpi_code, day_of_year
"""

# the year-end projection beside the official status (docs/foresight.md); words from the seed
_FORESIGHT = """
select f.kpi_code, f.seasonal_expected_to_date, f.seasonal_status, f.projected_year_end, f.projected_low,
       f.projected_high, f.projection_basis, f.projected_status, f.projection_reason, f.projected_status_zh,
       f.projected_text, f.projected_low_text, f.projected_high_text
from marts.kpi_status_labelled as f
where f.as_of_date = %(d)s and f.year = %(y)s and f.org_unit_code = 'ALL'
"""

_FRESHNESS = """
select source_code, source_name, source_name_zh, earliest_date, newest_date, is_fresh
from marts.fct_source_freshness where as_of_date = %s order by source_code
"""

# successful loads summed per source, like `kpi run`'s load summary; failures counted per object
# whose latest attempt failed (a file fixed and loaded since is no longer a failure)
_LOADS = """
with latest as (
    select distinct on (source, object_name) source, object_name, status
    from raw.load_ledger where status <> 'running' order by source, object_name, load_id desc
)
select l.source,
       count(distinct l.object_name) filter (where l.status = 'loaded') as objects,
       count(*) filter (where l.status = 'loaded') as loads,
       coalesce(sum(l.rows_read) filter (where l.status = 'loaded'), 0) as rows_read,
       coalesce(sum(l.rows_loaded) filter (where l.status = 'loaded'), 0) as rows_loaded,
       coalesce(sum(l.rows_rejected) filter (where l.status = 'loaded'), 0) as rows_rejected,
       (select count(*) from latest f where f.source = l.source and f.status = 'failed') as failed_objects,
       max(l.finished_at) as last_finished
from raw.load_ledger l
group by l.source
"""

_FAILURES = """
select source, object_name, error, finished_at from (
    select distinct on (source, object_name) source, object_name, status, error, finished_at
    from raw.load_ledger where status <> 'running' order by source, object_name, load_id desc
) latest
where status = 'failed'
order by source, object_name
"""

# department codes a source uses that the org-unit list does not know (docs/sources.md#unknown-units)
_UNKNOWN_UNITS = """
select org_unit_code, org_unit_name_zh, source_code, source_name, source_name_zh, org_unit_name, records,
       first_date, last_date
from marts.fct_source_org_units where not is_known order by org_unit_code, source_code
"""

_EXPLANATIONS = """
select kpi_code, org_unit_code, explanation_reason, explanation_action, explanation_expected_date
from marts.kpi_alerts
where as_of_date = %(d)s and year = %(y)s and explanation_reason is not null
"""

_OVERDUE = """
select kpi_code, kpi_name_zh, org_unit_code, org_unit_name_zh, year, message
from marts.kpi_alerts
where as_of_date = %(d)s and status = 'explanation_overdue'
order by year desc, org_unit_code <> 'ALL', kpi_code, org_unit_code
"""

_EARLY_WARNINGS = """
select a.kpi_code, a.kpi_name_zh, a.org_unit_code, a.org_unit_name_zh, a.status, a.status_zh, a.actual_text,
       a.target_text, a.message
from marts.kpi_alerts a
left join marts.dim_status s using (status)
where a.as_of_date = %(d)s and a.severity = any(%(early)s)
order by s.status_sort, a.org_unit_code <> 'ALL', a.kpi_code, a.org_unit_code
"""

_SET_ASIDE_FILES = """
select source, object_name, count(*) as rows
from raw.rejected_rows group by source, object_name order by count(*) desc, source, object_name
"""


def reason_kind(reason: str) -> str:
    """A set-aside reason without the offending value, so reasons group and no row content is shown:
    "辦理日期 (event_date): not a date: '112/02/30'" -> "辦理日期 (event_date): not a date"."""
    text = re.sub(r":\s*'[^']*'\s*$", "", reason.strip())
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"(?<![\w./])-?\d[\d,]*(\.\d+)?(?![\w./])", "…", text)
    return text



# The loaders word reasons in English for engineers (logs, raw.rejected_rows); the report's readers
# get them in Traditional Chinese. Patterns match reason_kind()'s output; anything else stays as is.
_REASON_ZH = [
    (re.compile(r"^(?P<col>.+?): not a date$"), "{col}：日期無法辨識"),
    (re.compile(r"^(?P<col>.+?): not a datetime$"), "{col}：日期時間無法辨識"),
    (re.compile(r"^(?P<col>.+?): not a year(?P<rest>.*)$"), "{col}：年份無法辨識"),
    (re.compile(r"^(?P<col>.+?): not a whole number$"), "{col}：不是整數"),
    (re.compile(r"^(?P<col>.+?): not a number$"), "{col}：不是數字"),
    (re.compile(r"^(?P<col>.+?): not one of (?P<allowed>.+)$"), "{col}：不在允許值之內（{allowed}）"),
    # the value is there only in sources without personal data
    (re.compile(r"^(?P<col>.+?) is negative(?:: …)?$"), "{col} 為負數"),
    (re.compile(r"^(?P<col>.+?) is below …(?:: …)?$"), "{col} 低於下限"),
    (re.compile(r"^(?P<col>.+?) is above …(?:: …)?$"), "{col} 超過上限"),
    (re.compile(r"^(?P<col>.+?)(?: …)? exceeds (?P<other>.+?)(?: …)?$"), "{col} 大於 {other}"),
    (re.compile(r"^(?P<col>.+?) is empty although (?P<other>.+?) is (?P<value>.+)$"),
     "{other} 為 {value} 時，{col} 不可空白"),
    (re.compile(r"^(?P<col>.+?) is empty$"), "{col} 空白"),
    (re.compile(r"^expected … fields, found a value after the last column$"), "欄位數不符：最後一欄之後仍有資料"),
    (re.compile(r"^expected … fields, found …$"), "欄位數不符"),
]


def reason_zh(kind: str) -> str:
    """A reason kind (reason_kind) in Traditional Chinese, e.g. "辦理日期 (event_date): not a date"
    -> "辦理日期 (event_date)：日期無法辨識"."""
    for pattern, template in _REASON_ZH:
        m = pattern.match(kind)
        if m:
            return template.format(**m.groupdict())
    return kind

def _source_names(conn) -> dict[str, str]:
    """Loader name -> the source system's Chinese name (the ledger knows only the loader name)."""
    return dict(conn.execute("select distinct source_name, source_name_zh from marts.fct_source_freshness").fetchall())


def fetch(as_of: date) -> ReportData:
    """Everything the report shows for `as_of` (the as-of date's year), with the owner connection."""
    year = as_of.year
    with warehouse.connect() as conn:
        rows = warehouse.fetch_dicts(conn, _STATUS_ROWS, {"d": as_of, "y": year})
        history: dict[str, list[dict]] = {}
        for h in warehouse.fetch_dicts(conn, _HISTORY, {"d": as_of, "y": year}):
            history.setdefault(h["kpi_code"], []).append(h)
        paths: dict[str, list[dict]] = {}
        for p in warehouse.fetch_dicts(conn, _PATH, {"y": year}):
            paths.setdefault(p["kpi_code"], []).append(p)
        foresight = {f["kpi_code"]: f for f in warehouse.fetch_dicts(conn, _FORESIGHT, {"d": as_of, "y": year})}
        freshness = warehouse.fetch_dicts(conn, _FRESHNESS, (as_of,))
        names = _source_names(conn)
        loads = [SourceLoads(source_name_zh=names.get(r["source"], r["source"]), **r)
                 for r in warehouse.fetch_dicts(conn, _LOADS)]
        failures = warehouse.fetch_dicts(conn, _FAILURES)
        set_aside_files = warehouse.fetch_dicts(conn, _SET_ASIDE_FILES)
        unknown_units = warehouse.fetch_dicts(conn, _UNKNOWN_UNITS)
        explanations = {(e["kpi_code"], e["org_unit_code"]): e
                        for e in warehouse.fetch_dicts(conn, _EXPLANATIONS, {"d": as_of, "y": year})}
        overdue = warehouse.fetch_dicts(conn, _OVERDUE, {"d": as_of})
        early_warnings = warehouse.fetch_dicts(conn, _EARLY_WARNINGS,
                                               {"d": as_of, "early": sorted(labels.EARLY_WARNING)})
        reasons = Counter()
        for source, reason, n in conn.execute(
                "select source, reason, count(*) from raw.rejected_rows group by source, reason").fetchall():
            reasons[(source, reason_kind(reason))] += n
    order = {name: i for i, name in enumerate(names)}
    loads.sort(key=lambda s: (order.get(s.source, len(order)), s.source))
    indicators: dict[str, Indicator] = {}
    departments: dict[str, list[dict]] = {}
    for r in rows:
        if r["org_unit_code"] == CITY:
            r["path"] = paths.get(r["kpi_code"], [])
            r["foresight"] = foresight.get(r["kpi_code"]) or {}
            indicators[r["kpi_code"]] = Indicator(r, history.get(r["kpi_code"], []))
        else:
            departments.setdefault(r["kpi_code"], []).append(r)
    for code, ind in indicators.items():
        if ind.row["per_department"]:
            ind.departments = departments.get(code, [])
    for f in failures:
        f["source_name_zh"] = names.get(f["source"], f["source"])
    for f in set_aside_files:
        f["source_name_zh"] = names.get(f["source"], f["source"])
    return ReportData(
        as_of=as_of,
        year=year,
        generated_at=datetime.now(config.TIMEZONE),
        indicators=list(indicators.values()),
        freshness=freshness,
        loads=loads,
        failures=failures,
        set_aside_files=set_aside_files,
        set_aside_reasons=[{"source": s, "source_name_zh": names.get(s, s), "reason": k, "reason_zh": reason_zh(k),
                            "rows": n}
                           for (s, k), n in reasons.most_common()],
        set_aside_total=sum(f["rows"] for f in set_aside_files),
        unknown_units=unknown_units,
        explanations=explanations,
        overdue=overdue,
        early_warnings=early_warnings,
    )
