#!/usr/bin/env bash
# Apache Superset 6.1 on the embedded warehouse, as a BI engineer would point it there (not part of
# `make test`): installs Superset in its own venv with the pins of bench/superset-requirements.txt,
# imports the dashboard bundle bi/superset/kpi_dashboard, points its database at the warehouse as
# bi_reader, renders every chart through Superset's API (/api/v1/chart/<id>/data/) and fails on any
# error. Superset keeps its metadata in SQLite and listens on 127.0.0.1 only.
#
#   bench/bi_superset.sh                       # install, import, render every chart, stop Superset
#   bench/bi_superset.sh --keep-running        # ... and leave Superset up to look at the dashboard
#   bench/bi_superset.sh --screenshot FILE.png # ... and photograph the dashboard (headless Chromium)
#
# Needs the warehouse running with a night's results (`make run`). bi_reader's password: taken from
# KPI_BI_READER_PASSWORD; when unset, one is generated once, kept in $SUPERSET_HOME/bi_reader_password
# (mode 600) and set with `kpi bi-password`.
# Settings: SUPERSET_HOME (default $KPI_STATE_DIR/.superset, else .superset in the project),
# SUPERSET_PORT (8088), KPI_WAREHOUSE_PORT (54329), PYTHON (python3.11).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUPERSET_HOME=${SUPERSET_HOME:-${KPI_STATE_DIR:-$ROOT}/.superset}
SUPERSET_PORT=${SUPERSET_PORT:-8088}
PYTHON=${PYTHON:-python3.11}
KPI=${KPI:-$ROOT/.venv/bin/kpi}
VENV=$SUPERSET_HOME/venv
KEEP=0
SCREENSHOT=""
while [ $# -gt 0 ]; do
    case $1 in
        --keep-running) KEEP=1 ;;
        --screenshot) SCREENSHOT=$(realpath -m "$2"); shift ;;
        *) echo "bi_superset.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

mkdir -p "$SUPERSET_HOME"
chmod 700 "$SUPERSET_HOME"
started=$(date +%s)

# 1. Superset in its own venv, exactly the pins that work (a changed pin list reinstalls)
pins=$ROOT/bench/superset-requirements.txt
if ! cmp -s "$pins" "$VENV/.pins" 2>/dev/null; then
    echo "installing Superset into $VENV (a few minutes the first time)"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r "$pins"
    "$VENV/bin/python" -m pip check
    cp "$pins" "$VENV/.pins"
fi

# 2. its configuration: SQLite metadata, loopback, a secret key and an admin password made once
for secret in secret_key admin_password; do
    [ -s "$SUPERSET_HOME/$secret" ] || (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$SUPERSET_HOME/$secret")
done
cat > "$SUPERSET_HOME/superset_config.py" <<EOF
# written by bench/bi_superset.sh
from pathlib import Path
SECRET_KEY = Path("$SUPERSET_HOME/secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = "sqlite:///$SUPERSET_HOME/superset.db"
# one person's instance on 127.0.0.1: no CSRF tokens for the API calls of this script
WTF_CSRF_ENABLED = False
TALISMAN_ENABLED = False
SUPERSET_WEBSERVER_PORT = $SUPERSET_PORT
BABEL_DEFAULT_LOCALE = "zh_TW"
EOF
export SUPERSET_CONFIG_PATH=$SUPERSET_HOME/superset_config.py FLASK_APP=superset SUPERSET_HOME
"$VENV/bin/superset" db upgrade >"$SUPERSET_HOME/upgrade.log" 2>&1 || { tail -30 "$SUPERSET_HOME/upgrade.log"; exit 1; }
"$VENV/bin/superset" fab create-admin --username admin --firstname KPI --lastname Admin \
    --email admin@localhost --password "$(cat "$SUPERSET_HOME/admin_password")" >/dev/null 2>&1 || true
"$VENV/bin/superset" init >"$SUPERSET_HOME/init.log" 2>&1 || { tail -30 "$SUPERSET_HOME/init.log"; exit 1; }

# 3. bi_reader's password
if [ -n "${KPI_BI_READER_PASSWORD:-}" ]; then
    BI_PASSWORD=$KPI_BI_READER_PASSWORD
else
    if [ ! -s "$SUPERSET_HOME/bi_reader_password" ]; then
        (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))' > "$SUPERSET_HOME/bi_reader_password")
    fi
    BI_PASSWORD=$(cat "$SUPERSET_HOME/bi_reader_password")
    "$KPI" bi-password < "$SUPERSET_HOME/bi_reader_password" >/dev/null
fi

# 4. Superset on 127.0.0.1 until this script ends (unless --keep-running)
"$VENV/bin/superset" run -h 127.0.0.1 -p "$SUPERSET_PORT" --with-threads >"$SUPERSET_HOME/server.log" 2>&1 &
SERVER=$!
echo "$SERVER" > "$SUPERSET_HOME/server.pid"
stop() { if [ "$KEEP" = 0 ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi; }
trap stop EXIT

# 5. import, point at the warehouse, render every chart (and photograph the dashboard)
BI_PASSWORD=$BI_PASSWORD SUPERSET_URL=http://127.0.0.1:$SUPERSET_PORT \
ADMIN_PASSWORD=$(cat "$SUPERSET_HOME/admin_password") STARTED=$started SCREENSHOT=$SCREENSHOT \
    "$VENV/bin/python" "$ROOT/bench/bi_superset.py" "$ROOT/bi/superset/kpi_dashboard"

if [ "$KEEP" = 1 ]; then
    echo "Superset keeps running (pid $SERVER): http://127.0.0.1:$SUPERSET_PORT/superset/dashboard/kpi-status/"
    echo "  log in as admin, password in $SUPERSET_HOME/admin_password; stop it with: kill $SERVER"
fi
