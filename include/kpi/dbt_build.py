"""The dbt step of the night: one `dbt build` of the whole project for the run's as-of dates, in one
Airflow task (`dbt_build`), with every node still visible and diagnosable.

Why one task and not one per node: a task per node cost a process and a dbt invocation per node
(about 1 s each, 3x the bare work per night; README "Why one dbt task"). dbt itself gives what the
per-node tasks were for:
- each node's status and time: one log line per node as it finishes (`NODE_LINE`, which `kpi run`
  counts for its progress), a summary table at the end, and the same table as the task's XCom;
- a failure names itself: the task fails with each failed or erroring node and dbt's own message;
- a retry redoes only what did not succeed: every attempt keeps its own target dir under the Airflow
  home (`<AIRFLOW_HOME>/dbt/<run id>/try-<n>`), and attempt n > 1 runs `dbt retry` on the run_results
  of the last attempt that wrote one, which re-runs the nodes that errored, failed or were skipped, with
  the same vars. Without earlier run_results (an attempt killed before dbt wrote them) it builds all.
"""
from __future__ import annotations

import json
import logging
import re
import signal
import subprocess
import sys
from pathlib import Path

from kpi import config, errors, redact

log = logging.getLogger(__name__)

# one line per finished node, e.g. "dbt node model stg_hr__training: success 1.23s 412 rows"
NODE_LINE = "dbt node {kind} {name}: {status} {seconds:.2f}s{rows}"
NODE_RE = re.compile(r"dbt node (\w+) (\S+): (\w+) ")
NODE_KINDS = ("seed", "model", "snapshot", "test", "unit_test")  # what `kpi run` counts (dag_runner.dag_counts)
FAILED = ("error", "fail", "runtime_error")
# a failed node's message, line by line, as `kpi run` shows it under the failed node (dag_runner)
FAILURE_LINE = "dbt failure | "
MESSAGE_LINES, MESSAGE_LINES_UNIT_TEST = 12, 40
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # dbt colours a unit test's diff even when it writes to a file
RUN_RESULTS = "run_results.json"
KEEP_DAYS = 30  # the target dirs of older runs are deleted (a few MB each: manifest, compiled SQL)


class DbtBuildFailed(errors.StepFailed):
    pass


def run_dir(run_id: str) -> Path:
    """Where the attempts of one DAG run keep dbt's target dirs (outside the shared project dir, so
    runs and retries never overwrite each other's state)."""
    from kpi import airflow_env

    return airflow_env.airflow_home() / "dbt" / re.sub(r"[^A-Za-z0-9_.+-]", "_", run_id)


def prune(keep_days: int = KEEP_DAYS) -> None:
    """Delete the target dirs of runs not touched for `keep_days` days."""
    import shutil
    import time

    cutoff = time.time() - keep_days * 86400
    root = run_dir("x").parent
    for old in (root.iterdir() if root.is_dir() else []):
        if old.is_dir() and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)


def previous_state(root: Path, try_number: int) -> Path | None:
    """The target dir of the latest earlier attempt that left run_results.json."""
    for n in range(try_number - 1, 0, -1):
        if (root / f"try-{n}" / RUN_RESULTS).is_file():
            return root / f"try-{n}"
    return None


def command(target: Path, dbt_vars: dict[str, str], state: Path | None = None) -> list[str]:
    from kpi import dbt_render

    project = config.dbt_project_dir()
    # NodeFinished, the event with a node's result, rows and message, is logged at debug level
    common = ["--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(target),
              "--log-path", str(target), "--log-format", "json", "--log-level", "debug"]
    dbt = str(dbt_render.dbt_executable())
    if state is not None:  # the vars and selection are the previous invocation's (dbt retry reads them)
        return [dbt, "retry", *common, "--state", str(state)]
    return [dbt, "build", *common, "--vars", json.dumps(dbt_vars)]


def _die_with_parent() -> None:
    """preexec_fn: dbt dies with the task's process (Linux), so a killed runner leaves no dbt behind."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _node_line(data: dict) -> tuple[str, dict] | None:
    """The line and row of a NodeFinished event of dbt's JSON log, or None for other events."""
    node, result = data.get("node_info") or {}, data.get("run_result") or {}
    unique_id = node.get("unique_id") or ""
    if unique_id.split(".", 1)[0] not in NODE_KINDS:  # exposures finish too, as no-ops
        return None
    rows = (result.get("adapter_response") or {}).get("rows_affected")
    rows = int(rows) if isinstance(rows, (int, float)) and rows >= 0 else None
    row = {"node": unique_id, "status": str(result.get("status") or node.get("node_status")),
           "seconds": round(float(result.get("execution_time") or 0), 2), "rows": rows}
    kind = unique_id.split(".", 1)[0]
    text = NODE_LINE.format(kind=kind, name=node.get("node_name") or unique_id, status=row["status"].replace(" ", "_"),
                            seconds=row["seconds"], rows="" if rows is None else f" {rows} rows")
    return text, row


