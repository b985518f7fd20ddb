"""The report as one HTML file: inline CSS and SVG, no script, no fonts or images fetched, zh-TW."""
from __future__ import annotations

from html import escape

from kpi import labels
from kpi.report import charts
from kpi.report.data import Indicator, ReportData

FONT_STACK = ('"Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", "Microsoft JhengHei", '
              '"PingFang TC", "Heiti TC", sans-serif')
MAX_FILES, MAX_REASONS = 12, 10

CSS = """
*{box-sizing:border-box}
html{font-family:{font};color:#1f2933;background:#eef1f4;font-size:15px;line-height:1.6;
 -webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0}
.page{max-width:1180px;margin:0 auto;background:#fff;box-shadow:0 0 0 1px #dde3e8}
header.mast{background:#1f3a5f;color:#fff;padding:28px 40px 24px;border-bottom:5px solid #c9a227}
header.mast .org{font-size:14px;letter-spacing:.08em;opacity:.85}
header.mast h1{margin:6px 0 10px;font-size:28px;font-weight:700;letter-spacing:.04em}
header.mast .asof{font-size:18px;font-weight:500}
header.mast .asof b{font-weight:700}
header.mast .meta{font-size:13px;opacity:.8;margin-top:6px}
header.mast a{color:#fff}
main{padding:8px 40px 32px}
section{margin-top:28px}
h2{font-size:20px;margin:0 0 14px;padding-bottom:6px;border-bottom:2px solid #1f3a5f;color:#1f3a5f}
h3{font-size:16px;margin:20px 0 8px;color:#1f3a5f}
.lead{font-size:16px;margin:0 0 14px}
.tiles{display:grid;grid-template-columns:repeat(8,1fr);gap:10px}
.tile{border:1px solid #dde3e8;border-top:5px solid var(--c);border-radius:6px;padding:10px 12px;background:#fff}
.tile .n{display:block;font-size:30px;font-weight:700;line-height:1.2;color:var(--t)}
.tile .s{font-size:14px;color:#3e4c59}
.tile.zero{opacity:.45}
.stack{display:flex;height:14px;border-radius:7px;overflow:hidden;margin:14px 0 4px;background:#eef1f4}
.stack span{display:block;height:100%}
.note{font-size:13px;color:#52606d}
.warn{background:#fff8e1;border-left:4px solid #e0a000;padding:8px 12px;margin:12px 0;font-size:14px}
table{width:100%;border-collapse:collapse;font-size:14px}
th{background:#f1f4f7;color:#3e4c59;text-align:left;font-weight:600;padding:7px 10px;border-bottom:1px solid #cfd7df;
 white-space:nowrap}
td{padding:7px 10px;border-bottom:1px solid #e6eaee;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.code,td.src{white-space:nowrap;font-weight:600}
td.src{font-weight:400}
.en{font-size:12px;color:#8a959e}
td.reason{color:#323f4b;overflow-wrap:anywhere}
tr.flag td:first-child{border-left:4px solid var(--c)}
.pill{display:inline-block;padding:1px 10px;border-radius:999px;font-size:13px;font-weight:600;color:#fff;
 background:var(--c);white-space:nowrap}
.pill.yellow{color:#3d2b00}
.depts{font-size:13px;color:#52606d;margin-top:3px}
.explain{font-size:13px;color:#1f3a5f;background:#f1f4f7;border-radius:4px;padding:3px 8px;margin-top:4px}
.explain.none{color:#bf360c;background:#fbe9e7}
.cards{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}
.card{border:1px solid #dde3e8;border-left:5px solid var(--c);border-radius:6px;padding:12px 14px 10px;
 break-inside:avoid;page-break-inside:avoid;background:#fff}
.card .head{display:flex;align-items:baseline;gap:10px;flex-wrap:wrap}
.card .code{font-weight:700;color:#1f3a5f}
.card .name{font-weight:700;font-size:16px}
.card .goal{font-size:12.5px;color:#66727d;margin:2px 0 4px}
.card .goal .pill{font-size:12px;padding:0 8px}
.card .note a{margin-left:8px}
.card .reason{font-size:14px;margin:4px 0 6px}
.card .reason .fresh{color:#8a6100}
.card .projection{font-size:13px;color:#6b4600;margin:0 0 6px}
td.projection{white-space:nowrap;font-size:13px}
.card .sub{font-size:13px;font-weight:600;color:#3e4c59;margin:4px 0 0}
.legend{font-size:12px;color:#52606d;display:flex;gap:14px;flex-wrap:wrap;margin-top:2px}
.legend span{display:inline-flex;align-items:center;gap:4px}
svg.chart{display:block;font-family:inherit;overflow:visible}
svg .tick{font-size:11px;fill:#66727d}
svg .lbl{font-size:12px}
svg .value{font-size:13px;font-weight:700}
svg .value,svg .halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .empty{font-size:14px;fill:#66727d}
.ok{color:#1b5e20;font-weight:600}
.bad{color:#b71c1c;font-weight:600}
footer{padding:16px 40px 28px;font-size:12.5px;color:#66727d;border-top:1px solid #dde3e8}
footer a,main a{color:#1f4e79}
@media (max-width:900px){.tiles{grid-template-columns:repeat(4,1fr)}.cards{grid-template-columns:minmax(0,1fr)}}
@media print{html{background:#fff;font-size:12px}.page{box-shadow:none}section{break-inside:auto}}
""".replace("{font}", FONT_STACK)


