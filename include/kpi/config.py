"""Runtime settings, read from the environment with defaults that work out of the box.

Every path and URL the pipeline uses is resolved here, so the CLI, the DAG and the tests agree on
them. Reading settings never touches the network or the database (DAG files call into this at parse
time).
"""
from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from kpi import errors

TIMEZONE = ZoneInfo("Asia/Taipei")
DEFAULT_WAREHOUSE_PORT = 54329
AIRFLOW_DB = "airflow"


def project_root() -> Path:
    """The checkout: KPI_PROJECT_DIR, else the folder holding dags/ and dbt_project/."""
    env = os.environ.get("KPI_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "dbt_project" / "dbt_project.yml").exists():
            return parent
    return Path.cwd()


def state_dir() -> Path:
    """Where runtime state lives (warehouse data, Airflow home, keys): KPI_STATE_DIR or <project>."""
    return Path(os.environ.get("KPI_STATE_DIR") or project_root()).resolve()


def dbt_attached_target() -> Path:
    """dbt's target dir for `kpi dbt …` (compiled SQL, run_results.json): .dbt-target in the state dir."""
    return state_dir() / ".dbt-target"


# a task that staged its source's files from KPI_LANDING_URL reads them here (kpi.shared_storage)
_LANDING_OVERRIDE: ContextVar[Path | None] = ContextVar("landing_override", default=None)


def landing_dir() -> Path:
    staged = _LANDING_OVERRIDE.get()
    if staged is not None:
        return staged
    return Path(os.environ.get("KPI_LANDING_DIR") or state_dir() / "data" / "landing").resolve()


def landing_staged() -> Path | None:
    """The folder this task staged its source's files into from KPI_LANDING_URL, if it did."""
    return _LANDING_OVERRIDE.get()


@contextmanager
def landing_dir_set(path: Path) -> Iterator[None]:
    """landing_dir() is `path` inside the block (this thread, this task only)."""
    token = _LANDING_OVERRIDE.set(path.resolve())
    try:
        yield
    finally:
        _LANDING_OVERRIDE.reset(token)


def reports_dir() -> Path:
    return Path(os.environ.get("KPI_REPORTS_DIR") or state_dir() / "reports").resolve()


def landing_url() -> str | None:
    """KPI_LANDING_URL: the landing folder as a URL every host reaches (file:///mnt/kpi/landing,
    s3://bucket/landing), read through Airflow's ObjectStoragePath; each load task copies its source's
    files from there first. None: the local KPI_LANDING_DIR, as on one machine."""
    return (os.environ.get("KPI_LANDING_URL") or "").strip().rstrip("/") or None


def reports_url() -> str | None:
    """KPI_REPORTS_URL: where each run publishes, as a URL every host reaches (like KPI_LANDING_URL);
    None: the local KPI_REPORTS_DIR."""
    return (os.environ.get("KPI_REPORTS_URL") or "").strip().rstrip("/") or None


def logs_url() -> str | None:
    """KPI_LOGS_URL: where every host writes its task logs, so that the UI shows a task's log wherever
    it ran (file:///mnt/kpi/logs, s3://bucket/logs); None: each host's AIRFLOW_HOME/logs."""
    return (os.environ.get("KPI_LOGS_URL") or "").strip().rstrip("/") or None


def storage_conn_id() -> str | None:
    """KPI_STORAGE_CONN_ID: the Airflow connection with the object storage's credentials (e.g. an
    `aws` connection for s3://); None for file:// or the storage's own default credentials."""
    return (os.environ.get("KPI_STORAGE_CONN_ID") or "").strip() or None


DEFAULT_STORAGE_TIMEOUT = 30


def storage_timeout() -> int:
    """KPI_STORAGE_TIMEOUT: seconds a request to the object storage of KPI_LANDING_URL and
    KPI_REPORTS_URL may take to connect, and to answer; a request is tried twice."""
    return _positive_int("KPI_STORAGE_TIMEOUT", DEFAULT_STORAGE_TIMEOUT, "seconds")


def published_dir(as_of: date) -> Path:
    """Where the night of `as_of` publishes: status files, report.html, dbt-docs.html."""
    return reports_dir() / as_of.isoformat()


def dbt_project_dir() -> Path:
    return project_root() / "dbt_project"


def source_url_setting(variable: str | None) -> str:
    """The value of a source's URL variable (its `url_env` in sources.yml, e.g. KPI_HR_API_URL);
    '' when it has none or it is unset (the source's default_url applies)."""
    return (os.environ.get(variable) or "") if variable else ""


def source_limit_setting(source: str, limit: str) -> tuple[str, str]:
    """KPI_<SOURCE>_<LIMIT>, a source's time limit in seconds overriding sources.yml: the variable's
    name and its value ('' when unset)."""
    variable = f"KPI_{source.upper()}_{limit.upper()}"
    return variable, (os.environ.get(variable) or "").strip()


def airflow_passwords_file(airflow_home: Path) -> Path:
    """The simple auth manager's password file: AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE,
    else the generated file in AIRFLOW_HOME."""
    return Path(os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
                or airflow_home / "simple_auth_manager_passwords.json.generated")


def child_env(extra: dict[str, str], path_first: Path | None = None) -> dict[str, str]:
    """The environment of a tool run as a child process (dbt, Airflow): ours, with `extra` on top and
    `path_first` (the virtualenv's bin) ahead of PATH. Passing the environment along, not a setting:
    the only place besides the settings below that touches os.environ."""
    env = {**os.environ, **extra}
    if path_first is not None:
        env["PATH"] = f"{path_first}{os.pathsep}{os.environ.get('PATH', '')}"
    return env


def airflow_home() -> Path:
    """AIRFLOW_HOME (Airflow's own variable), else .airflow in the state dir."""
    return Path(os.environ.get("AIRFLOW_HOME") or state_dir() / ".airflow")


def airflow_metadata_url() -> str | None:
    """AIRFLOW__DATABASE__SQL_ALCHEMY_CONN (Airflow's own variable): the metadata database when set;
    None lets kpi.airflow_env choose (the embedded server's database `airflow`, else SQLite)."""
    return os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN") or None


# --- the executor: LocalExecutor (tasks run by the scheduler) or CeleryExecutor (workers) ----------
EXECUTORS = ("LocalExecutor", "CeleryExecutor")
DEFAULT_CELERY_CONCURRENCY = 2
# A task's message stays unacknowledged in Redis while the task runs (Airflow acks late), and a worker
# that dies leaves it there until this timeout redelivers it. Airflow's 24 h keeps a dead worker's
# message a day; a timeout shorter than a running task delivers it twice, and the duplicate's failure
# fails the running task. 2 h: twice the longest bound a task has (a source's deadline, 1800 s, by
# default) with room for a backfill's dbt_build.
DEFAULT_CELERY_VISIBILITY_TIMEOUT = 7200


def airflow_executor() -> str:
    """AIRFLOW__CORE__EXECUTOR (Airflow's own variable): LocalExecutor (default) or CeleryExecutor."""
    value = (os.environ.get("AIRFLOW__CORE__EXECUTOR") or "").strip() or EXECUTORS[0]
    if value not in EXECUTORS:
        raise errors.InputError(f"AIRFLOW__CORE__EXECUTOR must be one of {', '.join(EXECUTORS)}, got {value!r}")
    return value


def uses_celery() -> bool:
    return airflow_executor() == "CeleryExecutor"


def celery_broker_url() -> str:
    """AIRFLOW__CELERY__BROKER_URL: the Redis the scheduler queues tasks in and the workers take them
    from, e.g. redis://:PASSWORD@127.0.0.1:6379/0. Required with CeleryExecutor: no default broker,
    so that no one runs a night through a Redis without a password by accident."""
    url = (os.environ.get("AIRFLOW__CELERY__BROKER_URL") or "").strip()
    if not url:
        raise errors.InputError("AIRFLOW__CORE__EXECUTOR=CeleryExecutor needs AIRFLOW__CELERY__BROKER_URL, "
                                "e.g. redis://:PASSWORD@127.0.0.1:6379/0 (README: Scaling out)")
    return url


def celery_broker_given() -> bool:
    """Whether AIRFLOW__CELERY__BROKER_URL is set (else `make airflow` starts its own Redis)."""
    return bool((os.environ.get("AIRFLOW__CELERY__BROKER_URL") or "").strip())


def decide(name: str, value: str) -> None:
    """Set a setting this process decides for itself and its children (the executor of `kpi airflow-ui
    --executor`, the URL of the broker it started), in the environment the settings above read."""
    os.environ[name] = value


def celery_result_backend() -> str | None:
    """AIRFLOW__CELERY__RESULT_BACKEND: where Celery keeps task results; unset, Airflow uses the
    metadata database (`db+` its URL)."""
    return (os.environ.get("AIRFLOW__CELERY__RESULT_BACKEND") or "").strip() or None


def _positive_int(variable: str, default: int, what: str) -> int:
    text = (os.environ.get(variable) or "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise errors.InputError(f"{variable} must be a whole number of {what} (1 or more), got {text!r}")
    return int(text)


def celery_worker_concurrency() -> int:
    """AIRFLOW__CELERY__WORKER_CONCURRENCY: tasks one worker runs at once, default 2 (Celery's 16 would
    start 16 heavy processes: a dbt build, Airflow's task runner and the DAG parsed again each)."""
    return _positive_int("AIRFLOW__CELERY__WORKER_CONCURRENCY", DEFAULT_CELERY_CONCURRENCY, "tasks")


def celery_visibility_timeout() -> int:
    """AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT: seconds before Redis hands an
    unacknowledged task message to another worker; must exceed the longest task (see above)."""
    return _positive_int("AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT",
                         DEFAULT_CELERY_VISIBILITY_TIMEOUT, "seconds")


# A task whose worker died (kill -9, a lost host) stops heartbeating; the scheduler fails it and its
# retry runs on a worker still alive. The night must end within 3 min of such a kill: the chain of
# delays these two settings and the DAG's retry_delay add up to, with measured figures, is in the
# README ("When a worker or Redis dies"). Airflow's defaults, 300 s and 10 s, took 5 min for the first
# step alone.
# The heartbeat comes from the task's supervisor every 5 s whatever the task does, so a long dbt build
# is not cut short: 30 s is 6 missed beats, and the longest a healthy task went without one was 5-7 s
# at load 1-6.
DEFAULT_TASK_HEARTBEAT_TIMEOUT = 30
# How often the scheduler looks for such tasks (Airflow's 10 s): one query of the running tasks a look.
DEFAULT_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL = 5


def task_heartbeat_timeout() -> int:
    """AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT: seconds without a heartbeat before the
    scheduler fails a running task (and retries it); every host must have the same value."""
    return _positive_int("AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT", DEFAULT_TASK_HEARTBEAT_TIMEOUT,
                         "seconds")


def heartbeat_timeout_detection_interval() -> int:
    """AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL: how often (seconds) the
    scheduler looks for running tasks past the heartbeat timeout."""
    return _positive_int("AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL",
                         DEFAULT_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL, "seconds")


def hostname_override() -> str | None:
    """KPI_HOSTNAME: the host name Airflow records for the tasks this process runs (its
    hostname_callable), to tell apart two workers on one machine; unset, the machine's name."""
    return (os.environ.get("KPI_HOSTNAME") or "").strip() or None


def task_retries() -> int:
    """KPI_TASK_RETRIES: retries per Airflow task, default 2; `kpi run` sets 0 so that a broken
    night fails at once. With Celery at least 1: a worker that dies fails its task, and only a retry
    lets the night finish without a human."""
    text = (os.environ.get("KPI_TASK_RETRIES") or "").strip() or "2"
    if not text.isdigit():
        raise errors.InputError(f"KPI_TASK_RETRIES must be a whole number of retries, got {text!r}")
    return max(int(text), 1) if uses_celery() else int(text)


def chromium() -> str | None:
    """KPI_CHROMIUM: the headless Chromium that prints the PDFs; None looks for one on PATH."""
    return os.environ.get("KPI_CHROMIUM") or None


def no_color() -> bool:
    """NO_COLOR (no-color.org): set and not empty, the terminal output has no colour."""
    return bool(os.environ.get("NO_COLOR"))


# libpq's environment defaults, used when WAREHOUSE_URL leaves a core parameter out
LIBPQ_DEFAULT_VARS = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "dbname": "PGDATABASE"}


def libpq_default(keyword: str) -> str | None:
    """PGHOST, PGPORT, PGUSER or PGDATABASE (for keyword host, port, user, dbname): what libpq
    would take for a parameter WAREHOUSE_URL omits; None when unset (kpi.connections then applies
    libpq's built-in default: the default socket directory, 5432, the login name, the user)."""
    return os.environ.get(LIBPQ_DEFAULT_VARS[keyword]) or None


def history_from() -> date | None:
    """KPI_HISTORY_FROM: the earliest as-of date a first run (no statuses yet) fills; unset, the first
    day of data. Backfills can still reach further back."""
    text = (os.environ.get("KPI_HISTORY_FROM") or "").strip()
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise errors.InputError(f"KPI_HISTORY_FROM={text!r} is not a date (YYYY-MM-DD)") from None


def embedded_pgdata() -> Path:
    return state_dir() / ".warehouse" / "pgdata"


def warehouse_port() -> int:
    return int(os.environ.get("KPI_WAREHOUSE_PORT") or DEFAULT_WAREHOUSE_PORT)


def warehouse_db() -> str:
    """Database of the embedded warehouse (KPI_WAREHOUSE_DB lets tests keep one database each)."""
    return os.environ.get("KPI_WAREHOUSE_DB") or "kpi"


def uses_embedded_warehouse() -> bool:
    return not os.environ.get("WAREHOUSE_URL")


def warehouse_url() -> str | None:
    """WAREHOUSE_URL: a libpq connection URI (any form libpq takes); None means the embedded server.
    kpi.connections turns it into what psycopg, dbt and Airflow take."""
    return os.environ.get("WAREHOUSE_URL") or None


def embedded_password_file(pgdata: Path | None = None) -> Path:
    """The password of the embedded server's superuser `postgres`, beside its data directory."""
    return (pgdata or embedded_pgdata()).parent / "postgres.password"


def embedded_password(pgdata: Path | None = None) -> str:
    """The embedded superuser's password: generated once (mode 600), then read. Every TCP login to
    the embedded server needs a password, so another user of the machine cannot read `raw`."""
    return _secret_file(embedded_password_file(pgdata))


def write_once(path: Path, text: str) -> str:
    """`text` into `path` unless the file exists: mode 600 from the start and published whole (os.link),
    so a process starting at the same moment reads the first one's content, never a half-written
    file. Returns what the file holds. For every secret this project generates."""
    if not path.exists():
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")  # mode 600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.link(tmp, path)
        except FileExistsError:  # another process was first: its content counts
            pass
        finally:
            os.unlink(tmp)
    return path.read_text()


def _secret_file(path: Path) -> str:
    """A random secret kept in `path`, created once (write_once)."""
    return write_once(path, secrets.token_hex(32) + "\n").strip()


def read_secret_file(path: Path) -> str | None:
    """The secret kept in `path`, without creating it (for masking)."""
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


# Settings that are secrets as a whole, and settings that are URLs whose password (for webhooks, also
# long path segments) is secret; the sources' URL variables (url_env in sources.yml) are URLs too.
# kpi.redact masks the values of all of them in any text shown.
SECRET_SETTINGS = ("KPI_WEBHOOK_TOKEN", "KPI_SMTP_PASSWORD", "KPI_PII_KEY", "KPI_BI_READER_PASSWORD",
                   "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET")
SECRET_URL_SETTINGS = ("WAREHOUSE_URL", "KPI_WEBHOOK_URL", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
                       "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__RESULT_BACKEND")


def secret_settings(source_url_vars: tuple[str, ...] = ()) -> dict[str, str]:
    """The values of SECRET_SETTINGS as set, and of SECRET_URL_SETTINGS and `source_url_vars`
    stripped, by name; unset ones left out."""
    values = {name: os.environ.get(name) or "" for name in SECRET_SETTINGS}
    values |= {name: (os.environ.get(name) or "").strip() for name in (*SECRET_URL_SETTINGS, *source_url_vars)}
    return {name: value for name, value in values.items() if value}


def pii_key_file() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kpi" / "pii.key"


HOST_ROLES = ("main", "worker")
PII_KEY_VARIABLE = "kpi_pii_key"


def host_role() -> str:
    """KPI_HOST_ROLE: `main` (the host whose local commands start the warehouse and may generate
    per-machine secrets) or `worker` (a host that only runs tasks: it must be given every shared
    secret, it never makes its own). Default: `worker` for a task under CeleryExecutor (Airflow's task
    runner sets AIRFLOW_CTX_DAG_ID), which may run on any host; else `main`."""
    value = (os.environ.get("KPI_HOST_ROLE") or "").strip().lower()
    if not value:
        return "worker" if uses_celery() and os.environ.get("AIRFLOW_CTX_DAG_ID") else "main"
    if value not in HOST_ROLES:
        raise errors.InputError(f"KPI_HOST_ROLE must be one of {', '.join(HOST_ROLES)}, got {value!r}")
    return value


class PiiKeyMissing(errors.InputError):
    pass


def _airflow_variable(key: str) -> str | None:
    """Airflow Variable `key` through airflow.sdk: its secrets backends, AIRFLOW_VAR_<KEY>, and in a
    task the metadata database; the value is masked in Airflow's logs. None when it is not set."""
    try:
        from airflow.sdk import Variable
    except ImportError:
        return None
    try:
        return Variable.get(key, default=None) or None
    except Exception:  # no backend reachable is the same as not set: the caller decides
        return None


def pii_key() -> bytes:
    """Secret for petitioner pseudonyms, the same on every host that loads: KPI_PII_KEY, else the
    Airflow Variable kpi_pii_key (a secrets backend can serve it). On the main host without either, a
    key generated once outside the repo (~/.config/kpi/pii.key), so that pseudonyms stay stable
    across clones on one machine; a worker refuses instead: a key of its own would give the same
    person another pseudonym."""
    env = os.environ.get("KPI_PII_KEY")
    if env:
        return env.encode()
    shared = _airflow_variable(PII_KEY_VARIABLE)
    if shared:
        return shared.encode()
    if host_role() == "worker":
        keep = (f"; to keep the pseudonyms made so far, share the key in {pii_key_file()} of the main host"
                if pii_key_file().exists() else "")
        raise PiiKeyMissing(
            "no shared PII key on this worker: set KPI_PII_KEY or the Airflow Variable "
            f"{PII_KEY_VARIABLE} (from a secrets backend) alike on every host{keep}. A worker never "
            "generates one: its pseudonyms would not match the other hosts' (README: State every host shares)")
    return _secret_file(pii_key_file()).encode()


def airflow_secrets_file() -> Path | None:
    """KPI_AIRFLOW_SECRETS_FILE: the file of Airflow's shared secrets on a location every host reaches
    (kpi.airflow_secrets); None: a file in AIRFLOW_HOME, right for one machine only."""
    text = (os.environ.get("KPI_AIRFLOW_SECRETS_FILE") or "").strip()
    return Path(text) if text else None


def settings_given(names) -> dict[str, str]:
    """The environment's values of the settings `names` that are set and not empty."""
    return {name: os.environ[name] for name in names if os.environ.get(name)}


# --- notifications (kpi.notify) ---------------------------------------------------------------
SMTP_SECURITY_MODES = ("auto", "starttls", "ssl", "none")
NOTIFY_ON_MODES = ("alerts", "always")


@dataclass(frozen=True)
class NotifySettings:
    """Where the alerts of a run go. An empty KPI_SMTP_HOST / KPI_WEBHOOK_URL turns that channel off.
    Secrets are kept out of repr() so that logging the settings never shows them."""

    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_user: str
    smtp_password: str = field(repr=False)
    mail_from: str = ""
    mail_to: tuple[str, ...] = ()
    webhook_url: str = field(default="", repr=False)   # webhook URLs often carry a secret in their path
    webhook_token: str = field(default="", repr=False)
    report_base_url: str = ""
    notify_on: str = "alerts"

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)