def _files(target: Path, unique_ids: list[str]) -> dict[str, str]:
    """The file each node is declared in, relative to the dbt project (its .sql, or the YAML of a
    generic or unit test), from the manifest dbt wrote beside run_results.json."""
    try:
        manifest = json.loads((target / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    return {u: nodes[u]["original_file_path"] for u in unique_ids if u in nodes and nodes[u].get("original_file_path")}


def summary(results: list[dict]) -> str:
    """A table of the nodes' status, time and rows (run_results.json's `results`), slowest first."""
    lines = [f"{'node':<70} {'status':<8} {'seconds':>8} {'rows':>9}"]
    for r in sorted(results, key=lambda r: -(r.get("execution_time") or 0)):
        rows = (r.get("adapter_response") or {}).get("rows_affected")
        rows = int(rows) if isinstance(rows, (int, float)) and rows >= 0 else None
        lines.append(f"{r['unique_id']:<70} {r['status']:<8} {r.get('execution_time') or 0:8.2f} "
                     f"{'' if rows is None else rows:>9}")
    return "\n".join(lines)


def failures(results: list[dict], files: dict[str, str] | None = None) -> list[str]:
    """Each failed or erroring node with its file (`files`: unique id -> path in the project) and dbt's
    message: a unit test's in full up to MESSAGE_LINES_UNIT_TEST lines (its expected and actual rows,
    which is what the engineer needs), other nodes' first MESSAGE_LINES."""
    out = []
    for r in results:
        if r["status"].replace(" ", "_") in FAILED:
            keep = MESSAGE_LINES_UNIT_TEST if r["unique_id"].startswith("unit_test.") else MESSAGE_LINES
            lines = ANSI.sub("", r.get("message") or "").strip().splitlines()
            more = [f"… ({len(lines) - keep} more lines)"] if len(lines) > keep else []
            message = "\n    ".join(lines[:keep] + more)
            where = f", {(files or {}).get(r['unique_id'])}" if (files or {}).get(r["unique_id"]) else ""
            out.append(f"{r['unique_id']} ({r['status']}{where}): {message}")
    return out


def build(run_id: str, dbt_vars: dict[str, str], try_number: int, env: dict[str, str]) -> list[dict]:
    """Run the night's dbt (build, or on a retry `dbt retry`), log a line per node as it finishes and a
    summary at the end; return the per-node table. Raises DbtBuildFailed naming every failed node.
    `env`: dbt's connection environment (kpi.connections.airflow_dbt_env() in Airflow)."""
    root = run_dir(run_id)
    target = root / f"try-{try_number}"
    state = previous_state(root, try_number) if try_number > 1 else None
    prune()
    target.mkdir(parents=True, exist_ok=True)
    (target / RUN_RESULTS).unlink(missing_ok=True)
    secret = env.get("KPI_PG_PASSWORD")
    cmd = command(target, dbt_vars, state)
    log.info("%s", "dbt retry of " + str(state) if state else f"dbt build, vars {json.dumps(dbt_vars)}")
    rows: list[dict] = []
    other: list[str] = []  # dbt's errors outside any node (a broken project, no connection)
    proc = subprocess.Popen(
        cmd, env=config.child_env({**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, errors="replace",
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    try:
        for raw in proc.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                other.append(raw.rstrip())
                continue
            info = event.get("info") or {}
            if info.get("name") == "NodeFinished":
                found = _node_line(event.get("data") or {})
                if found:
                    log.info("%s", redact.mask(found[0], secret))
                    rows.append(found[1])
            elif info.get("level") == "error":
                other.append(info.get("msg") or "")
        rc = proc.wait()
    finally:
        if proc.poll() is None:  # the task was stopped (timeout, marked failed): stop dbt with it
            proc.terminate()
            proc.wait()
    results_file = target / RUN_RESULTS
    results = json.loads(results_file.read_text())["results"] if results_file.is_file() else []
    if results:
        log.info("dbt results (%s):\n%s", results_file, redact.mask(summary(results), secret))
    failed = failures(results, _files(target, [r["unique_id"] for r in results
                                               if r["status"].replace(" ", "_") in FAILED]))
    for line in "\n".join(failed).splitlines():
        log.error("%s%s", FAILURE_LINE, redact.mask(line, secret))
    if rc != 0 or failed:
        detail = "\n  ".join(failed) if failed else "\n".join(other[-30:]) or "no node failed"
        raise DbtBuildFailed(redact.mask(
            f"dbt {'retry' if state else 'build'} failed (exit {rc}), {len(failed)} node(s):\n  {detail}\n"
            f"every node's status and time: {results_file}", secret))
    return rows
