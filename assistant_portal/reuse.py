"""Access querysets built once per user and day, then cloned for every use (DECISIONS PC10).

An access rule's queryset (a union of role branches, subqueries, select_related) costs 0.3 to
1.5 ms of Python to build on every request, for a statement that depends only on who asks and
on the day. It is kept per process for each rule, user, role set and day; the rows are read
afresh every time (a clone never shares its result cache), so an assignment ending, a guardian
added or a pupil archived changes what the very next request sees.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import suppress

from django.core.exceptions import EmptyResultSet
from django.db.models import Model, QuerySet
from django.utils import timezone

from assistant_portal.accounts.models import User
from assistant_portal.accounts.roles import roles_of

_BUILT: OrderedDict[Hashable, QuerySet] = OrderedDict()
# ~18 KB each (measured): 512 keep ~9 MB, the day's users of a worker with a handful of rules each.
_BUILT_MAX = 512
_lock = threading.Lock()


def built_once[M: Model](
    name: str, user: User, build: Callable[[], QuerySet[M]], *args: Hashable
) -> QuerySet[M]:
    """`build()`, or a clone of what it gave for the same rule `name`, user, roles, day and
    `args` (whatever else the rule reads must be among `args`)."""
    key = (name, user.pk, roles_of(user).fingerprint, timezone.localdate(), *args)
    with _lock:
        built = _BUILT.get(key)
        if built is not None:
            _BUILT.move_to_end(key)
    if built is None:
        built = build()
        # Compiled once before it is shared: the subqueries inside are then set up, and clones
        # compiling them (in other threads too) only read them.
        with suppress(EmptyResultSet):  # a rule that sees nothing has no statement
            built.query.get_compiler(built.db).as_sql()
        with _lock:
            _BUILT[key] = built
            if len(_BUILT) > _BUILT_MAX:
                _BUILT.popitem(last=False)
    return built.all()
