"""The course plan of SPEC §4 from course/data/programme.json (data, not code).

The migration loads it with its own historical models; `ensure_programme()` loads it again
where the migration's rows may be gone (a flushed test database, before the demo loads).
"""

import json
from pathlib import Path

from django.db import transaction

from .models import Course, Module, Topic

PROGRAMME = Path(__file__).resolve().parent / "data" / "programme.json"
CODE = "sen-108"


@transaction.atomic
def ensure_programme() -> Course:
    course = Course.objects.filter(code=CODE).first()
    if course:
        return course
    data = json.loads(PROGRAMME.read_text("utf-8"))
    c = data["course"]
    course = Course.objects.create(
        code=CODE,
        title_kk=c["title_kk"],
        title_ru=c["title_ru"],
        title_en=c["title_en"],
        final_test_hours=c["final_test_hours"],
        support_hours=c["support_hours"],
    )
    for m in data["modules"]:
        module = Module.objects.create(
            course=course,
            number=m["number"],
            title_kk=m["title_kk"],
            title_ru=m["title_ru"],
            title_en=m["title_en"],
        )
        Topic.objects.bulk_create(
            Topic(
                module=module,
                number=t["number"],
                position=i,
                title_kk=t["title_kk"],
                title_ru=t["title_ru"],
                title_en=t["title_en"],
                lecture=t["lecture"],
                practical=t["practical"],
                self_study=t["self_study"],
                masterclass=t["masterclass"],
            )
            for i, t in enumerate(m["topics"], start=1)
        )
    return course
