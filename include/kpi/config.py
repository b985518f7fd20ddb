"""Runtime settings, read from the environment with defaults that work out of the box.

Every path and URL the pipeline uses is resolved here, so the CLI, the DAG and the tests agree on
them. Reading settings never touches the network or the database (DAG files call into this at parse
time).
"""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

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


def landing_dir() -> Path:
    return Path(os.environ.get("KPI_LANDING_DIR") or state_dir() / "data" / "landing").resolve()


def reports_dir() -> Path:
    return Path(os.environ.get("KPI_REPORTS_DIR") or state_dir() / "reports").resolve()


def published_dir(as_of: date) -> Path:
    """Where the night of `as_of` publishes: status files, report.html, dbt-docs.html."""
    return reports_dir() / as_of.isoformat()


def dbt_project_dir() -> Path:
    return project_root() / "dbt_project"


def documents_url() -> str:
    return os.environ.get("KPI_DOCUMENTS_URL") or f"sqlite:///{landing_dir() / 'documents' / 'doc_stats.sqlite'}"


def hr_api_url() -> str:
    return os.environ.get("KPI_HR_API_URL") or (landing_dir() / "hr" / "monthly.json").as_uri()


def embedded_pgdata() -> Path:
    return state_dir() / ".warehouse" / "pgdata"


def warehouse_port() -> int:
    return int(os.environ.get("KPI_WAREHOUSE_PORT") or DEFAULT_WAREHOUSE_PORT)


def warehouse_db() -> str:
    """Database of the embedded warehouse (KPI_WAREHOUSE_DB lets tests keep one database each)."""
    return os.environ.get("KPI_WAREHOUSE_DB") or "kpi"


def uses_embedded_warehouse() -> bool:
    return not os.environ.get("WAREHOUSE_URL")


def warehouse_url() -> str:
    """libpq-style URL of the warehouse (postgresql://user:pw@host:port/db)."""
    return os.environ.get("WAREHOUSE_URL") or (
        f"postgresql://postgres@127.0.0.1:{warehouse_port()}/{warehouse_db()}"
    )


@dataclass(frozen=True)
class PgParams:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    def sqlalchemy_url(self, driver: str = "psycopg") -> str:
        from sqlalchemy.engine import URL

        return URL.create(
            f"postgresql+{driver}", username=self.user, password=self.password or None,
            host=self.host, port=self.port, database=self.dbname,
        ).render_as_string(hide_password=False)

    def conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(
            host=self.host, port=self.port, user=self.user,
            password=self.password or None, dbname=self.dbname,
        )


def pg_params(url: str | None = None) -> PgParams:
    parts = urlsplit(url or warehouse_url())
    if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise ValueError(f"WAREHOUSE_URL must be a postgresql:// URL, got {parts.scheme}://")
    return PgParams(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        dbname=(parts.path or "/").lstrip("/") or "postgres",
    )


def dbt_env() -> dict[str, str]:
    """Environment that dbt_project/profiles.yml reads its connection from."""
    p = pg_params()
    return {
        "KPI_PG_HOST": p.host,
        "KPI_PG_PORT": str(p.port),
        "KPI_PG_USER": p.user,
        "KPI_PG_PASSWORD": p.password,
        "KPI_PG_DBNAME": p.dbname,
    }


def pii_key() -> bytes:
    """Secret for petitioner pseudonyms: KPI_PII_KEY, else a key generated once outside the repo
    (~/.config/kpi/pii.key), so that pseudonyms stay stable across clones on the same machine."""
    env = os.environ.get("KPI_PII_KEY")
    if env:
        return env.encode()
    path = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kpi" / "pii.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


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
        raise ValueError(f"KPI_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}, got {security!r}")
    port_text = (os.environ.get("KPI_SMTP_PORT") or "").strip()
    try:
        port = int(port_text) if port_text else (465 if security == "ssl" else 587)
    except ValueError:
        raise ValueError(f"KPI_SMTP_PORT must be a port number, got {port_text!r}") from None
    user = (os.environ.get("KPI_SMTP_USER") or "").strip()
    to = tuple(a.strip() for a in re.split(r"[,;\s]+", os.environ.get("KPI_ALERT_EMAIL_TO") or "") if a.strip())
    if host and not to:
        raise ValueError("KPI_SMTP_HOST is set but KPI_ALERT_EMAIL_TO is empty: whom should the alerts go to?")
    sender = (os.environ.get("KPI_ALERT_EMAIL_FROM") or "").strip() or (user if "@" in user else "")
    if host and not sender:
        raise ValueError("KPI_ALERT_EMAIL_FROM is empty (and KPI_SMTP_USER is not an address to send from)")
    notify_on = (os.environ.get("KPI_NOTIFY_ON") or "alerts").strip().lower()
    if notify_on not in NOTIFY_ON_MODES:
        raise ValueError(f"KPI_NOTIFY_ON must be one of {', '.join(NOTIFY_ON_MODES)}, got {notify_on!r}")
    webhook = (os.environ.get("KPI_WEBHOOK_URL") or "").strip()
    if webhook and urlsplit(webhook).scheme.lower() not in ("http", "https"):
        raise ValueError("KPI_WEBHOOK_URL must start with http:// or https://")
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
