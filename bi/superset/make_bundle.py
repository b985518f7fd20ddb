"""Writes the Superset export bundle of the KPI dashboard (bi/superset/kpi_dashboard/): the database,
datasets on the BI marts, four charts, each with the query Superset runs for it, and the dashboard.

    .superset/venv/bin/python bi/superset/make_bundle.py bi/superset/kpi_dashboard dbt_project/seeds

Edit the charts here, run it, commit both; bench/bi_superset.sh imports and renders the result. Every
chart is a plain query on one mart: filters on booleans, ORDER BY sort columns, no subquery, no CASE.
"""
import csv
import json
import sys
import uuid
from pathlib import Path

import yaml

OUT = Path(sys.argv[1])
NS = uuid.UUID("6f1c2a40-11b1-4c1e-9a11-000000000011")
def u(name):
    return str(uuid.uuid5(NS, name))


DB = u("database")

def dump(path, data):
    p = OUT / path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")

dump("metadata.yaml", {"version": "1.0.0", "type": "Dashboard", "timestamp": "2026-12-03T00:00:00+00:00"})
dump("databases/kpi.yaml", {
    "database_name": "基隆市 KPI",
    "sqlalchemy_uri": "postgresql+psycopg2://bi_reader:XXXXXXXXXX@127.0.0.1:54329/kpi",
    "cache_timeout": None, "expose_in_sqllab": True, "allow_run_async": False, "allow_ctas": False,
    "allow_cvas": False, "allow_dml": False, "allow_file_upload": False,
    "extra": {"allows_virtual_table_explore": False, "metadata_params": {}, "engine_params": {},
              "metadata_cache_timeout": {}, "schemas_allowed_for_file_upload": []},
    "impersonate_user": False, "uuid": DB, "version": "1.0.0"})

# column labels shown by Superset (the Chinese part of each column's description in _kpi_status_bi.yml)
LABELS = {"status_zh": "狀態", "kpi_code": "代碼", "kpi_name_zh": "指標", "kpi_label_zh": "指標",
          "org_unit_name_zh": "單位", "actual_text": "實際", "target_text": "目標", "status_reason": "說明",
          "severity_zh": "燈號", "as_of_date": "基準日", "actual_pct": "實際值（%）", "target_pct": "年度目標（%）",
          "is_city": "是否為全市", "is_prior_year": "是否為前一年度之警示", "status_sort": "狀態排序",
          "kpi_sort": "指標排序"}
TEMPORAL = {"as_of_date"}

DATASETS = {
    "kpi_status_current": "目前狀態：最新基準日、當年度每一指標及單位一列。",
    "kpi_status_history": "每日歷史：每一基準日、指標及單位一列（基準日當年度）。",
    "kpi_alerts_current": "最新基準日之警示，含燈號排序與顏色。",
}
for name, desc in DATASETS.items():
    dump(f"datasets/kpi/{name}.yaml", {
        "table_name": name, "main_dttm_col": None, "description": desc, "default_endpoint": None,
        "offset": 0, "cache_timeout": None, "schema": "marts", "sql": None, "params": None,
        "template_params": None, "filter_select_enabled": True, "fetch_values_predicate": None,
        "extra": None, "normalize_columns": False, "uuid": u("dataset/" + name),
        "metrics": [{"metric_name": "count", "verbose_name": "筆數", "metric_type": "count",
                     "expression": "COUNT(*)", "description": None, "d3format": None, "extra": {},
                     "warning_text": None}],
        "columns": [{"column_name": c, "verbose_name": v, "is_dttm": c in TEMPORAL, "is_active": True,
                     "type": None, "groupby": True, "filterable": True, "expression": None, "description": None,
                     "python_date_format": None, "extra": {}} for c, v in LABELS.items()],
        "version": "1.0.0", "database_uuid": DB})

def flt(col, op, val=None):
    f = {"clause": "WHERE", "expressionType": "SIMPLE", "subject": col, "operator": op,
         "operatorId": {"IS TRUE": "IS_TRUE", "IS FALSE": "IS_FALSE", "==": "EQUALS"}[op], "isExtra": False,
         "isNew": False, "comparator": val, "filterOptionName": f"filter_{col}"}
    return f

def qfilter(col, op, val=None):
    d = {"col": col, "op": op}
    if val is not None:
        d["val"] = val
    return d

