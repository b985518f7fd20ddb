"""dbt context functions that sqlfluff's jinja templater lacks (`env_var`), so the models render
offline for `make lint` the way dbt renders them with no environment set."""


def env_var(name, default=None):
    return default if default is not None else ""
