"""The project's errors under one base class, so that `kpi` tells an operator's problem (one line on
stderr, exit 2) from a bug (a traceback).

Each class also derives from the built-in error it replaces, so `except ValueError` and
`except RuntimeError` around project code keep working.
"""
from __future__ import annotations


class KpiError(Exception):
    """Something an operator can act on; the message says what, where and why."""


class InputError(KpiError, ValueError):
    """An argument, a setting or a file the project cannot use."""


class StepFailed(KpiError, RuntimeError):
    """A step (a server, a tool, the lock, a report) did not do its job."""
