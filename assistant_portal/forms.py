"""Form helpers every app's views share."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field where the field is on
    the form, else at the top; the user's input stays in the form."""
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, error.messages)
