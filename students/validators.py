from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .text import iin_is_valid


def validate_iin(value: str) -> None:
    if not iin_is_valid(value):
        raise ValidationError(_("Enter a valid IIN."), code="invalid_iin")
