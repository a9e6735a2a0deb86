"""The forms machinery shared by all nine annexes: one annex form plus its row formsets.

`Protocol.data` holds the annex's values as JSON: the main form's fields at the top level and
each multi-row part as a list of row dicts under its name (e.g. ``data["incidents"]``). A value
that does not validate is kept as the user typed it, so nothing typed is ever lost; the form
shows the error next to the field until it is corrected.
"""

from dataclasses import dataclass
from datetime import date, time

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from students.forms import DateInput

from .annexes.base import AnnexDef
from .annexes.d_behaviour_log import BEHAVIOUR_TYPES
from .annexes.fields import INTENSITY_CHOICES
from .selectors import PICK_FIELDS

MAX_KEPT = 50_000  # an over-long answer is kept (with its error) up to this many characters
MAX_ROWS = 60  # a week of incidents or a term's goals stays far below this


class MetaForm(forms.Form):
    """The fields every protocol has, whatever its annex."""

    filled_on = forms.DateField(label=_("Date filled in"), required=False, widget=DateInput())
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Made afresh for every page load (views.edit_token): tells this tab's saves from another's.
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, strict=False, year=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.strict, self.year, self.today = strict, year, today
        self.fields["filled_on"].required = strict

    def clean_filled_on(self):
        value = self.cleaned_data.get("filled_on")
        if value and self.year and not self.year[0] <= value <= self.year[1]:
            raise forms.ValidationError(_("The date must lie within the academic year."))
        if value and self.today and value > self.today:
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


def _row_formset(row_form: type[forms.Form]):
    return forms.formset_factory(
        row_form, extra=0, can_delete=True, max_num=MAX_ROWS, validate_max=True
    )


@dataclass
class AnnexForms:
    """The bound forms of one protocol page: meta, main and a formset per multi-row part."""

    annex: AnnexDef
    meta: MetaForm
    main: forms.Form
    rows: dict[str, forms.BaseFormSet]
    strict: bool

    @property
    def formsets(self) -> list[tuple[str, forms.BaseFormSet]]:
        return list(self.rows.items())

    def is_valid(self) -> bool:
        ok = self.meta.is_valid() & self.main.is_valid()
        for name, formset in self.rows.items():
            ok &= formset.is_valid()
            minimum = self.annex.min_rows.get(name, 0)
            if self.strict and formset.is_valid() and len(_kept_rows(formset)) < minimum:
                ok = False
                formset._non_form_errors = formset.error_class(
                    [_("Add at least one row.")], renderer=formset.renderer
                )
        return bool(ok)

    def has_errors(self) -> bool:
        return not self.is_valid()

    def data(self, previous: dict | None = None) -> dict:
        """The values to store: cleaned where valid, as typed where not (nothing is lost).

        A multi-row part posted without its management form (not from our page) keeps the
        rows in ``previous`` rather than being emptied.
        """
        self.is_valid()
        result = _values(self.main)
        for name, formset in self.rows.items():
            if not formset.management_form.is_valid():
                if previous and name in previous:
                    result[name] = previous[name]
                continue
            result[name] = [_values(form) for form in _kept_rows(formset)]
        return result

    def filled_on(self) -> date | None:
        self.meta.is_valid()
        return self.meta.cleaned_data.get("filled_on")

    def raw_filled_on(self) -> str:
        return self.meta.data.get("filled_on", "")

    def revision(self) -> int | None:
        self.meta.is_valid()
        return self.meta.cleaned_data.get("revision")

    def client_token(self) -> str:
        self.meta.is_valid()
        return self.meta.cleaned_data.get("client_token") or ""

    def with_revision(self, revision: int) -> "AnnexForms":
        """The same forms carrying ``revision``, so the page's next save is not stale."""
        self.meta.data = self.meta.data.copy()
        self.meta.data["revision"] = str(revision)
        return self


def _kept_rows(formset) -> list[forms.Form]:
    kept = []
    for form in formset.forms:
        deleted = form.fields["DELETE"].widget.value_from_datadict(
            form.data, form.files, form.add_prefix("DELETE")
        )
        if not deleted and form.has_changed():
            kept.append(form)
    return kept


