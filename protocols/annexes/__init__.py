"""The registry of the nine annexes (SPEC §2): one module each, listed here once."""

from ..schedule import Annex
from .base import AnnexDef

# Filled by the annex modules (a_parent_interview.py, b_free_activity.py, ...): each
# defines ANNEX = AnnexDef(...) and is imported below.
REGISTRY: dict[Annex, AnnexDef] = {}


def get(code: str) -> AnnexDef:
    return REGISTRY[Annex(code)]


def all_annexes() -> list[AnnexDef]:
    """In Kazakh alphabet order: А Б В Г Д Е Ж И К."""
    return sorted(REGISTRY.values(), key=lambda a: a.code)