def notify_settings() -> NotifySettings:
    """Read and check the notification settings (called when a notification is sent, never at DAG
    parse time); a wrong value raises ValueError naming the variable."""
    host = (os.environ.get("KPI_SMTP_HOST") or "").strip()
    security = (os.environ.get("KPI_SMTP_SECURITY") or "auto").strip().lower()
    if security not in SMTP_SECURITY_MODES:
        raise errors.InputError(f"KPI_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}, got {security!r}")
    port_text = (os.environ.get("KPI_SMTP_PORT") or "").strip()
    try:
        port = int(port_text) if port_text else (465 if security == "ssl" else 587)
    except ValueError:
        raise errors.InputError(f"KPI_SMTP_PORT must be a port number, got {port_text!r}") from None
    user = (os.environ.get("KPI_SMTP_USER") or "").strip()
    to = tuple(a.strip() for a in re.split(r"[,;\s]+", os.environ.get("KPI_ALERT_EMAIL_TO") or "") if a.strip())
    if host and not to:
        raise errors.InputError("KPI_SMTP_HOST is set but KPI_ALERT_EMAIL_TO is empty: whom should the alerts go to?")
    sender = (os.environ.get("KPI_ALERT_EMAIL_FROM") or "").strip() or (user if "@" in user else "")
    if host and not sender:
        raise errors.InputError("KPI_ALERT_EMAIL_FROM is empty (and KPI_SMTP_USER is not an address to send from)")
    notify_on = (os.environ.get("KPI_NOTIFY_ON") or "alerts").strip().lower()
    if notify_on not in NOTIFY_ON_MODES:
        raise errors.InputError(f"KPI_NOTIFY_ON must be one of {', '.join(NOTIFY_ON_MODES)}, got {notify_on!r}")
    webhook = (os.environ.get("KPI_WEBHOOK_URL") or "").strip()
    if webhook and urlsplit(webhook).scheme.lower() not in ("http", "https"):
        raise errors.InputError("KPI_WEBHOOK_URL must start with http:// or https://")
    return NotifySettings(
        smtp_host=host, smtp_port=port, smtp_security=security, smtp_user=user,
        smtp_password=os.environ.get("KPI_SMTP_PASSWORD") or "",
        mail_from=sender, mail_to=to,
        webhook_url=webhook, webhook_token=(os.environ.get("KPI_WEBHOOK_TOKEN") or "").strip(),
        report_base_url=(os.environ.get("KPI_REPORT_BASE_URL") or "").strip(),
        notify_on=notify_on,
    )