def _jsonable(value):
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _values(form: forms.Form) -> dict:
    cleaned = getattr(form, "cleaned_data", {})
    out = {}
    for name, field in form.fields.items():
        if name == "DELETE":
            continue
        if name in cleaned:
            value = cleaned[name]
        else:
            value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if value in (None, "", []):
            continue
        if isinstance(value, str) and len(value) > MAX_KEPT:
            value = value[:MAX_KEPT]  # kept as typed to be corrected, within reason
        out[name] = _jsonable(value)
    return out


def row_values(form: forms.Form) -> dict:
    """One validated row as it is stored (the quick incident form's row)."""
    return _values(form)


def to_post(annex: AnnexDef, data: dict, *, filled_on=None, revision=None) -> QueryDict:
    """Stored data as the POST a browser would send: binding it validates it again."""
    post = QueryDict(mutable=True)
    if filled_on:
        post["filled_on"] = str(filled_on)
    if revision is not None:
        post["revision"] = str(revision)
    _put(post, "", {k: v for k, v in data.items() if k not in annex.rows})
    for name in annex.rows:
        rows = data.get(name) or []
        post[f"{name}-TOTAL_FORMS"] = str(len(rows))
        post[f"{name}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            _put(post, f"{name}-{i}-", row)
    return post


def _put(post: QueryDict, prefix: str, values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, list):
            post.setlist(prefix + key, [str(v) for v in value])
        elif isinstance(value, dict):
            continue
        else:
            post[prefix + key] = str(value)


def build(
    annex: AnnexDef,
    post: QueryDict | None,
    *,
    strict: bool = False,
    year: tuple[date, date] | None = None,
    today: date | None = None,
    initial: dict | None = None,
) -> AnnexForms:
    """Bind the meta form, the annex form and its row formsets to ``post`` (None: unbound,
    showing ``initial`` data — an empty window that starts from earlier protocols)."""
    kw = {"strict": strict, "year": year, "today": today}
    initial = initial or {}
    rows = {}
    for name, row_form in annex.rows.items():
        formset_class = _row_formset(row_form)
        rows[name] = formset_class(
            post, prefix=name, form_kwargs=kw, initial=initial.get(name) or None
        )
        rows[name].row_label = ROW_LABELS.get(name, name)
    main_initial = {k: v for k, v in initial.items() if k not in annex.rows}
    return AnnexForms(
        annex=annex,
        meta=MetaForm(post, **kw),
        main=annex.form(post, initial=main_initial, **kw),
        rows=rows,
        strict=strict,
    )


ROW_LABELS = {
    "lessons": _("Lesson"),
    "incidents": _("Incident"),
    "sessions": _("Session"),
    "goals": _("Goal"),
    "entries": _("Entry"),
}
# A multi-row part's heading (the edit page spells the same headings in its template).
PART_TITLES = {
    "lessons": _("Observed lessons"),
    "incidents": _("Incidents"),
    "sessions": _("Sessions"),
    "goals": _("Goals"),
    "entries": _("Entries"),
}


def _display(field: forms.Field, value) -> str:
    if value in (None, "", []):
        return ""
    choices = dict((str(k), v) for k, v in getattr(field, "choices", []) or [])
    if choices:
        return str(choices.get(str(value), value))
    return str(value)


def side_by_side(annex: AnnexDef, a: dict, b: dict, *, dates=None) -> list[dict]:
    """Rows of (label, value in a, value in b, changed) for two copies of a protocol's data.

    ``dates``: the two copies' "date filled in", compared first when given.
    """
    out = []
    if dates is not None:
        va, vb = (d.strftime("%d.%m.%Y") if d else "" for d in dates)
        out.append(
            {
                "label": MetaForm.base_fields["filled_on"].label,
                "a": va,
                "b": vb,
                "changed": va != vb,
            }
        )
    main = annex.form()  # an instance: Б declares its rated areas in __init__
    for name, field in main.fields.items():
        va, vb = _display(field, a.get(name)), _display(field, b.get(name))
        out.append({"label": field.label, "a": va, "b": vb, "changed": va != vb})
    for part, row_form in annex.rows.items():
        fields = row_form().fields
        rows_a, rows_b = a.get(part) or [], b.get(part) or []
        for i in range(max(len(rows_a), len(rows_b))):
            ra = rows_a[i] if i < len(rows_a) else {}
            rb = rows_b[i] if i < len(rows_b) else {}
            for name, field in fields.items():
                va, vb = _display(field, ra.get(name)), _display(field, rb.get(name))
                if va or vb:
                    label = f"{ROW_LABELS.get(part, part)} {i + 1} · {field.label}"
                    out.append({"label": label, "a": va, "b": vb, "changed": va != vb})
    return out


# --- Д: the quick incident form ------------------------------------------------------------

MINUTES = [1, 2, 5, 10, 15, 30]


class QuickIncidentForm(forms.Form):
    """One incident in a few taps: each of place / antecedent / behaviour / consequence is a
    pick-list of this pupil's frequent entries (`*_pick`) or free text (typed text wins);
    the duration is a tap on minutes, typed minutes, or start/stop times. `incident()` gives
    the row as the annex's own row form takes it; that form does the real checking."""

    incident_date = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("End time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    minutes_pick = forms.TypedChoiceField(
        label=_("Duration, minutes"),
        choices=[(m, str(m)) for m in MINUTES],
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )
    minutes = forms.IntegerField(
        label=_("Other duration, minutes"), min_value=0, max_value=600, required=False
    )
    behaviour_type = forms.ChoiceField(label=_("Behaviour type"), required=False)
    intensity = forms.ChoiceField(label=_("Intensity"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        labels = {
            "place": _("Setting / place"),
            "antecedent": _("Antecedent"),
            "behaviour": _("Behaviour"),
            "consequence": _("Consequence / adult's response"),
        }
        self.pick_names = list(PICK_FIELDS)
        for name in PICK_FIELDS:
            self.fields[f"{name}_pick"] = forms.ChoiceField(
                label=labels[name],
                choices=[(t, t) for t in suggestions.picks[name]],
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[name] = forms.CharField(
                label=_("Or type it"), required=False, max_length=1000
            )
        self.fields["behaviour_type"].choices = [("", "—"), *BEHAVIOUR_TYPES]
        self.fields["intensity"].choices = INTENSITY_CHOICES[1:]
        for name in ("incident_date", "start", "end", "behaviour_type"):
            css = "form-select" if name == "behaviour_type" else "form-control"
            self.fields[name].widget.attrs["class"] = css
        for name in ("incident_date", "start"):
            self.fields[name].widget.attrs.update({"required": True, "aria-required": "true"})

    def pick_groups(self):
        """(pick-list field, free-text field) per part, in the form's order."""
        return [(self[f"{n}_pick"], self[n]) for n in self.pick_names]

    def clean(self):
        data = super().clean()
        for name in self.pick_names:
            data[name] = (data.get(name) or "").strip() or data.get(f"{name}_pick") or ""
        if not data["behaviour"]:
            self.add_error("behaviour", _("Pick or describe the behaviour."))
        return data

    def incident(self) -> dict:
        """The row for the annex's incident form (strings, as a browser would post them)."""
        from datetime import datetime, timedelta

        data = self.cleaned_data
        start, end = data["start"], data.get("end")
        minutes = data.get("minutes")
        if minutes is None:
            minutes = data.get("minutes_pick")
        if end is None and minutes is not None:
            moment = datetime.combine(data["incident_date"], start) + timedelta(minutes=minutes)
            # An incident running past midnight ends at 23:59 of its day (one row, one date).
            end = moment.time() if moment.date() == data["incident_date"] else time(23, 59)
        # Not chosen: the type last recorded with this behaviour, else the pupil's usual one.
        behaviour_type = (
            data.get("behaviour_type")
            or self.suggestions.type_of.get(data["behaviour"])
            or self.suggestions.defaults["behaviour_type"]
        )
        row = {
            "incident_date": data["incident_date"].isoformat(),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M") if end else "",
            "behaviour_type": behaviour_type,
            "intensity": data.get("intensity") or "",
        }
        row.update({name: data[name] for name in self.pick_names})
        return {k: v for k, v in row.items() if v != ""}


class PickListForm(forms.Form):
    """The school's own pick-list entries, one per line."""

    places = forms.CharField(
        label=_("Settings / places"), required=False, max_length=4000, widget=forms.Textarea
    )
    antecedents = forms.CharField(
        label=_("Antecedents"), required=False, max_length=4000, widget=forms.Textarea
    )
    behaviours = forms.CharField(
        label=_("Behaviours"), required=False, max_length=4000, widget=forms.Textarea
    )
    consequences = forms.CharField(
        label=_("Consequences / adult's responses"),
        required=False,
        max_length=4000,
        widget=forms.Textarea,
    )
