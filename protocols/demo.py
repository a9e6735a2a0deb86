"""Demo protocols for the demo pupils: drafts, a submitted and a returned conclusion (Г).

Called by `load_demo` after `students.demo`; idempotent. The first pupil is left untouched so
a visitor (and the browser tests) can fill their protocols from scratch.
"""

from datetime import date

from assistant_portal.accounts.models import User

from . import services
from .demo_year import fill_to_last_week
from .models import IncidentPickList, Outcome, Protocol
from .review import services as review
from .windows import current_year, window_for

CONCLUSION = {
    "observations": "Сабақта назарын 10–15 минут ұстайды, көрнекі тірекпен тапсырманы орындайды.",
    "strengths": "Сурет салуды жақсы көреді, үзілісте сыныптастарымен ойнайды.",
    "difficulties": "Ауызша нұсқауды түсінуі қиын, шаршағанда сабақтан шығып кетеді.",
    "adaptations": "Көрнекі кесте, тапсырманы бөліктерге бөлу, қысқа үзілістер.",
    "goals": "Нұсқауды екі қадаммен орындау; сұрауды сөзбен білдіру.",
}


def _open(pupil, annex, key, by, data, *, filled_on=None):
    found = window_for(pupil, annex, key)
    if found is None:
        return None
    year, window = found
    return services.protocol_create(
        student=pupil, year=year, annex=annex, window_key=key, due=window.due, by=by,
        data=data, filled_on=filled_on,
    )  # fmt: skip


# The school's pick-lists for the quick incident form: what assistants write most often.
PICK_LIST = {
    "places": "Математика сабағы\nҚазақ тілі сабағы\nҮзіліс\nАсхана\nДене шынықтыру",
    "antecedents": (
        "Жаңа тапсырма берілді\nСабақ ауысты, шу көбейді\nСыныптасы ойыншығын алды\n"
        "Мұғалім дауыстап тапсырма берді\nҮзіліс аяқталды"
    ),
    "behaviours": (
        "Дәптерін лақтырып, айқайлады\nПартадан тұрып, сыныптан шығып кетті\n"
        "Сыныптасын итеріп жіберді\nЕденге жатып, жылады\nТапсырмадан бас тартты"
    ),
    "consequences": (
        "Ассистент қысқа үзіліс ұсынды\nКөрнекі кестені көрсетті\n"
        "Тыныш бұрышқа апарды\nТапсырманы бөліктерге бөлді\nЕлемеді, кейін мақтады"
    ),
}


def load(ctx: dict) -> None:
    pupils, assistants = ctx.get("pupils") or [], ctx.get("assistants") or []
    if len(pupils) < 4 or not assistants:
        return
    if not IncidentPickList.objects.filter(school=pupils[0].school).exists():
        admin = User.objects.filter(email="admin@demo.kz").first() or assistants[0]
        services.pick_list_save(school=pupils[0].school, by=admin, **PICK_LIST)
    if Protocol.objects.filter(student__in=pupils).exists():
        return
    assistant = assistants[0]  # assistant1@demo.kz: pupils 1–5
    psychologist = User.objects.get(email="psychologist@demo.kz")
    second, third, fourth = pupils[1], pupils[2], pupils[3]
    if current_year(second) is None:
        return

    _open(second, "A", "A:september", assistant, {"attendees": "анасы", "family": "Толық отбасы."})
    _open(
        second, "D", "D:2026-11-16", assistant,
        {"incidents": [{
            "incident_date": "2026-11-17", "start": "10:05", "end": "10:12", "place": "математика",
            "antecedent": "Жаңа тапсырма берілді.", "behaviour": "Дәптерін лақтырып, айқайлады.",
            "behaviour_type": "refusal", "intensity": "2",
            "consequence": "Ассистент қысқа үзіліс ұсынды.", "outcome": "Тынышталды.",
        }]},
    )  # fmt: skip

    filled = date(2026, 9, 11)
    for pupil in (third, fourth):
        g = _open(pupil, "G", "G:september", assistant, {}, filled_on=filled)
        if g is None:
            continue
        services.protocol_submit(
            protocol=g, by=assistant, data=CONCLUSION, filled_on=filled, seen_revision=g.revision
        )
    returned = Protocol.objects.filter(student=fourth, annex="G").first()
    if returned is not None:
        review.review_decide(
            protocol=returned,
            by=psychologist,
            outcome=Outcome.RETURNED,
            seen_revision=returned.revision,
            comments={
                "goals": "Мақсаттарды өлшенетін етіп жазыңыз: қанша рет, қандай көмекпен.",
                "": "ППҚ отырысында қаралды, 2 апта ішінде қайта жіберіңіз.",
            },
        )

    # The rest of the year up to last week, filled in (issue #13 item 10); the first pupil's
    # windows the browser tests fill from scratch (А, Б, В, Г, Ж and Д of 16 November) stay
    # open, and so do the drafts and conclusions above.
    first = pupils[0]
    skip = {(first.pk, k) for k in ("A:september", "B:september", "V:september",
                                    "G:september", "D:2026-11-16")}  # fmt: skip
    skip |= {(first.pk, k) for k in ("ZH:programme_1",)}
    fill_to_last_week(pupils[:5], assistant, psychologist, skip=skip, parent_child=first)
    _meeting(pupils, assistant, psychologist)


def _meeting(pupils, assistant, psychologist) -> None:
    """A support-team meeting on the returned conclusion, with next steps for the assistant."""
    from datetime import timedelta

    from django.utils import timezone

    fourth = pupils[3]
    held = timezone.localdate() - timedelta(days=7)
    meeting = review.meeting_create(
        school_id=fourth.school_id, held_on=held, attendees=[psychologist, assistant],
        notes="Қыркүйек тұжырымдамалары қаралды. Келесі отырыс — жарты жыл соңында.",
        by=psychologist,
    )  # fmt: skip
    conclusion = Protocol.objects.filter(student=fourth, annex="G").first()
    item = review.meeting_item_add(
        meeting=meeting, pupil=fourth, conclusion=conclusion, by=psychologist,
        decision="Тұжырымдама пысықтауға қайтарылды: мақсаттарды өлшенетін етіп жазу.",
        step_text="Мақсаттарды өлшенетін етіп қайта жазып, тұжырымдаманы қайта жіберу",
        responsible=assistant, due=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    review.next_step_add(
        item=item, text="Ата-анамен кездесіп, үйдегі кестені келісу", responsible=assistant,
        due=timezone.localdate() + timedelta(days=10), by=psychologist,
    )  # fmt: skip
