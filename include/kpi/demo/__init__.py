"""Synthetic demo data: a realistic landing directory for all six sources of docs/sources.md (Keelung)."""
from .landing import write_landing

__all__ = ["write_landing"]