# --- operations: BI access and the local Airflow UI --------------------------------------------

DEFAULT_AIRFLOW_PORT = 8080


def bi_reader_password() -> str | None:
    """Password of the read-only role bi_reader (KPI_BI_READER_PASSWORD). Set: `kpi up` and every
    run make bi_reader a login with it. Unset: bi_reader keeps what it has (a new role cannot log in;
    `kpi bi-password` sets one without putting it in the environment)."""
    return os.environ.get("KPI_BI_READER_PASSWORD") or None


def airflow_port() -> int:
    """Port of the Airflow UI and API started by `kpi airflow-ui` / `make airflow`."""
    return int(os.environ.get("KPI_AIRFLOW_PORT") or DEFAULT_AIRFLOW_PORT)


# --- departments' explanations (S7 落後說明) -----------------------------------------------------
DEFAULT_EXPLANATION_DUE_DAYS = 10


def explanation_due_days() -> int:
    """KPI_EXPLANATION_DUE_DAYS: working days (office calendar) a unit has to explain a flag before
    the alert 未提出落後說明. dbt reads the same variable (models/marts/fct_kpi_flags.sql, same default)."""
    text = (os.environ.get("KPI_EXPLANATION_DUE_DAYS") or "").strip()
    if not text:
        return DEFAULT_EXPLANATION_DUE_DAYS
    if not text.isdigit():
        raise errors.InputError(f"KPI_EXPLANATION_DUE_DAYS must be a whole number of working days, got {text!r}")
    return int(text)


def explanation_templates_dir(as_of: date) -> Path:
    """Where `kpi explain-template --as-of D` writes the departments' templates."""
    return reports_dir() / "explanations" / as_of.isoformat()


# --- the load engine's two paths (kpi.loaders.reference) -----------------------------------------
LOADER_PATHS = ("fast", "reference")


def loader_path() -> str:
    """KPI_LOADER_PATH: `fast` (default: Arrow's CSV reader, binary COPY) or `reference` (the stdlib
    csv module, text COPY row by row: the plain path the fast one is checked against)."""
    value = (os.environ.get("KPI_LOADER_PATH") or "").strip().lower() or LOADER_PATHS[0]
    if value not in LOADER_PATHS:
        raise errors.InputError(f"KPI_LOADER_PATH must be one of {', '.join(LOADER_PATHS)}, got {value!r}")
    return value
