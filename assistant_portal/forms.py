"""Form helpers every app's views share."""

import html
from pathlib import Path

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import mark_safe


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field where the field is on
    the form, else at the top; the user's input stays in the form."""
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, error.messages)


# Widgets the Python field renderer below draws; anything else (radio and checkbox lists,
# files, multi-widgets, a form with a crispy helper) goes through crispy's own template.
_PLAIN_WIDGETS = (forms.widgets.Input, forms.Textarea, forms.Select, forms.CheckboxInput)
_CRISPY_SPECIAL = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput)


def _widget_class(widget: forms.Widget, bootstrap: str) -> str:
    """The class crispy's bootstrap5 field gives a widget: its own classes, its lower-cased
    class name, then bootstrap's (no duplicates)."""
    name = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    css = (f"{css} {name}" if name not in css else css) if css else name
    have = css.split()
    return " ".join([css, *(c for c in bootstrap.split() if c not in have)])


def _esc(value) -> str:
    """`conditional_escape` without its lazy-argument wrapper (`keep_lazy` checks every
    argument on every call): the fields below escape a few hundred values per page."""
    if type(value) is str:
        return html.escape(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _text(value):
    """A lazy translation evaluated once (each use of a lazy string translates it again)."""
    return str(value) if isinstance(value, Promise) else value


def field_block(field) -> str:
    """One form field as crispy-forms' bootstrap5 `field.html` draws it (label with the
    required mark, the widget with its bootstrap class and Django's aria attributes, the error
    list, the help text), built in Python: a page of 30 fields spent half its time in crispy's
    per-field template. The markup is the same as `|as_crispy_field`'s up to whitespace
    (tests/test_field_block.py compares them on every annex form). f-strings over `_esc`ed
    parts rather than `format_html`: a Д page draws ~30 blocks."""
    widget = field.field.widget
    if (
        not isinstance(widget, _PLAIN_WIDGETS)
        or isinstance(widget, _CRISPY_SPECIAL)
        or getattr(field.form, "helper", None) is not None
        or field.use_fieldset
    ):
        return as_crispy_field(field)
    if field.is_hidden:
        return str(field)
    errors = field.errors
    checkbox = isinstance(widget, forms.CheckboxInput)
    if checkbox:
        bootstrap = "form-check-input"
    elif isinstance(widget, forms.Select):
        bootstrap = "form-select"
    else:
        bootstrap = "form-control"
    if errors:
        bootstrap += " is-invalid"
    widget_html = field.as_widget(attrs={"class": _widget_class(widget, bootstrap)})
    auto_id = field.auto_id
    required = field.field.required
    label, text = "", _text(field.label)
    if text or checkbox:
        for_id = field.id_for_label
        for_attr = f' for="{_esc(for_id)}"' if for_id else ""
        css = "form-check-label" if checkbox else "form-label"
        if required:
            css += " requiredField"
        mark = '<span class="asteriskField">*</span>' if required else ""
        label = f'<label{for_attr} class="{css}">{_esc(text)}{mark}</label>'
    parts = [widget_html, label] if checkbox else [label, widget_html]
    if errors:
        error_id = _esc(getattr(errors, "field_id", None) or auto_id)
        items = "".join(
            f'<p id="error_{n}_{_esc(auto_id)}"><strong>{_esc(e)}</strong></p>'
            for n, e in enumerate(errors, start=1)
        )
        parts.append(f'<div id="{error_id}_error" class="invalid-feedback">{items}</div>')
    if help_text := _text(field.help_text):
        help_id = f'id="{_esc(auto_id)}_helptext" ' if auto_id else ""
        # crispy's |safe: help text is ours
        parts.append(f'<div {help_id}class="form-text">{help_text}</div>')
    css = field.css_classes()
    block = (
        f'<div id="div_{_esc(auto_id)}" class="{"form-check" if checkbox else "mb-3"}'
        f'{f" {_esc(css)}" if css else ""}">{"".join(parts)}</div>'
    )
    if checkbox:
        block = f'<div class="mb-3">{block}</div>'
    return mark_safe(block)  # noqa: S308  each part escaped above


_WIDGETS = "django/forms/widgets/"
_DJANGO_FORM_TEMPLATES = str(Path(forms.__file__).parent / "templates")
# Django's input widgets whose template is only `{% include "…/input.html" %}`.
_INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime",
        "time", "checkbox", "search", "tel", "color",
    )
)  # fmt: skip


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare."""
    return "".join(
        f" {_esc(name)}" if value is True else f' {_esc(name)}="{_esc(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{_esc(str(w["value"]))}"'
    return f'<input type="{_esc(w["type"])}" name="{_esc(w["name"])}"{value}{_attrs(w["attrs"])}>'  # noqa: E501


def _textarea(w: dict) -> str:
    text = _esc(w["value"]) if w["value"] else ""
    return f'<textarea name="{_esc(w["name"])}"{_attrs(w["attrs"])}>\n{text}</textarea>'


def _option(o: dict) -> str:
    value, label = _esc(str(o["value"])), _esc(o["label"])
    return f'<option value="{value}"{_attrs(o["attrs"])}>{label}</option>'


def _select(w: dict) -> str | None:
    parts = [f'<select name="{_esc(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_esc(group_name)}">')
        for option in options:
            if option["template_name"] != f"{_WIDGETS}select_option.html":
                return None  # an option of its own template: the template draws the select
            parts.append(f"\n  {_option(option)}\n")  # the included file's last newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class WidgetRenderer(DjangoTemplates):
    """Django's form renderer, drawing its plain widgets (inputs, textarea, select) in Python
    with the markup of Django's own templates: a select through the templates costs one
    include per option, and a protocol page has dozens of widgets. Any other template (forms,
    fields, radio lists) and any widget template an app overrides go through the templates.
    tests/test_field_block.py compares both on every annex form."""

    _DRAW = {
        **dict.fromkeys(_INPUTS, _input),
        f"{_WIDGETS}textarea.html": _textarea,
        f"{_WIDGETS}select.html": _select,
    }

    def __init__(self):
        super().__init__()
        self._stock: dict[str, bool] = {}

    def _is_stock(self, template_name: str) -> bool:
        """Whether the engine finds Django's own template under this name (not an app's)."""
        if template_name not in self._stock:
            origin = self.get_template(template_name).origin.name
            self._stock[template_name] = origin.startswith(_DJANGO_FORM_TEMPLATES)
        return self._stock[template_name]

    def render(self, template_name, context, request=None):
        draw = self._DRAW.get(template_name)
        if draw is not None and request is None and self._is_stock(template_name):
            html = draw(context["widget"])
            if html is not None:
                return mark_safe(html)  # noqa: S308  every value escaped in the drawers
        return super().render(template_name, context, request=request)
