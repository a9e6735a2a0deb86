"""What an annex is: the contract every module in this package fills in.

The shared machinery (listing, saving, status, history, printing, reminders) reads only this,
so a methodologist's change to one form touches one module.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant_portal.annotations import StrOrPromise

from ..schedule import LETTERS, Annex
from .fields import AnnexForm


@dataclass(frozen=True)
class AnnexDef:
    code: Annex
    title: StrOrPromise  # the full title (lazy translation), as in the seed (GLOSSARY §3)
    menu_name: StrOrPromise  # the short name shown after the letter, e.g. «Д · Мінез-құлық журналы»
    form: type[AnnexForm]  # the annex's own fields; validates `Protocol.data`
    # Multi-row parts: name in `data` -> the form of one row (edited as a formset that adds
    # and removes rows without a page reload), e.g. {"incidents": IncidentForm}.
    rows: dict[str, type[AnnexForm]] = field(default_factory=dict)
    # Rows a submitted protocol needs at least, e.g. {"lessons": 1}; drafts may have none.
    min_rows: dict[str, int] = field(default_factory=dict)
    needs_review: bool = False  # Г: submitted -> under review -> approved / returned
    needs_psychologist: bool = False  # И: the school psychologist signs it off
    on_demand: bool = False  # И: no schedule window, opened when needed
    print_template: str = "protocols/print/generic.html"
    # What the page lists for the assistant to cover, ticked from the data typed so far:
    # (data, school) -> [(label, covered)]. Shown beside the form; an unticked item is a
    # warning on submit, never an error (e.g. В: the school's core subjects and PE).
    checklist: Callable[[dict[str, Any], object], list[tuple[StrOrPromise, bool]]] | None = None
    # What an empty window opens with, from the same pupil's earlier protocols of this annex
    # in the year: (window key, {window key: data}) -> data (e.g. Ж carries its goals on).
    initial: Callable[[str, dict[str, dict[str, Any]]], dict[str, Any]] | None = None

    @property
    def letter(self) -> str:
        return LETTERS[self.code]
