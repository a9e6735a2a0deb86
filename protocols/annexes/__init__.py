"""The registry of the nine annexes (SPEC §2): one module each, listed here once."""

from ..schedule import Annex
from .base import AnnexDef

# Filled by the annex modules (a_parent_interview.py, b_free_activity.py, ...): each
# defines ANNEX = AnnexDef(...) and is imported below.
REGISTRY: dict[Annex, AnnexDef] = {}


def _register() -> None:
    from . import (
        a_parent_interview,
        b_free_activity,
        d_behaviour_log,
        e_session_plan,
        g_conclusion,
        i_behaviour_correction,
        k_communication_sheet,
        v_class_observation,
        zh_support_programme,
    )

    for module in (
        a_parent_interview,
        b_free_activity,
        v_class_observation,
        g_conclusion,
        d_behaviour_log,
        e_session_plan,
        zh_support_programme,
        i_behaviour_correction,
        k_communication_sheet,
    ):
        REGISTRY[module.ANNEX.code] = module.ANNEX


_register()


def get(code: str) -> AnnexDef:
    return REGISTRY[Annex(code)]


def all_annexes() -> list[AnnexDef]:
    """In Kazakh alphabet order: А Б В Г Д Е Ж И К."""
    return sorted(REGISTRY.values(), key=lambda a: a.code)