def _e(text) -> str:
    return escape("" if text is None else str(text))


def _colour_vars(status: str) -> str:
    return f"--c:{charts.status_hex(status)};--t:{charts.status_text_hex(status)}"


def _pill(status: str) -> str:
    cls = labels.STATUS_COLOUR[status]
    return f'<span class="pill {cls}" style="{_colour_vars(status)}">{labels.STATUS_ZH[status]}</span>'


def _anchor(code: str) -> str:
    return "kpi-" + code.replace(".", "-")


def _short(text: str, limit: int = 72) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _when(ts) -> str:
    if ts is None:
        return "—"
    return f"{labels.roc_year(ts.year)}/{ts.month:02d}/{ts.day:02d} {ts:%H:%M}"


def _header(data: ReportData, docs_href: str | None) -> str:
    gen = data.generated_at
    docs = (f'｜<a href="{_e(docs_href)}">資料模型說明文件（dbt docs）</a>' if docs_href else "")
    return (
        '<header class="mast">'
        '<div class="org">基隆市政府綜合發展處・管制考核</div>'
        '<h1>中程施政計畫 績效指標執行報告</h1>'
        f'<div class="asof">基準日 <b>{_e(labels.roc_date_long(data.as_of))}</b>'
        f'　評估年度 {_e(labels.year_label(data.year))}</div>'
        f'<div class="meta">產製時間 {_e(labels.roc_date_long(gen.date()))} {gen:%H:%M}'
        f'｜資料來源：KPI 資料平台倉儲（marts.fct_kpi_status）{docs}</div>'
        "</header>"
    )


def _summary(data: ReportData) -> str:
    counts = data.status_counts
    total = len(data.indicators)
    tiles = []
    for s in labels.STATUS_ORDER:
        n = counts.get(s, 0)
        tiles.append(f'<div class="tile{"" if n else " zero"}" data-status="{s}" style="{_colour_vars(s)}">'
                     f'<span class="n">{n}</span><span class="s">{labels.STATUS_ZH[s]}</span></div>')
    stack = "".join(
        f'<span style="width:{counts[s] / total * 100:.3f}%;background:{charts.status_hex(s)}" '
        f'title="{labels.STATUS_ZH[s]} {counts[s]} 項"></span>'
        for s in labels.STATUS_ORDER if counts.get(s)) if total else ""
    flagged = data.flagged
    parts = "、".join(f"{labels.STATUS_ZH[s]} {counts[s]} 項" for s in labels.FLAGGED if counts.get(s))
    lead = (f"本年度 {total} 項指標中，<b>{len(flagged)} 項需關注</b>（{parts}）。" if flagged
            else f"本年度 {total} 項指標均無落後情形。")
    dept_flags = sum(len(i.departments_flagged) for i in data.indicators)
    if dept_flags:
        lead += f"另有分單位評核之指標中，共 {dept_flags} 個單位項次落後或有落後風險（詳見各指標之單位比較）。"
    stale = ""
    if data.stale_sources:
        names = "、".join(
            f"{_e(s['source_name_zh'])}"
            f"（最新資料 {_e(labels.roc_date(s['newest_date'])) if s['newest_date'] else '無'}）"
            for s in data.stale_sources)
        stale = (f'<div class="warn">資料來源未及時更新：{names}。相關指標仍依現有資料計算，'
                 f'判定結果請審慎參考。</div>')
    if data.failures:
        files = "、".join(_e(f["object_name"]) for f in data.failures[:5])
        more = f"等 {len(data.failures)} 個檔案" if len(data.failures) > 5 else ""
        stale += (f'<div class="warn">有檔案無法載入：{files}{more}，其資料未納入計算，'
                  f'詳見<a href="#quality">「五、資料品質」</a>。</div>')
    if data.unknown_codes:
        stale += (f'<div class="warn">有 {len(data.unknown_codes)} 個單位代碼不在機關單位清單中：'
                  f'{_e("、".join(data.unknown_codes))}。其資料仍計入全市，於各單位比較中列為「未知單位」，'
                  f'詳見<a href="#unknown-units">「五、資料品質」</a>。</div>')
    if not total:
        lead = f"基準日 {_e(labels.roc_date(data.as_of))} 倉儲中尚無指標狀態（請先執行 kpi run --as-of {data.as_of}）。"
    return (f'<section id="summary"><h2>一、狀態摘要</h2><p class="lead">{lead}</p>'
            f'<div class="tiles">{"".join(tiles)}</div><div class="stack">{stack}</div>'
            f'<p class="note">依 {labels.year_label(data.year)}目標及至基準日之應有進度判定；「落後」「未達成」為紅燈，'
            f'「有落後風險」為黃燈。</p>{stale}</section>')


