"""Everything about one pupil as one ZIP, for the parent (issue #9 item 4; GDPR Art. 15/20).

`pupil.json` holds the record, guardians, assignments, consents and read log. Other apps add
files through `EXTRA_FILES`: callables `fn(pupil) -> iterable of (name_in_zip, bytes)`;
`protocols` appends one that yields the protocol PDFs:

    from students.export import EXTRA_FILES
    EXTRA_FILES.append(protocol_pdfs_for_pupil)   # in protocols/apps.py ready()
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import Student

EXTRA_FILES: list[Callable[[Student], Iterable[tuple[str, bytes]]]] = []


def pupil_data(pupil: Student) -> dict:
    record_fields = (
        "id last_name first_name patronymic birth_date iin grade class_letter sen_category "
        "pmpc_number pmpc_date pmpc_valid_until pmpc_text joined left"
    ).split()
    return {
        "exported_at": timezone.now(),
        "school": str(pupil.school),
        "pupil": {f: getattr(pupil, f) for f in record_fields},
        "guardians": list(
            pupil.guardians.values("full_name", "relation", "phone", "email", "archived_at")
        ),
        "assignments": [
            {"assistant": a.assistant.full_name, "start": a.start, "end": a.end}
            for a in pupil.assignments.select_related("assistant").order_by("start")
        ],
        "consents": list(
            pupil.consents.values(
                "given_by", "given_on", "scope", "recorded_at", "withdrawn_at", "document"
            )
        ),
        "read_log": [
            {
                "at": e.at,
                "who": e.user.full_name if e.user else "",
                "what": e.what,
                "target": e.target,
            }  # fmt: skip
            for e in pupil.read_log.select_related("user").order_by("at")
        ],
    }


def pupil_archive(pupil: Student) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "pupil.json",
            json.dumps(pupil_data(pupil), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for consent in pupil.consents.exclude(document=""):
            with consent.document.open("rb") as f:
                archive.writestr(f"consents/{consent.document.name.rsplit('/', 1)[-1]}", f.read())
        for extra in EXTRA_FILES:
            for name, content in extra(pupil):
                archive.writestr(name, content)
    buffer.seek(0)
    return buffer
