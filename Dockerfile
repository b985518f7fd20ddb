# Image of the Airflow services in docker-compose.yml: the official Airflow image, extended as
# "Building the image" (docs/docker-stack/build.html) recommends: the project's exact pins from
# requirements.txt installed together with apache-airflow of the image's own version (so pip can
# neither up- nor downgrade Airflow), then this project (package kpi, console script `kpi`).
#
#   docker compose build            (or: docker build -t keelung-kpi-airflow:3.3.2-python3.11 .)
#
# The Airflow version here must equal the apache-airflow==X pin in requirements.txt
# (tests/test_docker_compose.py checks it).
FROM apache/airflow:3.3.2-python3.11

# Providers that the compose stack uses and requirements.txt (the local, single-process setup)
# does not pin: FAB is the auth manager of the compose stack (as in the official compose file),
# postgres is Airflow's metadata database. Both ship with the image; they are installed here in
# the same pip run as requirements.txt so that pip resolves them against the project's pins
# (these versions resolve together with requirements.txt). The image's celery provider is used
# as shipped.
ARG FAB_PROVIDER_VERSION=3.10.2
ARG POSTGRES_PROVIDER_VERSION=7.1.1

ENV KPI_PROJECT_DIR=/opt/airflow/project

# pip runs as the airflow user (the image refuses pip as root); umask 0002 keeps what is created
# group-writable for group 0, which any AIRFLOW_UID the container runs as belongs to.
USER airflow

COPY --chown=airflow:0 requirements.txt /opt/airflow/project/requirements.txt
RUN umask 0002; \
    pip install --no-cache-dir \
        "apache-airflow==${AIRFLOW_VERSION}" \
        -r /opt/airflow/project/requirements.txt \
        "apache-airflow-providers-fab==${FAB_PROVIDER_VERSION}" \
        "apache-airflow-providers-postgres==${POSTGRES_PROVIDER_VERSION}"

# The project. docker-compose.yml mounts ./dags, ./include and ./dbt_project over these copies so
# that a checkout's changes take effect without a rebuild; the copies make the image usable alone.
# (README* is optional: the wildcard lets the COPY succeed without one.)
COPY --chown=airflow:0 pyproject.toml README* /opt/airflow/project/
COPY --chown=airflow:0 include/ /opt/airflow/project/include/
COPY --chown=airflow:0 dbt_project/ /opt/airflow/project/dbt_project/
COPY --chown=airflow:0 dags/ /opt/airflow/project/dags/
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
ENV KPI_STATE_DIR=/opt/airflow/kpi-state \
    KPI_REPORTS_DIR=/opt/airflow/reports \
    KPI_LANDING_DIR=/opt/airflow/data/landing \
    AIRFLOW__CORE__DEFAULT_TIMEZONE=Asia/Taipei
# `kpi parse` builds dbt's manifest, which `kpi run` counts its dbt nodes from (dbt parse needs no database).
RUN umask 0002; \
    rm -rf /opt/airflow/project/dbt_project/target /opt/airflow/project/dbt_project/logs \
           /opt/airflow/project/dbt_project/dbt_packages; \
    pip install --no-cache-dir --no-deps -e /opt/airflow/project \
    && mkdir -p /opt/airflow/kpi-state /opt/airflow/reports /opt/airflow/data/landing \
    && kpi parse \
    && chmod -R g+rwX /opt/airflow/project /opt/airflow/kpi-state /opt/airflow/reports