def chart(key, name, viz, dataset, form, query, description):
    form = {"datasource": "__DATASOURCE__", "viz_type": viz, **form}
    qc = {"datasource": {"id": 0, "type": "table"}, "force": False, "queries": [query],
          "form_data": form, "result_format": "json", "result_type": "full"}
    dump(f"charts/{key}.yaml", {
        "slice_name": name, "description": description, "certified_by": None, "certification_details": None,
        "viz_type": viz, "params": form, "query_context": json.dumps(qc, ensure_ascii=False),
        "cache_timeout": None, "uuid": u("chart/" + key), "version": "1.0.0",
        "dataset_uuid": u("dataset/" + dataset)})
    return u("chart/" + key), name

def q(columns, filters, orderby=(), metrics=None, post=(), row_limit=1000):
    # metrics None: a raw query (no GROUP BY), as Superset's table chart sends in raw mode
    return {"filters": filters, "extras": {"having": "", "where": ""}, "applied_time_extras": {},
            "columns": list(columns), "metrics": None if metrics is None else list(metrics),
            "orderby": [list(o) for o in orderby],
            "annotation_layers": [], "row_limit": row_limit, "series_limit": 0, "order_desc": True,
            "url_params": {}, "custom_params": {}, "custom_form_data": {}, "post_processing": list(post)}

charts = []
# 1. the current status, flags first
cols = ["status_zh", "kpi_code", "kpi_name_zh", "actual_text", "target_text", "status_reason"]
charts.append(chart("current_status", "目前指標狀態（警示優先）", "table", "kpi_status_current", {
    "query_mode": "raw", "all_columns": cols, "groupby": [], "metrics": [], "percent_metrics": [],
    "order_by_cols": [json.dumps(["status_sort", True]), json.dumps(["kpi_sort", True])],
    "adhoc_filters": [flt("is_city", "IS TRUE")], "row_limit": 1000, "server_page_length": 10,
    "include_search": False, "show_cell_bars": False, "table_timestamp_format": "smart_date",
    "column_config": {}, "conditional_formatting": []},
    q(cols, [qfilter("is_city", "IS TRUE")], orderby=[("status_sort", True), ("kpi_sort", True)]),
    "kpi_status_current where is_city, order by status_sort, kpi_sort"))

# 2. one indicator's daily history (K7.2, percent)
m_actual = {"expressionType": "SQL", "sqlExpression": "MAX(actual_pct)", "label": "實際值（%）",
            "hasCustomLabel": True, "optionName": "metric_actual"}
m_target = {"expressionType": "SQL", "sqlExpression": "MAX(target_pct)", "label": "年度目標（%）",
            "hasCustomLabel": True, "optionName": "metric_target"}
axis = {"timeGrain": "P1D", "columnType": "BASE_AXIS", "sqlExpression": "as_of_date", "label": "as_of_date",
        "expressionType": "SQL"}
charts.append(chart(
    "history_k72", "K7.2 人民陳情案件結案率：每日歷史", "echarts_timeseries_line", "kpi_status_history", {
    "x_axis": "as_of_date", "time_grain_sqla": "P1D", "metrics": [m_actual, m_target], "groupby": [],
    "adhoc_filters": [flt("kpi_code", "==", "K7.2"), flt("is_city", "IS TRUE")], "row_limit": 10000,
    "truncate_metric": True, "show_legend": True, "legendType": "scroll", "legendOrientation": "top",
    # the first run fills every year since the first day of data: the axis names the year, and
    # a day's point needs no marker
    "x_axis_title_margin": 15, "y_axis_title_margin": 15, "y_axis_format": ",.1f", "x_axis_time_format": "%Y/%m",
    "rich_tooltip": True, "markerEnabled": False, "markerSize": 6, "zoomable": False, "comparison_type": "values",
    "annotation_layers": [], "forecastPeriods": 10, "forecastInterval": 0.8, "sort_series_type": "sum",
    "color_scheme": "supersetColors", "only_total": True, "seriesType": "line", "opacity": 0.2},
    q([axis], [qfilter("kpi_code", "==", "K7.2"), qfilter("is_city", "IS TRUE")], orderby=[(m_actual, False)],
      metrics=[m_actual, m_target],
      post=[{"operation": "pivot", "options": {"index": ["as_of_date"], "columns": [],
             "aggregates": {"實際值（%）": {"operator": "mean"}, "年度目標（%）": {"operator": "mean"}},
             "drop_missing_columns": False}},
            {"operation": "flatten"}], row_limit=10000),
    "kpi_status_history where kpi_code = 'K7.2' and is_city, x = as_of_date"))