def _dept_line(ind: Indicator) -> str:
    flagged = ind.departments_flagged
    if not flagged:
        return ""
    by_status = []
    for s in labels.FLAGGED:
        names = [d["org_unit_name_zh"] for d in charts.worst_first(ind.row, flagged) if d["status"] == s]
        if names:
            by_status.append(f"{labels.STATUS_ZH[s]}：{'、'.join(names)}")
    return f'<div class="depts">單位別　{_e("；".join(by_status))}</div>'


def _projection_cell(r: dict) -> str:
    """年底推估 of the flagged table: the projected value, its range and the outcome word; — without."""
    f = r.get("foresight") or {}
    if f.get("projected_year_end") is None:
        return "—"
    rng = (f"（{f['projected_low_text']}–{f['projected_high_text']}）"
           if f.get("projected_low") is not None and f.get("projected_high") is not None else "")
    return (f'<span title="{_e(f.get("projection_reason") or "")}">{_e(f["projected_text"])}{_e(rng)}'
            f'<br>{_e(f.get("projected_status_zh") or "")}</span>')


def _explanation(data: ReportData, code: str, unit: str, label: str = "") -> str:
    """The unit's explanation beside a flag (S7), or that it is overdue."""
    e = data.explanations.get((code, unit))
    if e:
        text = f"落後原因：{e['explanation_reason']}"
        if e["explanation_action"]:
            text += f"；改善措施：{e['explanation_action']}"
        if e["explanation_expected_date"]:
            text += f"；預計改善日期：{labels.roc_date(e['explanation_expected_date'])}"
        return f'<div class="explain" data-unit="{_e(unit)}">{_e(label)}{_e(text)}</div>'
    if any(o["kpi_code"] == code and o["org_unit_code"] == unit and o["year"] == data.year for o in data.overdue):
        return f'<div class="explain none" data-unit="{_e(unit)}">{_e(label)}逾期未提出落後說明</div>'
    return ""


def _dept_explanations(data: ReportData, ind: Indicator) -> str:
    return "".join(_explanation(data, ind.code, d["org_unit_code"], f"{d['org_unit_name_zh']}　")
                   for d in ind.departments_flagged)


