"""Single-protocol PDF: ms per page through protocols.printing vs a bare WeasyPrint render of
the same HTML, in one process, side by side (Performance).

    .venv/bin/python bench/protocol_pdf.py [rounds]

No database needed: the protocol, pupil and school are unsaved model instances, and a
table-heavy test annex (a Д week with 40 incidents) is registered for the run.
"""

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://unused@127.0.0.1:1/unused")  # never connected

import logging  # noqa: E402

import django  # noqa: E402

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

django.setup()

from django import forms  # noqa: E402
from weasyprint import HTML  # noqa: E402

from assistant_portal.accounts.models import User  # noqa: E402
from assistant_portal.security.pdf import STATIC  # noqa: E402
from protocols import annexes, printing  # noqa: E402
from protocols.annexes.base import AnnexDef  # noqa: E402
from protocols.models import Protocol  # noqa: E402
from protocols.schedule import Annex  # noqa: E402
from students.models import School, Student  # noqa: E402


class Week(forms.Form):
    summary = forms.CharField(label="Апталық қорытынды")


class Incident(forms.Form):
    date = forms.DateField(label="Күні")
    place = forms.CharField(label="Орны")
    antecedent = forms.CharField(label="Алдындағы жағдай")
    behaviour_type = forms.ChoiceField(label="Мінез-құлық түрі", choices=[("a", "Агрессия")])
    intensity = forms.IntegerField(label="Қарқындылығы")
    duration_minutes = forms.IntegerField(label="Ұзақтығы")
    consequence = forms.CharField(label="Салдары")


annexes.REGISTRY[Annex.D] = AnnexDef(
    code=Annex.D,
    title="Жағымсыз мінез-құлықты бақылау хаттамалары",
    menu_name="Мінез-құлық журналы",
    form=Week,
    rows={"incidents": Incident},
)
school = School(name_kk="№ 12 жалпы білім беретін мектеп", city="Алматы")
pupil = Student(school=school, last_name="Әбенов", first_name="Іңкәр", grade=3, class_letter="Ә")
author = User(full_name="Асель Ассистент")
start = date(2026, 11, 16)
protocol = Protocol(
    student=pupil,
    author=author,
    annex="D",
    window_key="D:2026-11-16",
    due=date(2026, 11, 20),
    filled_on=date(2026, 11, 20),
    data={
        "summary": "Аптаның қорытындысы: ә ғ қ ң ө ұ ү һ і. " * 8,
        "incidents": [
            {
                "date": (start + timedelta(days=i % 5)).isoformat(),
                "place": "Үзіліс",
                "antecedent": "Сабақтан кейін дәлізде қатты шу болды",
                "behaviour_type": "a",
                "intensity": 1 + i % 3,
                "duration_minutes": 5,
                "consequence": "Ересек тыныштандырды, оқушы сыныпқа оралды",
            }
            for i in range(40)
        ],
    },
)


def timed_side_by_side(fns, rounds):
    """Median ms of each function, run alternately so machine noise hits both alike."""
    for fn in fns:
        fn()  # warm-up (fonts load on the first render)
    times = [[] for _ in fns]
    results = [None] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            results[i] = fn()
            times[i].append((time.perf_counter() - t) * 1000)
    return [(statistics.median(ts), r) for ts, r in zip(times, results, strict=True)]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    html = printing.protocol_html(protocol, language="kk")
    base = STATIC.as_uri() + "/"

    def ours():
        return printing.protocol_pdf(protocol, language="kk")

    def bare():
        return HTML(string=html, base_url=base).write_pdf()

    (ours_ms, ours_pdf), (bare_ms, bare_pdf) = timed_side_by_side([ours, bare], rounds)
    n_pages = len(printing.html_to_document(html).pages)
    print(f"annex Д, 40 incidents, {n_pages} A4 pages; {rounds} rounds alternating, medians")
    print(f"{'':28}{'ms/PDF':>10}{'ms/page':>10}{'KB':>8}")
    for name, ms, pdf in (
        ("protocols.printing", ours_ms, ours_pdf),
        ("bare WeasyPrint (same HTML)", bare_ms, bare_pdf),
    ):
        print(f"{name:28}{ms:10.1f}{ms / n_pages:10.1f}{len(pdf) / 1024:8.1f}")
    print(f"ratio ours / bare: {ours_ms / bare_ms:.2f}")


if __name__ == "__main__":
    main()
