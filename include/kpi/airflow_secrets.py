"""The secrets every Airflow host must share: the Fernet key that encrypts connections and variables in
the metadata database, the API server's secret key and the JWT secret its execution API signs task
tokens with. Airflow would generate each into the airflow.cfg of every machine it starts on, and a
worker with other ones cannot decrypt a connection or talk to the API server.

So they come from one place: the environment (Airflow's own variables), else a file every host reaches
(KPI_AIRFLOW_SECRETS_FILE, on the shared location). Only the main host generates that file, once, from
the keys its airflow.cfg already holds (so that the connections encrypted so far stay readable); a
worker without them fails with what to set (config.host_role)."""
from __future__ import annotations

import configparser
import json
import secrets
from pathlib import Path

from kpi import config, errors

# variable: (airflow.cfg section, option)
SHARED = {
    "AIRFLOW__CORE__FERNET_KEY": ("core", "fernet_key"),
    "AIRFLOW__API__SECRET_KEY": ("api", "secret_key"),
    "AIRFLOW__API_AUTH__JWT_SECRET": ("api_auth", "jwt_secret"),
}
FILE_NAME = "kpi-shared-secrets.json"


class SecretsMissing(errors.InputError):
    pass


def secrets_file() -> Path:
    """KPI_AIRFLOW_SECRETS_FILE, else a file in AIRFLOW_HOME (right for one machine only)."""
    return config.airflow_secrets_file() or config.airflow_home() / FILE_NAME


def _from_airflow_cfg() -> dict[str, str]:
    """The keys an airflow.cfg of this host already holds (an installation from before this file)."""
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read(config.airflow_home() / "airflow.cfg", encoding="utf-8")
    except configparser.Error:
        return {}
    return {var: cfg.get(section, option, fallback="").strip() for var, (section, option) in SHARED.items()
            if cfg.get(section, option, fallback="").strip()}


def _generate() -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {"AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32)}


def _create(path: Path) -> None:
    """Write the file once (config.write_once: a host starting at the same moment reads the first one's
    keys, never a half-written file)."""
    config.write_once(path, json.dumps({**_generate(), **_from_airflow_cfg()}, indent=1))


def env() -> dict[str, str]:
    """The three secrets as Airflow's environment variables, for every Airflow process this host
    starts: each from the environment if set there, else from secrets_file(), which only the main host
    creates."""
    given = config.settings_given(SHARED)
    if len(given) == len(SHARED):
        return given
    path = secrets_file()
    if not path.exists():
        if config.host_role() == "worker":
            missing = ", ".join(var for var in SHARED if var not in given)
            raise SecretsMissing(
                f"this worker has no shared Airflow secrets: {path} does not exist and {missing} "
                "is not set. Set KPI_AIRFLOW_SECRETS_FILE to the file the main host wrote (on the shared "
                "location), or those variables alike on every host; a worker never generates them "
                "(README: State every host shares)")
        _create(path)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SecretsMissing(f"cannot read the shared Airflow secrets in {path}: {exc}") from None
    missing = [var for var in SHARED if var not in given and not stored.get(var)]
    if missing:
        raise SecretsMissing(f"{path} lacks {', '.join(missing)}")
    return {**{var: stored[var] for var in SHARED}, **given}
