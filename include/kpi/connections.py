"""The warehouse connection in one place: what WAREHOUSE_URL (or the embedded server) says, in the
forms psycopg, dbt and Airflow take.

- `warehouse_params()`: libpq keywords (host, port, user, password, dbname, sslmode, options, ...),
  parsed by libpq's own rules (psycopg's conninfo_to_dict), so every URI form libpq accepts works:
  `postgresql://u:p@db:5432/kpi?sslmode=verify-full`, a Unix socket as
  `postgresql://u@/kpi?host=/var/run/postgresql` or `postgresql:///kpi`. psycopg takes them as is.
- Airflow: the connection `kpi_warehouse` (CONN_ID). `kpi` defines it for the Airflow it runs as the
  environment variable AIRFLOW_CONN_KPI_WAREHOUSE (`airflow_conn_env()`), docker-compose.yml for the
  team server; environment variables never reach the serialized DAG. Parameters beyond host, port,
  user, password and database travel in the connection's extra.
- dbt: dbt_project/profiles.yml reads KPI_PG_* and libpq reads PG* for the other parameters
  (`dbt_env()`). Inside Airflow, dbt's environment is made from the connection at run time
  (`airflow_dbt_env()`, which the task dbt_build passes to its dbt: kpi.pipeline.dbt_build).
"""
from __future__ import annotations

import getpass
import json
import os
from functools import lru_cache

from kpi import config, errors

CONN_ID = "kpi_warehouse"
CONN_ENV = "AIRFLOW_CONN_" + CONN_ID.upper()
# Where libpq looks for a server's socket when no host is given: the compiled-in default of the
# libpq in the psycopg and psycopg2 wheels, and of Debian's packages.
DEFAULT_SOCKET_DIR = "/var/run/postgresql"
CORE = ("host", "port", "user", "password", "dbname")
# libpq parameters dbt-postgres takes in its profile (profiles.yml reads them from KPI_PG_*); libpq
# reads every other parameter from its PG* environment variable when dbt does not pass it.
DBT_PROFILE_PARAMS = {"connect_timeout": "10", "keepalives_idle": "0", "application_name": "dbt"}


class ConnectionSettingError(errors.InputError):
    """WAREHOUSE_URL (or the Airflow connection) cannot be used; the message says why."""


@lru_cache(maxsize=1)
def libpq_env_vars() -> dict[str, str | None]:
    """libpq's own table of connection keywords and their environment variables (None: has none)."""
    from psycopg import pq

    return {o.keyword.decode(): o.envvar.decode() if o.envvar else None for o in pq.Conninfo.get_defaults()}


def system_user() -> str:
    """The login name libpq (and peer authentication) sees: the effective user's, not $USER."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return getpass.getuser()


def parse_url(url: str, what: str = "WAREHOUSE_URL") -> dict[str, str]:
    """The libpq parameters of a postgresql:// URI, completed and checked (see `complete`)."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0].lower() not in ("postgresql", "postgres"):
        raise ConnectionSettingError(f"{what} must be a postgresql:// URL, got {scheme + sep if sep else 'no URL'}")
    url = f"postgresql://{rest}"  # postgresql+psycopg:// (SQLAlchemy's spelling) means the same server
    try:
        params = conninfo_to_dict(url)
    except ProgrammingError:
        from kpi import redact

        # libpq quotes the URL, or the part it stumbled on: say it again without the password
        shown = redact.mask_url(url)
        try:
            conninfo_to_dict(shown)
            reason = "the password is not valid percent-encoding"
        except ProgrammingError as exc:
            reason = str(exc).strip()
        raise ConnectionSettingError(f"{what} is not a valid PostgreSQL URL: {reason}") from None
    return complete({k: str(v) for k, v in params.items()}, what)


def complete(params: dict[str, str], what: str = "WAREHOUSE_URL") -> dict[str, str]:
    """Fill in what libpq would take by default (PGHOST / the default socket directory, PGPORT /
    5432, PGUSER / the login name, PGDATABASE / the user), so that psycopg, dbt and Airflow reach the
    same server; refuse what one of them could not carry, naming the parameter."""
    known = libpq_env_vars()
    for key in params:
        if key not in known:
            raise ConnectionSettingError(f"{what}: {key!r} is not a libpq connection parameter")
        if key == "service":
            raise ConnectionSettingError(
                f"{what}: service={params[key]} (pg_service.conf) is not supported: dbt and Airflow need the host, "
                "port, user and database in the URL itself")
        if key not in CORE and key not in DBT_PROFILE_PARAMS and known[key] is None:
            raise ConnectionSettingError(
                f"{what}: the parameter {key} cannot be passed on to dbt (no dbt profile field and no libpq "
                "environment variable); remove it from the URL")
    out = {k: v for k, v in params.items() if v != ""}
    for key, several in (("host", "hosts"), ("port", "ports"), ("hostaddr", "addresses")):
        if "," in out.get(key, ""):
            raise ConnectionSettingError(
                f"{what} lists several {several} ({out[key]}): dbt and Airflow connect to one; give one")
    out.setdefault("host", config.libpq_default("host") or DEFAULT_SOCKET_DIR)
    out.setdefault("port", config.libpq_default("port") or "5432")
    out.setdefault("user", config.libpq_default("user") or system_user())
    out.setdefault("dbname", config.libpq_default("dbname") or out["user"])
    if not out["port"].isdigit():
        raise ConnectionSettingError(f"{what}: the port must be a number, got {out['port']!r}")
    return out