def _flagged(data: ReportData) -> str:
    flagged = data.flagged
    rows = []
    for ind in flagged:
        r = ind.row
        fresh = "" if r["source_fresh"] else '<div class="depts">＊資料來源未及時更新</div>'
        rows.append(
            f'<tr class="flag" data-kpi="{_e(r["kpi_code"])}" style="{_colour_vars(r["status"])}">'
            f'<td>{_pill(r["status"])}</td><td class="code"><a href="#{_anchor(r["kpi_code"])}">{_e(r["kpi_code"])}'
            f'</a></td>'
            f'<td>{_e(r["kpi_name_zh"])}</td><td class="num">{_e(r["actual_text"])}</td>'
            f'<td class="num">{_e(r["target_text"])}</td><td class="projection">{_projection_cell(r)}</td>'
            f'<td class="reason">{_e(r["status_reason"])}{_explanation(data, ind.code, "ALL")}{_dept_line(ind)}'
            f'{_dept_explanations(data, ind)}{fresh}</td></tr>')
    head = ('<table class="flagged"><thead><tr><th>狀態</th><th>代碼</th><th>指標</th><th class="num">實際</th>'
            '<th class="num">目標</th><th>年底推估</th><th>判定依據</th></tr></thead><tbody>')
    body = (head + "".join(rows) + "</tbody></table>") if rows else '<p class="lead">本基準日無需關注之指標。</p>'
    # city on track, but some departments are not: who pulls the city down
    hidden = [i for i in data.indicators if not i.flagged and i.departments_flagged]
    extra = ""
    if hidden:
        items = "".join(
            f'<tr data-kpi="{_e(i.code)}"><td>{_pill(i.row["status"])}</td>'
            f'<td class="code"><a href="#{_anchor(i.code)}">{_e(i.code)}</a></td><td>{_e(i.row["kpi_name_zh"])}</td>'
            f'<td class="reason">{_dept_line(i)}{_dept_explanations(data, i)}</td></tr>' for i in hidden)
        extra = ('<h3>全市符合進度，但有單位落後</h3><table class="hidden-flags"><thead><tr><th>全市狀態</th>'
                 '<th>代碼</th>'
                 f'<th>指標</th><th>落後單位</th></tr></thead><tbody>{items}</tbody></table>')
    overdue = ""
    if data.overdue:
        items = "".join(
            f'<tr data-kpi="{_e(o["kpi_code"])}"><td class="code">{_e(o["kpi_code"])}</td><td>{_e(o["kpi_name_zh"])}'
            f'</td>'
            f'<td>{_e(o["org_unit_name_zh"])}</td><td class="num">{_e(labels.year_label(o["year"]))}</td>'
            f'<td class="reason">{_e(o["message"])}</td></tr>' for o in data.overdue)
        overdue = (f'<h3 id="overdue">逾期未提出落後說明（{len(data.overdue)} 項）</h3><table class="overdue">'
                   f'<thead><tr>'
                   '<th>代碼</th><th>指標</th><th>單位</th><th class="num">年度</th><th>說明</th></tr></thead>'
                   f'<tbody>{items}</tbody></table>')
    return f'<section id="flagged"><h2>二、需關注指標（{len(flagged)} 項）</h2>{body}{extra}{overdue}</section>'


def _early_warnings(data: ReportData) -> str:
    """預警: where the year-end projection disagrees with the plan's status. Apart from the flags,
    which it never joins or counts."""
    if not data.early_warnings:
        return ""
    items = "".join(
        f'<tr data-kpi="{_e(w["kpi_code"])}" data-unit="{_e(w["org_unit_code"])}">'
        f'<td>{_e(w["status_zh"])}</td><td class="code"><a href="#{_anchor(w["kpi_code"])}">{_e(w["kpi_code"])}</a>'
        f'</td>'
        f'<td>{_e(w["kpi_name_zh"])}</td><td>{_e(w["org_unit_name_zh"])}</td><td class="num">{_e(w["actual_text"])}'
        f'</td>'
        f'<td class="num">{_e(w["target_text"])}</td><td class="reason">{_e(w["message"])}</td></tr>'
        for w in data.early_warnings)
    return (f'<section id="early-warnings"><h3>預警：年底推估與計畫進度不一致（{len(data.early_warnings)} 項，'
            '僅供參考，非正式警示）</h3><table class="early-warnings"><thead><tr><th>預警</th><th>代碼</th><th>指標'
            '</th>'
            '<th>單位</th><th class="num">實際</th><th class="num">目標</th><th>說明</th></tr></thead>'
            f'<tbody>{items}</tbody></table></section>')


