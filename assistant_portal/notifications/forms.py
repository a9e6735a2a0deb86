from django import forms
from django.utils.translation import gettext_lazy as _

from students.forms import DateInput


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Send the weekly digest by e-mail"), required=False)
    in_app = forms.BooleanField(label=_("Show it in my notifications"), required=False)
    muted_until = forms.DateField(
        label=_("No reminders until"),
        required=False,
        widget=DateInput,
        help_text=_("For holidays or leave: no digest for weeks starting on or before this date."),
    )
