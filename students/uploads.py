"""Checks for uploaded documents: size, extension AND content (the first bytes).

An `.exe` renamed to `.pdf` passes an extension check but not the content check; a browser's
Content-Type is never trusted.
"""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> (content type we serve it with, accepted leading bytes)
DOCUMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def content_type_for(name: str) -> str:
    return DOCUMENT_TYPES.get(PurePath(name).suffix.lower(), ("application/octet-stream",))[0]


def validate_document(upload) -> None:
    """Raise ValidationError unless the file is a PDF, JPEG or PNG within the size limit."""
    limit = settings.MAX_DOCUMENT_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(_("Upload a PDF, JPEG or PNG file."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(DOCUMENT_TYPES[suffix][1]):
        raise ValidationError(
            _("The file's content is not a %(kind)s document, whatever its name says.")
            % {"kind": suffix.lstrip(".").upper()}
        )
