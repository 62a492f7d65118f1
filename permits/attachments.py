"""Attachments: type recognised from the file's first bytes (magic numbers), never from its
name or the browser's word; size limited. Allowed types are one table."""
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Forbidden, InvalidInput

from .models import Application, Attachment
from .workflow import State

MAX_BYTES = 10 * 1024 * 1024

# content type -> (leading bytes, extension); PDF, JPEG, PNG, TIFF (scans of consents).
SIGNATURES: dict[str, tuple[tuple[bytes, ...], str]] = {
    "application/pdf": ((b"%PDF-",), "pdf"),
    "image/jpeg": ((b"\xff\xd8\xff",), "jpg"),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), "png"),
    "image/tiff": ((b"II*\x00", b"MM\x00*"), "tif"),
}
# The applicant adds documents while drafting and when the office asks for them.
OPEN_FOR_DOCUMENTS = frozenset({State.DRAFT, State.AWAITING_DOCUMENTS})


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(head: bytes) -> Sniffed | None:
    for content_type, (magics, ext) in SIGNATURES.items():
        if any(head.startswith(m) for m in magics):
            return Sniffed(content_type, ext)
    return None


def read_checked(upload, *, name: str) -> tuple[bytes, Sniffed]:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise InvalidInput(_("%(name)s is larger than %(mb)s MB.") % {
            "name": name, "mb": MAX_BYTES // 2**20}, detail={"file": name, "size": size})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("%(name)s is larger than %(mb)s MB.") % {
            "name": name, "mb": MAX_BYTES // 2**20}, detail={"file": name})
    if not data:
        raise InvalidInput(_("%(name)s is empty.") % {"name": name}, detail={"file": name})
    kind = sniff(data[:16])
    if kind is None:
        raise InvalidInput(_("%(name)s is not a PDF, JPEG, PNG or TIFF file (checked on its "
                             "content).") % {"name": name}, detail={"file": name})
    return data, kind


@transaction.atomic
def attachment_add(*, application: Application, by, upload, purpose: str) -> Attachment:
    # The state is read under the row lock: a submission or decision committing meanwhile
    # (the caller's copy may be stale) must not get a document added behind its back.
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != by.pk:
        raise Forbidden(_("Only the applicant may add documents."))
    if application.state not in OPEN_FOR_DOCUMENTS:
        raise InvalidInput(_("Documents can be added to a draft or when the office asks for "
                             "them."), detail={"state": application.state})
    if purpose not in dict(Attachment.PURPOSE_CHOICES):
        raise InvalidInput(_("Unknown kind of document."), detail={"field": "purpose"})
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
    data, kind = read_checked(upload, name=name)
    digest = hashlib.sha256(data).hexdigest()
    att = Attachment(application=application, purpose=purpose, original_name=name,
                     content_type=kind.content_type, size=len(data), sha256=digest,
                     uploaded_by=by)
    # Stored under a name we make: the uploaded name is only displayed.
    att.file.save(f"{digest[:24]}.{kind.extension}", ContentFile(data), save=False)
    att.save()
    return att