# 3. departments on the per-department indicators
cols = ["kpi_label_zh", "org_unit_name_zh", "status_zh", "actual_text", "target_text"]
charts.append(chart("departments", "各單位狀態（K7.2、K3.2、K7.1、K5.1）", "table", "kpi_status_current", {
    "query_mode": "raw", "all_columns": cols, "groupby": [], "metrics": [], "percent_metrics": [],
    "order_by_cols": [json.dumps(["kpi_sort", True]), json.dumps(["status_sort", True]),
                      json.dumps(["org_unit_code", True])],
    "adhoc_filters": [flt("is_city", "IS FALSE")], "row_limit": 1000, "server_page_length": 10,
    "include_search": True, "show_cell_bars": False, "table_timestamp_format": "smart_date",
    "column_config": {}, "conditional_formatting": []},
    q(cols, [qfilter("is_city", "IS FALSE")],
      orderby=[("kpi_sort", True), ("status_sort", True), ("org_unit_code", True)]),
    "kpi_status_current where not is_city, order by kpi_sort, status_sort, org_unit_code"))

# 4. alerts by severity, this year's only
m_count = {"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": "警示數", "hasCustomLabel": True,
           "optionName": "metric_count"}
charts.append(chart("alerts_by_severity", "本年度警示（依燈號）", "pie", "kpi_alerts_current", {
    "groupby": ["severity_zh"], "metric": m_count, "adhoc_filters": [flt("is_prior_year", "IS FALSE")],
    "row_limit": 100, "sort_by_metric": True, "color_scheme": "supersetColors", "show_labels_threshold": 0,
    "show_legend": True, "legendType": "scroll", "legendOrientation": "top", "label_type": "key_value",
    "number_format": "SMART_NUMBER", "date_format": "smart_date", "show_labels": True, "labels_outside": True,
    "outerRadius": 70, "donut": True, "innerRadius": 40},
    q(["severity_zh"], [qfilter("is_prior_year", "IS FALSE")], orderby=[(m_count, False)], metrics=[m_count],
      row_limit=100),
    "kpi_alerts_current where not is_prior_year, count by severity_zh"))

# the dashboard: status colours as label colours (seed status_labels / alert_severities / colours;
# bench/bi_superset.py sets them again from the warehouse at import)
root = Path(sys.argv[2])


def _csv(name):
    with open(root / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


colours = {r["colour"]: r["colour_hex"] for r in _csv("colours.csv")}
label_colors = {r["status_zh"]: colours[r["colour"]] for r in _csv("status_labels.csv")}
label_colors.update({r["severity_zh"]: colours[r["colour"]] for r in _csv("alert_severities.csv")})

layout = [[(charts[0], 12, 70)], [(charts[1], 7, 50), (charts[3], 5, 50)], [(charts[2], 12, 70)]]
position = {"DASHBOARD_VERSION_KEY": "v2",
            "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
            "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
            "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": "管考指標儀表板"}}}
for i, row in enumerate(layout, 1):
    rid = f"ROW-{i}"
    position["GRID_ID"]["children"].append(rid)
    position[rid] = {"type": "ROW", "id": rid, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                     "meta": {"background": "BACKGROUND_TRANSPARENT"}}
    for (cu, name), w, h in row:
        cid = f"CHART-{cu[:8]}"
        position[rid]["children"].append(cid)
        position[cid] = {"type": "CHART", "id": cid, "children": [], "parents": ["ROOT_ID", "GRID_ID", rid],
                         "meta": {"width": w, "height": h, "chartId": 0, "uuid": cu, "sliceName": name}}
dump("dashboards/kpi_status.yaml", {
    "dashboard_title": "基隆市管考指標儀表板", "description": None, "css": "", "slug": "kpi-status",
    "certified_by": None, "certification_details": None, "published": True, "uuid": u("dashboard"),
    "position": position,
    "metadata": {"color_scheme": "supersetColors", "label_colors": label_colors, "shared_label_colors": [],
                 "color_scheme_domain": [], "cross_filters_enabled": False, "native_filter_configuration": [],
                 "timed_refresh_immune_slices": [], "expanded_slices": {}, "refresh_frequency": 0,
                 "default_filters": "{}", "chart_configuration": {}, "global_chart_configuration": {}},
    "version": "1.0.0"})
print("written", OUT)
