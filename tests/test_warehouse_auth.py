"""The embedded warehouse asks every TCP login for its password: the superuser's is generated into a
file of mode 600 beside the data, so another user of the machine cannot read `raw`; a data directory
of an older version (which trusted every local login) gets its password at the next start."""
from __future__ import annotations

import stat

import psycopg
import pytest
from conftest import _free_port, server_tmpdir

from kpi import config, warehouse

# pg_hba.conf as initdb --auth-host=trust wrote it, with the bi_reader rule older versions put first
OLD_HBA = """# kpi: bi_reader logs in with its password (kpi bi-password or KPI_BI_READER_PASSWORD)
host    all    bi_reader    127.0.0.1/32    scram-sha-256
host    all    bi_reader    ::1/128         scram-sha-256

local   all             all                                     trust
host    all             all             127.0.0.1/32            trust
host    all             all             ::1/128                 trust
local   replication     all                                     trust
host    replication     all             127.0.0.1/32            trust
host    replication     all             ::1/128                 trust
"""


@pytest.fixture(scope="module")
def server():
    pgdata = server_tmpdir("kpi-test-auth-") / "wh" / "pgdata"
    port = _free_port()
    warehouse.start_embedded(pgdata=pgdata, port=port)
    yield pgdata, port
    warehouse.stop_embedded(pgdata=pgdata)


def _login(port: int, password: str | None, user: str = "postgres") -> str:
    with psycopg.connect(host="127.0.0.1", port=port, user=user, password=password, dbname="postgres",
                         connect_timeout=5) as conn:
        return conn.execute("select current_user").fetchone()[0]


def _assert_password_required(pgdata, port) -> None:
    password = config.embedded_password(pgdata)
    for wrong in (None, "", "postgres", password[:-1]):
        with pytest.raises(psycopg.OperationalError, match="password"):
            _login(port, wrong)
    assert _login(port, password) == "postgres"


def test_the_superuser_needs_the_generated_password(server):
    pgdata, port = server
    path = config.embedded_password_file(pgdata)
    assert path.parent == pgdata.parent and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(config.embedded_password(pgdata)) >= 32
    _assert_password_required(pgdata, port)
    hba = (pgdata / "pg_hba.conf").read_text()
    assert "trust" not in hba.replace("trusts", "")


def test_bi_reader_logs_in_with_its_own_password(server):
    pgdata, port = server
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", password=config.embedded_password(pgdata),
                         dbname="postgres", autocommit=True) as conn:
        conn.execute("drop role if exists bi_reader")
        conn.execute("create role bi_reader nologin")
        warehouse._set_bi_password(conn, "bi pw")
    assert _login(port, "bi pw", "bi_reader") == "bi_reader"
    with pytest.raises(psycopg.OperationalError, match="password"):
        _login(port, config.embedded_password(pgdata), "bi_reader")


def _make_old(pgdata, port) -> None:
    """Turn the data directory into one of the earlier version: no superuser password, trust."""
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", password=config.embedded_password(pgdata),
                         dbname="postgres", autocommit=True) as conn:
        conn.execute("alter role postgres password null")
    (pgdata / "pg_hba.conf").write_text(OLD_HBA)
    assert warehouse._pg_ctl(["reload"], pgdata, warehouse._run_as()).returncode == 0
    config.embedded_password_file(pgdata).unlink()


def test_a_running_warehouse_of_an_older_version_gets_a_password(server):
    pgdata, port = server
    _make_old(pgdata, port)
    assert _login(port, None) == "postgres"  # what older versions allowed anyone on the machine
    warehouse.start_embedded(pgdata=pgdata, port=port)  # `kpi up`, the server already running
    _assert_password_required(pgdata, port)


def test_a_stopped_warehouse_of_an_older_version_gets_a_password(server):
    pgdata, port = server
    _make_old(pgdata, port)
    assert warehouse.stop_embedded(pgdata=pgdata)
    warehouse.start_embedded(pgdata=pgdata, port=port)
    _assert_password_required(pgdata, port)
