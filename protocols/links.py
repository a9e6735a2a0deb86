"""Links into the protocol forms (built by the protocols-core views)."""

from django.urls import reverse


def window_url(pupil_id: int, annex: str, key: str) -> str:
    """The form of one pupil's window (opens or creates its protocol)."""
    return reverse("protocols:window", args=[pupil_id, str(annex), key])


def on_demand_key(annex: str, today) -> str:
    """A key for an on-demand protocol (annex И has no schedule window)."""
    return f"{annex}:{today.isoformat()}"