def _legend(ind: Indicator) -> str:
    r = ind.row
    items = [f'<span>{charts.swatch("point", charts.status_hex(r["status"]))}實際值（各次執行）</span>']
    if charts.expected_path(r):
        items.append(f'<span>{charts.swatch("expected")}應有進度</span>')
    if r["target_value"] is not None:
        items.append(f'<span>{charts.swatch("target")}年度目標</span>')
    if charts.tolerance_band(r):
        items.append(f'<span>{charts.swatch("band")}容許範圍（有落後風險）</span>')
    if charts.seasonal_path(r):
        items.append(f'<span>{charts.swatch("seasonal")}季節性應有進度（依過去年度同期）</span>')
    if charts.projection_cone(r)[0]:
        items.append(f'<span>{charts.swatch("cone")}年底推估 80% 區間</span>')
    return f'<div class="legend">{"".join(items)}</div>'


def _projection_line(r: dict) -> str:
    """The projection sentence under the official reason (docs/foresight.md); nothing without one."""
    f = r.get("foresight") or {}
    if not f.get("projection_reason"):
        return ""
    word = f.get("projected_status_zh")
    return (f'<div class="projection">年底推估{f"（{_e(word)}）" if word else ""}：'
            f'{_e(f["projection_reason"])}</div>')


def _card(ind: Indicator, data: ReportData) -> str:
    r = ind.row
    fresh = "" if r["source_fresh"] else '<span class="fresh">（資料來源未及時更新）</span>'
    basis = "" if r["target_basis"] == "plan" or not r["target_basis"] else "（沿用前一年度目標）"
    runs = len([h for h in ind.history if h["actual_value"] is not None])
    note = f"本年度 {runs} 次執行之實際值。" if runs > 1 else ""
    if ind.departments:
        n = len(ind.departments_flagged)
        note += (f'<a href="#{_anchor(r["kpi_code"])}-dept">各單位比較：'
                 + (f"{n} 個單位需關注" if n else "各單位均符合目標") + "</a>")
    return (f'<article class="card" id="{_anchor(r["kpi_code"])}" data-kpi="{_e(r["kpi_code"])}" '
            f'data-status="{r["status"]}" style="{_colour_vars(r["status"])}">'
            f'<div class="head">{_pill(r["status"])}<span class="code">{_e(r["kpi_code"])}</span>'
            f'<span class="name">{_e(r["kpi_name_zh"])}</span></div>'
            f'<div class="goal">{_e(r["strategic_goal_zh"])}｜衡量標準：{_e(r["measure_standard_zh"])}'
            f'｜{labels.year_label(r["year"])}目標 {_e(r["target_text"])}{basis}</div>'
            f'<div class="reason">{_e(r["status_reason"])}{fresh}</div>'
            f'{_projection_line(r)}'
            f'{charts.trend_chart(r, ind.history, data.as_of)}{_legend(ind)}'
            f'<div class="note">{note}</div></article>')


def _indicators(data: ReportData) -> str:
    cards = "".join(_card(i, data) for i in data.indicators)
    return (f'<section id="indicators"><h2>三、各指標年度趨勢</h2>'
            f'<p class="note">需關注者優先。橫軸為 {data.year} 年 1 月至 12 月；圓點為每次夜間執行於該基準日之實際值'
            f'（顏色為當次判定），虛線為依年度目標推算之應有進度，實線為年度目標，淺藍區為容許範圍。</p>'
            f'<div class="cards">{cards}</div></section>')


def _dept_card(ind: Indicator) -> str:
    r = ind.row
    flagged = ind.departments_flagged
    caption = (f"{len(ind.departments)} 個單位，由落後至領先；"
               + (f"{len(flagged)} 個單位需關注" if flagged else "各單位均符合目標"))
    return (f'<article class="card dept-card" id="{_anchor(r["kpi_code"])}-dept" data-kpi="{_e(r["kpi_code"])}" '
            f'style="{_colour_vars(r["status"])}">'
            f'<div class="head"><span class="code">{_e(r["kpi_code"])}</span>'
            f'<span class="name">{_e(r["kpi_name_zh"])}</span></div>'
            f'<div class="goal">全市 {_pill(r["status"])} {_e(r["actual_text"])}'
            f'（目標 {_e(r["target_text"])}）｜{_e(caption)}</div>'
            f'{charts.department_chart(r, ind.departments)}{_dept_line(ind)}</article>')


def _departments(data: ReportData) -> str:
    with_departments = [i for i in data.indicators if i.departments]
    if not with_departments:
        return ""
    cards = "".join(_dept_card(i) for i in with_departments)
    return ('<section id="departments"><h2>四、各單位比較</h2>'
            '<p class="note">分單位評核之指標，各單位於基準日之數值與全市年度目標比較，由落後至領先排列；'
            '紅色為落後、黃色為有落後風險，淺藍區為容許範圍。</p>'
            f'<div class="cards">{cards}</div></section>')


