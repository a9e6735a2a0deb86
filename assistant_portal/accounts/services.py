"""Writes to a user's own account settings: keyword-only, one transaction each."""

from django.db import transaction

from .models import User


@transaction.atomic
def language_save(*, user: User, language: str) -> None:
    """The user's language, so it follows them to any browser (the caller has checked it)."""
    user.language = language
    user.save(update_fields=["language"])
