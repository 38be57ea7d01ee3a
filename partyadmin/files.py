"""Stored files: written by services whose transaction may still fail, served only after a scope check.

Rows roll back with the transaction; files in storage do not. A service that stores uploads wraps the
writing in `removed_on_failure(storage)` and appends each stored name: if anything in the block raises
(including an interrupt), the files are deleted again and the error goes on unchanged.

Uploads (meeting photos, evidence, materials) are never on a static or media URL: a view checks the
user's scope through its selector, then answers with `stored_file_response(...)`.
"""

import contextlib
import logging
from collections.abc import Iterator

from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def removed_on_failure(storage: Storage) -> Iterator[list[str]]:
    names: list[str] = []
    try:
        yield names
    except BaseException:  # cleanup only: the error is re-raised as it was
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("could not remove %s after a failed write", name)
        raise


def stored_file_response(file: FieldFile, *, content_type: str | None = None, filename: str = "",
                         inline: bool = False) -> FileResponse:
    """The stored file, after the caller's scope check: 404 when the file is gone from storage, never sniffed
    by the browser, shown in place (`inline`, e.g. a photo) or downloaded under `filename`."""
    if not file:
        raise Http404("文件不存在。")
    try:
        handle = file.open("rb")
    except OSError:  # FileNotFoundError included
        raise Http404("文件不存在。") from None
    response = FileResponse(handle, as_attachment=not inline, filename=filename or None,
                            content_type=content_type)
    if inline:
        response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response
