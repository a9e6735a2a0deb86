"""Language slips: the Russian UI showed Kazakh placeholders in select
lists, the Russian protocol PDF had the Kazakh title as its heading, and the academic-year page
repeated `id_start` / `id_end`, so the holiday form's labels pointed at the year form's fields."""

import re
from collections import Counter
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from protocols import printing
from students.forms import StudentForm
from tests.protocols.factories import ProtocolFactory

KAZAKH_ONLY = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def _po_entries(path: Path):
    """(context, msgid, msgid_plural) of a .po file; enough of the format for Django's own."""
    entry, key = {}, None
    for line in [*path.read_text("utf-8").splitlines(), ""]:
        line = line.strip()
        if not line or line.startswith("#"):
            if entry.get("msgid"):
                yield entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")
            if not line:
                entry, key = {}, None
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?)\s+"(.*)"$', line)
        if m:
            key = m.group(1)
            entry[key] = entry.get(key, "") + m.group(2)
        elif line.startswith('"') and key:
            entry[key] += line[1:-1]


def _unescape(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _django_catalogues():
    """Django's English catalogues (every message) of core and the installed contrib apps."""
    root = Path(django.__file__).parent
    yield root / "conf/locale/en/LC_MESSAGES/django.po"
    for app in apps.get_app_configs():
        if app.name.startswith("django."):
            po = Path(app.path) / "locale/en/LC_MESSAGES/django.po"
            if po.exists():
                yield po


def _shown(context, msgid, plural) -> list[str]:
    if plural:
        if context:
            return [translation.npgettext(context, msgid, plural, n) for n in (1, 3, 5)]
        return [translation.ngettext(msgid, plural, n) for n in (1, 3, 5)]
    return [translation.pgettext(context, msgid) if context else translation.gettext(msgid)]


def test_no_django_message_shows_kazakh_in_the_russian_ui():
    slips = []
    with translation.override("ru"):
        for po in _django_catalogues():
            for context, msgid, plural in _po_entries(po):
                msgid = _unescape(msgid)
                shown = _shown(context, msgid, plural and _unescape(plural))
                if any(KAZAKH_ONLY & set(s) for s in shown):
                    slips.append((msgid, shown))
    assert not slips


@pytest.mark.parametrize(
    "language, placeholder",
    [
        ("ru", "- Выберите вариант -"),
        ("kk", "- Нұсқаны таңдаңыз -"),
        ("en", "- Select an option -"),
    ],
)
def test_the_select_placeholder_follows_the_language(client, cast, settings, language, placeholder):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(cast.school_admin)
    page = client.get(reverse("students:new")).content.decode()
    assert f">{placeholder}</option>" in page
    with translation.override(language):
        assert str(StudentForm().fields["sen_category"].choices[0][1]) == placeholder


def _h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def test_the_russian_protocol_pdf_is_headed_in_russian(cast):
    protocol = ProtocolFactory(
        student=cast.pupil,
        author=cast.assistant,
        annex="D",
        window_key="D:2026-11-16",
        data={"summary": "ok"},
    )
    ru = printing.protocol_html(protocol, language="ru")
    kk = printing.protocol_html(protocol, language="kk")
    assert not KAZAKH_ONLY & set(_h1(ru)), _h1(ru)  # the heading is the reader's language
    assert _h1(kk) == "Жағымсыз мінез-құлықты бақылау хаттамалары"
    assert 'class="title-user" lang="kk">Жағымсыз мінез-құлықты бақылау хаттамалары' in ru
    assert cast.school.name_ru in ru and cast.school.name_kk not in ru


def test_the_academic_year_page_has_unique_ids_and_labels_point_to_their_fields(client, cast):
    year = cast.school.years.get()
    client.force_login(cast.school_admin)
    page = client.get(reverse("students:year", args=[year.pk])).content.decode()
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert not [i for i, n in ids.items() if n > 1]
    for target in re.findall(r'<label[^>]*\bfor="([^"]+)"', page):
        assert ids[target] == 1, target
    assert 'id="id_holiday-start"' in page and 'id="id_start"' in page


def test_a_holiday_with_errors_keeps_the_ids_unique(client, cast):
    year = cast.school.years.get()
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("students:holiday_add", args=[year.pk]),
        {"holiday-name": "", "holiday-start": "2027-02-08"},
    )
    assert r.status_code == 400
    ids = Counter(re.findall(r'\bid="([^"]+)"', r.content.decode()))
    assert not [i for i, n in ids.items() if n > 1]
