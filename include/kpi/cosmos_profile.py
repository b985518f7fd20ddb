"""The dbt profile of the Cosmos tasks: dbt_project/profiles.yml's target, its credentials taken from
the Airflow connection kpi_warehouse when a task runs.

Cosmos' PostgresUserPasswordProfileMapping resolves the connection at run time too, but it needs a
password (a socket with peer authentication has none) and carries only sslmode and keepalives_idle.
This mapping keeps the profile of profiles.yml (environment placeholders only, so the profiles.yml
Cosmos writes and logs holds no secret) and hands dbt the environment kpi.connections.dbt_env makes
from the connection: every libpq parameter, the password as an environment variable of the run.
"""
from __future__ import annotations

from typing import Any

import yaml
from cosmos.config import ProfileConfig
from cosmos.profiles.postgres.user_pass import PostgresUserPasswordProfileMapping

from kpi import config, connections

PROFILE, TARGET = "kpi", "warehouse"


def profiles_yml_target() -> dict[str, Any]:
    profiles = yaml.safe_load((config.dbt_project_dir() / "profiles.yml").read_text())
    return dict(profiles[PROFILE]["outputs"][TARGET])


class WarehouseProfileMapping(PostgresUserPasswordProfileMapping):
    required_fields = ["host", "user", "dbname"]
    secret_fields: list[str] = []

    @property
    def profile(self) -> dict[str, Any]:
        return profiles_yml_target()

    @property
    def mock_profile(self) -> dict[str, Any]:
        return profiles_yml_target()

    @property
    def env_vars(self) -> dict[str, str]:
        return connections.dbt_env(connections.params_from_airflow(self.conn))


def profile_config(conn_id: str = connections.CONN_ID) -> ProfileConfig:
    return ProfileConfig(profile_name=PROFILE, target_name=TARGET,
                         profile_mapping=WarehouseProfileMapping(conn_id=conn_id))
