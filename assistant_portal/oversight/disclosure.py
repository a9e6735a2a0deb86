"""Small-count suppression for figures shown outside a school (SPEC §7, oversight).

A count of 1–4 pupils can point at a child in a small school, so it is shown as "< 5". Zero
is shown: it points at nobody, and "nothing happened" is what a district needs to see.

Suppressing the small cell alone is not enough when a total of the same figures is shown as
well: total − the other cells gives it back. So the table is described by *groups* — the
cells of a line together with the line's total — and whenever a group has exactly one hidden
cell, the smallest other cell of that group is hidden too (complementary suppression). This
repeats until no group has a lone hidden cell. Pure functions: no database.
"""

from collections.abc import Hashable, Iterable, Mapping

from django.utils.translation import gettext as _

THRESHOLD = 5


def is_small(value: int | None) -> bool:
    return value is not None and 0 < value < THRESHOLD


def suppress[Cell: Hashable](
    values: Mapping[Cell, int], groups: Iterable[Iterable[Cell]]
) -> set[Cell]:
    """The cells to hide: every small count, and complements so that no group (cells whose
    sum is known from a shown total — the total is a member of its group) has exactly one
    hidden cell."""
    hidden = {cell for cell, value in values.items() if is_small(value)}
    present = [[c for c in group if c in values] for group in groups]
    changed = True
    while changed:
        changed = False
        for group in present:
            inside = [c for c in group if c in hidden]
            if len(inside) != 1:
                continue
            rest = [c for c in group if c not in hidden]
            if not rest:
                continue
            # The smallest other figure: the least information lost. Zeros first too — a
            # hidden zero is as good a complement as any, since the reader cannot tell.
            hidden.add(min(rest, key=lambda c: (values[c], str(c))))
            changed = True
    return hidden


def shown(value: int | None, hidden: bool) -> str:
    """How a count is printed: "< 5" when hidden."""
    if value is None:
        return "—"
    return _("< 5") if hidden else str(value)
