"""course/data/programme.json matches the plan of SPEC §4 (seed table 3).

Standard library only: the data must be right before any model loads it.
"""

import json
import re
from pathlib import Path

import pytest

PROGRAMME = Path(__file__).resolve().parents[2] / "course" / "data" / "programme.json"
HOUR_COLUMNS = ("lecture", "practical", "self_study", "masterclass")
LANGUAGES = ("kk", "ru", "en")


@pytest.fixture(scope="module")
def programme():
    with PROGRAMME.open(encoding="utf-8") as f:
        return json.load(f)


def _topics(programme):
    return [topic for module in programme["modules"] for topic in module["topics"]]


def test_five_modules_of_five_topics(programme):
    assert [m["number"] for m in programme["modules"]] == [1, 2, 3, 4, 5]
    assert len(_topics(programme)) == 25
    for module in programme["modules"]:
        numbers = [t["number"] for t in module["topics"]]
        assert numbers == [f"{module['number']}.{i}" for i in range(1, 6)]


def test_column_sums_are_40_30_25_5(programme):
    topics = _topics(programme)
    sums = {column: sum(t[column] for t in topics) for column in HOUR_COLUMNS}
    assert sums == {"lecture": 40, "practical": 30, "self_study": 25, "masterclass": 5}
    # §6.1: 70 classroom hours = lecture + practical
    assert sums["lecture"] + sums["practical"] == 70


def test_every_topic_is_four_hours(programme):
    for topic in _topics(programme):
        hours = [topic[column] for column in HOUR_COLUMNS]
        assert all(isinstance(h, int) and h >= 0 for h in hours), topic["number"]
        assert sum(hours) == 4, topic["number"]


def test_one_masterclass_per_module(programme):
    # §6.6: one masterclass / project per module, on its last topic
    for module in programme["modules"]:
        assert [t["masterclass"] for t in module["topics"]] == [0, 0, 0, 0, 1]


def test_course_total_is_108_hours(programme):
    course = programme["course"]
    assert (course["final_test_hours"], course["support_hours"]) == (1, 7)
    modules_total = sum(t[c] for t in _topics(programme) for c in HOUR_COLUMNS)
    assert modules_total + course["final_test_hours"] + course["support_hours"] == 108


def test_every_title_is_present_in_three_languages(programme):
    items = [programme["course"], *programme["modules"], *_topics(programme)]
    for item in items:
        for language in LANGUAGES:
            title = item[f"title_{language}"]
            assert isinstance(title, str), (item.get("number"), language)
            assert title.strip() == title != "", (item.get("number"), language)


def test_titles_are_in_the_right_script(programme):
    items = [programme["course"], *programme["modules"], *_topics(programme)]
    for item in items:
        # No Latin look-alikes in Cyrillic titles, no Kazakh letters in Russian ones,
        # no Cyrillic in English ones.
        assert not re.search(r"[A-Za-z]", item["title_kk"]), item["title_kk"]
        assert not re.search(r"[A-Za-z]", item["title_ru"]), item["title_ru"]
        assert not re.search(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]", item["title_ru"]), item["title_ru"]
        assert not re.search(r"[\u0400-\u04ff]", item["title_en"]), item["title_en"]
