"""The form a school administrator or assistant shares something with a parent through."""

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from . import annexes
from .models import AnnexCode, ShareKind


class VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, v):
        day = formats.date_format(v.saved_at, "SHORT_DATE_FORMAT")
        return f"{v.protocol.letter} · {v.protocol.window_key} · v{v.number} · {day} · " + str(
            v.get_status_display()
        )


class ShareForm(forms.Form):
    guardian = forms.ModelChoiceField(label=_("Parent / guardian"), queryset=None)
    kind = forms.ChoiceField(label=_("What"), choices=ShareKind.choices)
    version = VersionChoice(label=_("Version"), queryset=None, required=False)
    annex = forms.ChoiceField(label=_("Annex"), required=False)

    def __init__(self, *args, guardians, versions, may_share_annex: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = guardians
        self.fields["version"].queryset = versions
        kinds = [(k, label) for k, label in ShareKind.choices]
        if not may_share_annex:  # the school's policy: administrators only
            kinds = [(k, label) for k, label in kinds if k != ShareKind.ANNEX]
            del self.fields["annex"]
        else:
            self.fields["annex"].choices = [("", "—")] + [
                (a.code.value, f"{a.letter} · {a.menu_name}")
                for a in annexes.all_annexes()
                if a.code.value != AnnexCode.K
            ]
        self.fields["kind"].choices = kinds
