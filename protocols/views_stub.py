"""STUB — replaced by the protocols-core branch (the lead deletes this file at merge).

`protocols:window` and `protocols:edit` are built there; these placeholders only let this branch
reverse the names. They check access like the real views (outsiders 404) and then say
"not implemented yet" (501), so the access sweep still means something.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from students.access import get_pupil_for_user

from .access import get_protocol_for_user


@login_required
def window_not_yet(request, pupil_id, annex, window_key):
    get_pupil_for_user(request.user, pupil_id)
    return HttpResponse("not implemented on this branch", status=501)


@login_required
def edit_not_yet(request, protocol_id):
    get_protocol_for_user(request.user, protocol_id)
    return HttpResponse("not implemented on this branch", status=501)
