"""Demo: the assistant's year filled in up to last week, so a first login
shows this week's work, not two hundred overdue windows.

Rows are written in bulk (a demo of dozens of protocols per pupil must load in a second for
every browser test); each gets the frozen version a real submission makes. The texts are what
an assistant writes, varied per week, and deterministic (no randomness: tests read them).
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from .models import Protocol, ProtocolVersion, Status
from .schedule import Annex
from .selectors import pupil_years

INCIDENTS = [
    (
        "Математика сабағы",
        "Жаңа тапсырма берілді",
        "Дәптерін лақтырып, айқайлады",
        "refusal",
        "Ассистент қысқа үзіліс ұсынды",
        "Тынышталып, тапсырмаға оралды",
    ),
    (
        "Үзіліс",
        "Сыныптасы ойыншығын алды",
        "Сыныптасын итеріп жіберді",
        "aggression",
        "Тыныш бұрышқа апарды",
        "Кешірім сұрады",
    ),
    (
        "Қазақ тілі сабағы",
        "Сабақ ауысты, шу көбейді",
        "Партадан тұрып, сыныптан шығып кетті",
        "leaving",
        "Көрнекі кестені көрсетті",
        "5 минуттан кейін оралды",
    ),
]
GOALS = [
    "Нұсқауды екі қадаммен орындау",
    "Сұрауды сөзбен білдіру",
    "Кезек күтуді үйрену",
    "Көрнекі кестемен өз бетінше жұмыс істеу",
]
MESSAGES = [
    (
        "Осы аптада математикада тапсырманы көрнекі тіреумен толық орындады.",
        "Үйде кешкі кестені суретпен бірге қайталаңыз.",
    ),
    (
        "Үзілісте сыныптастарымен ойынға өзі қосылды, кезек күтті.",
        "Үйде үстел ойынын кезекпен ойнап көріңіз.",
    ),
    (
        "Дүйсенбі күні шаршап келді, екінші сабақта жылады.",
        "Ұйқы тәртібін сақтауға көмектесіңіз: 21:30-да жату.",
    ),
]
PARENT_REPLIES = [
    "Рахмет! Кешке кестені бірге қарадық, өзі суреттерді реттеп қойды.",
    "Түсіндім, осы аптадан бастап ерте жатқызамыз.",
]


def _d(i: int, day) -> dict:
    n = i % 3  # a calm week now and then: no incidents
    rows = []
    for k in range(n):
        place, before, what, kind, response, outcome = INCIDENTS[(i + k) % len(INCIDENTS)]
        rows.append(
            {
                "incident_date": (day - timedelta(days=k)).isoformat(),
                "start": f"{9 + k * 2:02d}:{(i * 7) % 50 + 5:02d}",
                "end": f"{9 + k * 2:02d}:{(i * 7) % 50 + 12:02d}",
                "place": place,
                "antecedent": before,
                "behaviour": what,
                "behaviour_type": kind,
                "intensity": str(1 + (i + k) % 3),
                "consequence": response,
                "outcome": outcome,
            }
        )
    summary = (
        "Апта тыныш өтті, жағымсыз мінез-құлық байқалмады."
        if not rows
        else f"Аптада {len(rows)} жағдай тіркелді; көбіне жаңа тапсырма басталғанда."
    )
    return {"incidents": rows, "summary": summary}


def _e(i: int, window) -> dict:
    return {
        "sessions": [
            {
                "session_date": window.opens.isoformat(),
                "goal": GOALS[i % len(GOALS)],
                "content": "Суретті кестемен жұмыс, екі қадамды нұсқау ойыны, саусақ жаттығуы.",
                "materials": "Көрнекі кесте, карточкалар",
                "result": "Тапсырманың көбін ауызша көмекпен орындады.",
            }
        ]
    }


def _k(i: int, day, author: str, reply: str = "") -> dict:
    message, advice = MESSAGES[i % len(MESSAGES)]
    entry = {
        "entry_date": day.isoformat(),
        "author": author,
        "message": message,
        "recommendations": advice,
    }
    if reply:
        entry["reply"] = reply
    return {"entries": [entry]}


TERM = {
    Annex.A: {
        "attendees": "Анасы, педагог-ассистент",
        "family": "Толық отбасы, екі баланың үлкені. Әжесі бірге тұрады.",
        "strengths": "Сурет салуды, құрастыруды жақсы көреді; көрнекі нұсқауды тез ұғады.",
        "worries": "Сыныптастарымен ұрысып қалады, ауызша тапсырманы түсінбейді.",
        "expectations": "Сабақта өз бетінше отыра алса, достары болса екен.",
        "contact": "WhatsApp арқылы аптасына бір рет, К парағы",
    },
    Annex.B: {
        "setting": "break",
        "duration": 20,
        "summary": "Үзілісте ересектің бағыттауымен ойынға қосылады, шу көбейгенде шеттейді.",
        **{
            f"{a}_rating": r
            for a, r in [
                ("peers", 1),
                ("adults", 2),
                ("play", 2),
                ("speech", 1),
                ("emotions", 2),
                ("motor", 3),
                ("self_care", 2),
                ("rules", 1),
            ]
        },
    },
    Annex.V: {
        "lessons": [
            {
                "subject": "maths",
                "teacher": "Сағынтаева А.",
                "attention": 1,
                "instructions": 1,
                "completion": 2,
                "pace": 1,
                "help_level": "visual",
                "behaviour": 2,
                "interaction": 1,
                "fatigue": "20 минуттан кейін алаңдайды",
            }
        ],
        "adaptations": "Тапсырманы бөліктерге бөлу, көрнекі кесте, 15 минут сайын қысқа үзіліс.",
    },
    Annex.ZH: {
        "goals": [
            {
                "area": "learning",
                "goal": "Нұсқауды екі қадаммен орындау",
                "tasks": "Тапсырманы бөліктерге бөліп беру",
                "methods": "Көрнекі кесте, үлгі",
                "responsible": "Педагог-ассистент",
                "timeline": "Желтоқсанға дейін",
                "expected": "Көмексіз екі қадамды нұсқауды орындайды",
            },
            {
                "area": "communication",
                "goal": "Сұрауды сөзбен білдіру",
                "tasks": "Күнде 3 рет сұрау сөздерін жаттықтыру",
                "methods": "Рөлдік ойын",
                "responsible": "Логопед, педагог-ассистент",
                "timeline": "Тоқсан соңына дейін",
                "expected": "Көмек сұрағанда сөзбен айтады",
            },
        ],
    },
}


def fill_to_last_week(pupils, assistant, psychologist, *, skip: set, parent_child=None) -> int:
    """Submit every window of these pupils due before this week's Monday that has no protocol
    and is not in `skip` ((pupil pk, window key)); Г are approved by the psychologist. The
    parent's child gets the parent's replies on the last two К sheets."""
    from .demo import CONCLUSION  # inside: demo imports this module

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    made = []
    for py in pupil_years(pupils, today):
        cells = [c for c in py.cells if c.window.due < monday and c.protocol is None]
        last_k = [c.window.key for c in cells if c.window.annex == Annex.K][-2:]
        for i, cell in enumerate(cells):
            w = cell.window
            if (py.pupil.pk, w.key) in skip:
                continue
            late = i % 9 == 4  # now and then a day late, as in real life
            day = w.due + timedelta(days=1 if late else 0)
            status, decision = Status.SUBMITTED, ""
            if w.annex == Annex.D:
                data = _d(i, w.due)
            elif w.annex == Annex.E:
                data = _e(i, w)
            elif w.annex == Annex.K:
                reply = ""
                if parent_child is not None and py.pupil.pk == parent_child.pk and w.key in last_k:
                    reply = PARENT_REPLIES[last_k.index(w.key)]
                data = _k(i, w.due, assistant.full_name, reply)
            elif w.annex == Annex.G:
                data, status = dict(CONCLUSION), Status.APPROVED
                decision = "ППҚ отырысында бекітілді; ұсыныстар бойынша жұмыс жалғасады."
            elif w.annex == Annex.V:
                data = {**TERM[Annex.V]}
                data["lessons"] = [
                    {**TERM[Annex.V]["lessons"][0], "lesson_date": w.due.isoformat()}
                ]
            else:
                data = dict(TERM.get(w.annex, {}))
            at = timezone.make_aware(datetime.combine(day, time(15, 30)), tz)
            made.append(
                Protocol(
                    student=py.pupil,
                    year=py.year,
                    annex=str(w.annex),
                    window_key=w.key,
                    due=w.due,
                    status=status,
                    data=data,
                    filled_on=min(day, today),
                    author=assistant,
                    updated_by=assistant,
                    submitted_at=at,
                    reviewed_by=psychologist if status == Status.APPROVED else None,
                    reviewed_at=at + timedelta(days=3) if status == Status.APPROVED else None,
                    decision=decision,
                )
            )
    Protocol.objects.bulk_create(made)
    ProtocolVersion.objects.bulk_create(
        ProtocolVersion(
            protocol=p,
            number=1,
            status=p.status,
            data=p.data,
            filled_on=p.filled_on,
            saved_by=assistant,
        )
        for p in made
    )
    return len(made)