def warehouse_params(dbname: str | None = None) -> dict[str, str]:
    """libpq parameters of the warehouse (keyword arguments of psycopg.connect): WAREHOUSE_URL, else
    the embedded server on 127.0.0.1 as its superuser, with the generated password."""
    url = config.warehouse_url()
    if url:
        params = parse_url(url)
    else:
        params = {"host": "127.0.0.1", "port": str(config.warehouse_port()), "user": "postgres",
                  "password": config.embedded_password(), "dbname": config.warehouse_db()}
    if dbname:
        params["dbname"] = dbname
    return params


def is_socket(params: dict[str, str]) -> bool:
    return params["host"].startswith("/") or params["host"].startswith("@")


def describe(params: dict[str, str]) -> str:
    """Where the parameters lead, for messages (never the password): host:port/db, or the socket."""
    host, port, db = params["host"], params["port"], params["dbname"]
    if is_socket(params):
        return f"{host}/.s.PGSQL.{port} (Unix socket)/{db}"
    return f"[{host}]:{port}/{db}" if ":" in host else f"{host}:{port}/{db}"


def sqlalchemy_url(params: dict[str, str], driver: str = "psycopg") -> str:
    """The same connection as a SQLAlchemy URL (Airflow's metadata database); a socket directory and
    the other parameters go into the query string, as SQLAlchemy hands them to libpq."""
    from sqlalchemy.engine import URL

    query = {k: v for k, v in params.items() if k not in CORE}
    host, port = params["host"], int(params["port"])
    if is_socket(params):
        query.update(host=host, port=params["port"])
        host = port = None
    return URL.create(f"postgresql+{driver}", username=params["user"], password=params.get("password") or None,
                      host=host, port=port, database=params["dbname"],
                      query=query).render_as_string(hide_password=False)


# --- Airflow --------------------------------------------------------------------------------------
def airflow_connection(params: dict[str, str]) -> dict:
    """The parameters as an Airflow connection (the JSON form of AIRFLOW_CONN_<ID>)."""
    return {
        "conn_type": "postgres",
        "host": params["host"],
        "port": int(params["port"]),
        "login": params["user"],
        "password": params.get("password") or None,
        "schema": params["dbname"],   # Airflow's name for a Postgres connection's database
        "extra": {k: v for k, v in params.items() if k not in CORE},
    }


def airflow_conn_env() -> dict[str, str]:
    """AIRFLOW_CONN_KPI_WAREHOUSE for the Airflow processes `kpi` starts (environment only: it is
    read when a task runs, and is in no serialized DAG)."""
    return {CONN_ENV: json.dumps(airflow_connection(warehouse_params()))}


def params_from_airflow(conn) -> dict[str, str]:
    """libpq parameters of an Airflow connection (an object with host, port, login, password, schema
    and extra_dejson), however it was defined: JSON, a URI (a socket comes as extra host) or the UI.
    Extras that are not libpq parameters (Airflow's own, e.g. cursor) are left out."""
    extra = dict(conn.extra_dejson or {})
    known = libpq_env_vars()
    params = {k: str(v) for k, v in extra.items() if k in known and k not in CORE and v not in (None, "")}
    for key, value in (("host", conn.host or extra.get("host")), ("port", conn.port or extra.get("port")),
                       ("user", conn.login or extra.get("user")), ("password", conn.password),
                       ("dbname", conn.schema or extra.get("dbname"))):
        if value not in (None, ""):
            params[key] = str(value)
    return complete(params, f"Airflow connection {conn.conn_id!r}")


def airflow_params(conn_id: str = CONN_ID) -> dict[str, str]:
    """The warehouse's libpq parameters from the Airflow connection, at run time (inside a task)."""
    from airflow.sdk.bases.hook import BaseHook

    return params_from_airflow(BaseHook.get_connection(conn_id))


# --- dbt ----------------------------------------------------------------------------------------
def dbt_env(params: dict[str, str]) -> dict[str, str]:
    """Environment of a dbt run against `params`: KPI_PG_* for dbt_project/profiles.yml, and each
    further libpq parameter (sslmode, options, ...) as libpq's own PG* variable."""
    env = {
        "KPI_PG_HOST": params["host"],
        "KPI_PG_PORT": params["port"],
        "KPI_PG_USER": params["user"],
        "KPI_PG_PASSWORD": params.get("password") or "",
        "KPI_PG_DBNAME": params["dbname"],
    }
    variables = libpq_env_vars()
    for key, value in params.items():
        if key in CORE:
            continue
        if key in DBT_PROFILE_PARAMS:
            env[f"KPI_PG_{key.upper()}"] = value
        else:
            env[variables[key]] = value
    return env


def airflow_dbt_env(conn_id: str = CONN_ID) -> dict[str, str]:
    """dbt's environment from the Airflow connection, resolved when a task runs: what an Airflow
    task invoking dbt itself passes to it (kpi.dbt_render.dbt(..., env=...))."""
    return dbt_env(airflow_params(conn_id))
