"""Table 4 of the course programme (§8.6): the rubric for projects and practical work, each
band with its level and criteria as the seed words them (kk msgstrs are the seed's text)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assistant_portal.annotations import StrOrPromise


@dataclass(frozen=True)
class Band:
    points: str
    grade: StrOrPromise
    level: StrOrPromise
    criteria: tuple[StrOrPromise, ...]


RUBRIC = (
    Band(
        "90–100",
        _("excellent"),
        pgettext_lazy("rubric", "fully realised"),
        (
            _("the topic is fully covered and the work matches the chosen topic;"),
            _("the work is presented correctly, with minor stylistic errors;"),
            _(
                "the practical part was done independently; all the chosen literature was "
                "analysed and used in the work; each section has well-founded conclusions."
            ),
        ),
    ),
    Band(
        "70–89",
        _("good"),
        pgettext_lazy("rubric", "realised above average, corrections taken into account"),
        (
            _("the content mostly matches the topic, or its volume is overextended;"),
            _("the work is mostly set out correctly, with a few stylistic and grammatical errors;"),
            _("the work was mostly done independently; literature was used;"),
            _("the conclusions mostly match the content of the sections;"),
            _("the work is mostly set out correctly, with some deviations from the requirements."),
        ),
    ),
    Band(
        "50–69",
        _("satisfactory"),
        pgettext_lazy("rubric", "partly realised"),
        (
            _("the content partly matches the topic;"),
            _(
                "the work is mostly presented correctly, with considerable stylistic and "
                "grammatical errors;"
            ),
            _(
                "the presentation is careless: no margins, pages not numbered, corrections in "
                "the text, the title page not set out correctly;"
            ),
            _("constant help was needed to do the work; literature was partly used;"),
            _(
                "conclusions are not drawn for every section, partly do not match its content, "
                "or are not based on the data given;"
            ),
            _("no contents, list of literature, figure captions or table titles."),
        ),
    ),
    Band(
        "0–49",
        _("unsatisfactory"),
        pgettext_lazy("rubric", "not realised"),
        (
            _("the content does not match the stated topic;"),
            _(
                "the text is set out carelessly and illegibly, with gross stylistic and "
                "grammatical errors;"
            ),
            _("passages from one or several sources are copied carelessly; no literature is used;"),
            _("conclusions are missing or do not match the content of the section;"),
            _("the work is not set out as required."),
        ),
    ),
)