def _quality(data: ReportData) -> str:
    fresh_rows = "".join(
        f'<tr data-source="{_e(f["source_name"])}"><td>{_e(f["source_name_zh"])}</td><td>{_e(f["source_code"])}</td>'
        f'<td>{_e(labels.roc_date(f["newest_date"])) if f["newest_date"] else "尚無資料"}</td>'
        f'<td>{"<span class=ok>及時</span>" if f["is_fresh"] else "<span class=bad>未及時更新</span>"}</td></tr>'
        for f in data.freshness)
    fresh = ('<table class="freshness"><thead><tr><th>資料來源</th><th>代碼</th><th>最新資料日期</th><th>更新狀況</th>'
             f'</tr></thead><tbody>{fresh_rows}</tbody></table>' if fresh_rows
             else '<p class="note">此基準日尚無資料來源更新紀錄。</p>')
    load_rows = "".join(
        f'<tr data-source="{_e(s.source)}"><td class="src">{_e(s.source_name_zh)} <span class="en">{_e(s.source)}'
        f'</span></td>'
        f'<td class="num" data-k="objects">{s.objects:,}</td><td class="num" data-k="loads">{s.loads:,}</td>'
        f'<td class="num" data-k="rows_read">{s.rows_read:,}</td>'
        f'<td class="num" data-k="rows_loaded">{s.rows_loaded:,}</td>'
        f'<td class="num" data-k="rows_rejected">{s.rows_rejected:,}</td>'
        f'<td class="num" data-k="failed_objects">{"<span class=bad>" if s.failed_objects else ""}{s.failed_objects:,}'
        f'{"</span>" if s.failed_objects else ""}</td><td class="num">{_e(_when(s.last_finished))}</td></tr>'
        for s in data.loads)
    loads = ('<table class="loads"><thead><tr><th>資料來源</th><th class="num">檔案／批次</th>'
             '<th class="num">載入次數</th>'
             '<th class="num">讀取列數</th><th class="num">載入列數</th><th class="num">剔除列數</th>'
             f'<th class="num">載入失敗</th><th class="num">最近載入</th></tr></thead><tbody>{load_rows}</tbody>'
             f'</table>'
             '<p class="note">依載入紀錄（raw.load_ledger）彙計歷次成功載入'
             '；「載入失敗」為最近一次嘗試仍失敗之檔案數。</p>')
    if data.failures:
        fail_rows = "".join(
            f'<tr class="failure"><td class="src">{_e(f["source_name_zh"])}</td><td>{_e(f["object_name"])}</td>'
            f'<td class="reason">{_e(f["error"])}</td><td class="num">{_e(_when(f["finished_at"]))}</td></tr>'
            for f in data.failures)
        failures = ('<table class="failures"><thead><tr><th>資料來源</th><th>檔案</th><th>失敗原因</th>'
                    '<th class="num">時間</th>'
                    f'</tr></thead><tbody>{fail_rows}</tbody></table>')
    else:
        failures = '<p class="ok">無載入失敗之檔案。</p>'
    files = data.set_aside_files
    shown = files[:MAX_FILES]
    file_rows = "".join(
        f'<tr><td class="src">{_e(f["source_name_zh"])}</td><td>{_e(f["object_name"])}</td>'
        f'<td class="num">{f["rows"]:,}</td></tr>'
        for f in shown)
    if len(files) > len(shown):
        rest = files[len(shown):]
        file_rows += (f'<tr><td colspan="2" class="note">其餘 {len(rest):,} 個檔案</td>'
                      f'<td class="num">{sum(f["rows"] for f in rest):,}</td></tr>')
    reason_rows = "".join(
        f'<tr><td class="src">{_e(r["source_name_zh"])}</td>'
        f'<td class="reason" title="{_e(r["reason"])}">{_e(_short(r["reason_zh"]))}</td>'
        f'<td class="num">{r["rows"]:,}</td></tr>'
        for r in data.set_aside_reasons[:MAX_REASONS])
    if files:
        set_aside = (f'<p class="lead" id="set-aside-total">目前共剔除 <b>{data.set_aside_total:,}</b> 列，'
                     f'分布於 {len(files):,} 個檔案或批次。</p>'
                     '<div class="cards"><div><div class="sub">依檔案</div><table class="set-aside-files"><thead><tr>'
                     f'<th>資料來源</th><th>檔案／批次</th><th class="num">剔除列數</th></tr></thead>'
                     f'<tbody>{file_rows}</tbody>'
                     '</table></div><div><div class="sub">主要剔除原因</div><table class="set-aside-reasons"><thead>'
                     '<tr>'
                     f'<th>資料來源</th><th>原因</th><th class="num">列數</th></tr></thead><tbody>{reason_rows}</tbody>'
                     '</table></div></div><p class="note">剔除資料（raw.rejected_rows）僅列筆數與原因類型'
                     '，不顯示資料內容；'
                     '個人資料於載入時即已移除。</p>')
    else:
        set_aside = '<p class="ok">目前無剔除之資料列。</p>'
    return (f'<section id="quality"><h2>五、資料品質</h2><h3>資料來源更新狀況'
            f'（基準日 {_e(labels.roc_date(data.as_of))}）</h3>'
            f'{fresh}<h3>各來源載入情形</h3>{loads}<h3>載入失敗之檔案</h3>{failures}<h3>剔除之資料列</h3>{set_aside}'
            f'<h3 id="unknown-units">未知單位代碼</h3>{_unknown_units(data)}</section>')


