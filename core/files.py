"""Private files: personal documents reach a client only through a view that checked access.

Nothing under MEDIA_ROOT is served by URL: submission confirmations, zoning extract
drafts, attachments and uploaded import files hold names, addresses and PESEL numbers.
A view applies the rules of the case or import the file belongs to and then answers
with `private_file_response`: Django streams the file itself, or, in production, hands
the transfer to the front server with `X-Accel-Redirect` (nginx) pointing into an
`internal` location mapped onto MEDIA_ROOT (PRIVATE_FILES_ACCEL_PREFIX, see
deploy/nginx.conf), so gunicorn threads are not held by downloads.
"""
from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.db import router, transaction
from django.db.models import FileField, Model
from django.db.models.deletion import Collector
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

# A shared cache (a proxy, the browser's disk cache on a shared office PC) keeps none of it.
PRIVATE_CACHE_CONTROL = "private, no-store"


def private_file_response(file: FieldFile, *, filename: str, content_type: str,
                          as_attachment: bool = False) -> HttpResponse:
    """The answer carrying `file` to a client already allowed to have it."""
    prefix = getattr(settings, "PRIVATE_FILES_ACCEL_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(file.name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        response = FileResponse(file.open("rb"), content_type=content_type,
                                as_attachment=as_attachment, filename=filename)
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return response


def files_delete_on_commit(files: Iterable[FieldFile]) -> None:
    """Remove the stored files once the transaction that dropped their rows commits
    (a rollback keeps rows and files together)."""
    stored = [(file.storage, file.name) for file in files if file]

    def delete() -> None:
        for storage, name in stored:
            storage.delete(name)

    transaction.on_commit(delete)


def instance_delete_with_files(instance: Model) -> None:
    """Delete `instance` with everything that cascades from it, and every file those rows
    hold: a deleted draft leaves none of its documents behind."""
    collector = Collector(using=router.db_for_write(type(instance)))
    collector.collect([instance])
    rows: list[Model] = [row for group in collector.data.values() for row in group]
    for queryset in collector.fast_deletes:
        rows.extend(queryset)
    files = [getattr(row, field.attname) for row in rows for field in row._meta.concrete_fields
             if isinstance(field, FileField)]
    instance.delete()
    files_delete_on_commit(files)
