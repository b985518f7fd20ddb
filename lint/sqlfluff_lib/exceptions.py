"""dbt's `exceptions` namespace for `make lint`: the render only has to reach the SQL."""


def raise_compiler_error(message):
    raise RuntimeError(message)
