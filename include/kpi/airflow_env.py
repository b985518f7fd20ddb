"""The Airflow installation the project runs its DAG in: AIRFLOW_HOME under the state dir, the DAGs
folder of the checkout, the metadata database in the embedded PostgreSQL (its own database), and the
warehouse as the connection kpi_warehouse (an environment variable, so no secret is serialized)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kpi import airflow_secrets, config, connections, errors, shared_storage, warehouse


def airflow_home() -> Path:
    """The installation's home (the setting: config.airflow_home)."""
    return config.airflow_home()


def _embedded_metadata_url() -> str:
    return connections.sqlalchemy_url({"host": "127.0.0.1", "port": str(config.warehouse_port()), "user": "postgres",
                                       "password": config.embedded_password(), "dbname": config.AIRFLOW_DB})


def metadata_url() -> str:
    explicit = config.airflow_metadata_url()
    if explicit:
        return explicit
    if config.uses_embedded_warehouse():
        return _embedded_metadata_url()
    return f"sqlite:///{airflow_home() / 'airflow.db'}"


def _metadata_is_embedded() -> bool:
    return config.uses_embedded_warehouse() and metadata_url() == _embedded_metadata_url()


def async_metadata_url() -> str:
    url = metadata_url()
    if url.startswith("sqlite:///"):
        return url.replace("sqlite:///", "sqlite+aiosqlite:///", 1)
    return url.replace("postgresql+psycopg2://", "postgresql+psycopg://", 1)


def env() -> dict[str, str]:
    home = airflow_home()
    return config.child_env({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(config.project_root() / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Taipei",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url(),
        # psycopg 3 serves Airflow's async engine too (no asyncpg needed)
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": async_metadata_url(),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        # read by the scheduler (when to fail a silent task) and by each task's supervisor (how often to beat)
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(config.task_heartbeat_timeout()),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL":
            str(config.heartbeat_timeout_detection_interval()),
        # no phoning home from a closed network (each would wait on a DNS failure)
        "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
        "SCARF_ANALYTICS": "false",
        "DO_NOT_TRACK": "1",
        "KPI_PROJECT_DIR": str(config.project_root()),
        "KPI_STATE_DIR": str(config.state_dir()),
        **({"AIRFLOW__CORE__HOSTNAME_CALLABLE": "kpi.airflow_env.hostname"} if config.hostname_override() else {}),
        # the warehouse as the Airflow connection kpi_warehouse, which the dbt tasks read when they run
        **connections.airflow_conn_env(),
        # fernet_key, secret_key, jwt_secret, and the task logs: the same on every host
        **airflow_secrets.env(), **shared_storage.airflow_logging_env(),
    }, path_first=Path(sys.executable).parent)


def services_env(api_port: int) -> dict[str, str]:
    """env() for Airflow's long-running parts (api-server, scheduler, ...) on this machine, with the
    API server on `api_port`: tasks the scheduler starts report to its execution API, so that URL must
    follow the port (`airflow dags test` runs tasks in-process and needs neither)."""
    return {
        **env(),
        **executor_env(),
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
    }


def executor_env() -> dict[str, str]:
    """The executor's settings (config.airflow_executor): LocalExecutor runs the tasks as processes
    of the scheduler; CeleryExecutor queues them in the broker for `airflow celery worker`s, on this
    machine or others. The broker URL (a secret: config.SECRET_URL_SETTINGS) goes by the environment,
    never into a file or the DAG."""
    executor = config.airflow_executor()
    if executor != "CeleryExecutor":
        return {"AIRFLOW__CORE__EXECUTOR": executor}
    return {
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__CELERY__BROKER_URL": config.celery_broker_url(),
        # unset, Celery's results go to the metadata database (`db+` its URL), which every host reaches
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(config.celery_worker_concurrency()),
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": str(config.celery_visibility_timeout()),
    }


def worker_env() -> dict[str, str]:
    """The settings of one `kpi worker` (README: Scaling out): the broker, the execution API of the
    main host, and a result backend every host reaches. Checked before the worker starts, as a worker
    that cannot report would take tasks and lose them. Starts nothing here: a worker never runs a
    warehouse of its own."""
    if not config.uses_celery():
        raise errors.InputError("kpi worker needs AIRFLOW__CORE__EXECUTOR=CeleryExecutor (README: Scaling out)")
    settings = {**env(), **executor_env()}
    if not config.celery_result_backend() and not config.airflow_metadata_url():
        if not config.uses_embedded_warehouse() or not warehouse.embedded_running():
            raise errors.InputError(
                "kpi worker needs the main host's metadata database: set AIRFLOW__DATABASE__SQL_ALCHEMY_CONN "
                "(or AIRFLOW__CELERY__RESULT_BACKEND) as on the scheduler's host (README: Scaling out)")
    settings.setdefault("AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
                        f"http://127.0.0.1:{config.airflow_port()}/execution/")
    return settings


def worker_args(node: str, concurrency: int | None = None) -> list[str]:
    """`airflow celery worker`'s arguments for one worker of ours: its Celery node name (`node`@host,
    unique on the broker), its pid file in AIRFLOW_HOME, its concurrency."""
    return ["celery", "worker", "--concurrency", str(concurrency or config.celery_worker_concurrency()),
            "--celery-hostname", f"{node}@%h", "--pid", str(airflow_home() / f"{node}.pid")]


def worker_command(concurrency: int | None = None, name: str | None = None) -> list[str]:
    """`kpi worker`: named kpi-worker-<name>, beside make airflow's kpi-<n> on the same machine."""
    import socket

    number = name or config.hostname_override() or socket.gethostname()
    return [str(Path(sys.executable).with_name("airflow")), *worker_args(f"kpi-worker-{number}", concurrency)]


def hostname() -> str:
    """Airflow's [core] hostname_callable when KPI_HOSTNAME is set (env()): the name recorded on the
    task instances a worker runs, so that two workers on one machine are told apart."""
    import socket

    return config.hostname_override() or socket.getfqdn()


def airflow(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("airflow")), *args], env=env(), **kwargs)


def _metadata_migrated() -> bool:
    if not _metadata_is_embedded():
        return False  # elsewhere `airflow db migrate` decides; it is a no-op when up to date
    with warehouse.connect(dbname=config.AIRFLOW_DB) as conn:
        return bool(conn.execute("select to_regclass('public.alembic_version') is not null").fetchone()[0])


def ensure_metadata_db() -> None:
    """Create and migrate Airflow's metadata database once."""
    airflow_home().mkdir(parents=True, exist_ok=True)
    if _metadata_is_embedded():
        warehouse.ensure_database(config.AIRFLOW_DB)
    if _metadata_migrated():
        return
    res = airflow("db", "migrate", capture_output=True, text=True)
    if res.returncode != 0:
        raise errors.StepFailed(f"airflow db migrate failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