def _span(first, last) -> str:
    if first is None:
        return "—"
    if first == last:
        return _e(labels.roc_date(first))
    return f"{_e(labels.roc_date(first))} 至 {_e(labels.roc_date(last))}"


def _unknown_units(data: ReportData) -> str:
    """Codes a source uses that the org-unit list lacks: not bad rows (docs/sources.md#unknown-units), so they
    count for the city and show as 未知單位（code） until the list (seed org_units) learns them."""
    if not data.unknown_units:
        return '<p class="ok">各資料來源之單位代碼均在機關單位清單中。</p>'
    rows = "".join(
        f'<tr class="unknown-unit" data-org="{_e(u["org_unit_code"])}" data-source="{_e(u["source_name"])}">'
        f'<td class="code">{_e(u["org_unit_name_zh"])}</td><td class="src">{_e(u["source_name_zh"])}</td>'
        f'<td>{_e(u["org_unit_name"] or "—")}</td><td class="num" data-k="records">{u["records"]:,}</td>'
        f'<td>{_span(u["first_date"], u["last_date"])}</td></tr>'
        for u in data.unknown_units)
    return ('<table class="unknown-units"><thead><tr><th>單位</th><th>資料來源</th><th>來源所載名稱</th>'
            f'<th class="num">筆數</th><th>資料期間</th></tr></thead><tbody>{rows}</tbody></table>'
            '<p class="note">上列單位代碼不在機關單位清單（org_units）中。其資料照常計入全市數值，各單位比較及警示中以'
            '「未知單位（代碼）」列示；確認代碼後請將該單位加入清單，下次執行即以正式名稱顯示。'
            '筆數：公文為單位日數、陳情為案件數、預算為明細列數、人事為單位月數。</p>')


def render(data: ReportData, docs_href: str | None = None) -> str:
    """The whole report as one HTML document. `docs_href`: relative link to the published dbt docs."""
    docs = (f'資料表與欄位定義見<a href="{_e(docs_href)}">資料模型說明文件（dbt docs）</a>。' if docs_href else "")
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hant-TW"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>績效指標執行報告 基準日 {_e(labels.roc_date(data.as_of))}</title>'
        f"<style>{CSS}</style></head><body><div class=\"page\">"
        f"{_header(data, docs_href)}"
        f"<main>{_summary(data)}{_flagged(data)}{_early_warnings(data)}{_indicators(data)}{_departments(data)}{_quality(data)}</main>"
        f'<footer>本報告由基隆市政府 KPI 資料平台於每日夜間作業後自動產製，亦可以 '
        f'<code>kpi report --as-of {data.as_of}</code> '
        f'重新產製。狀態判定規則：累計型指標依「年度目標 × 已經過天數比率」（無條件捨去）或法定期限推算應有進度；'
        f'比率與平均型指標依年度目標及容許差距判定。{docs}</footer>'
        "</div></body></html>\n"
    )
