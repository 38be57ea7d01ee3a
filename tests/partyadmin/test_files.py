"""Files written inside a failing block are removed again; the error goes on unchanged. Stored files are
answered without sniffing, in place or as a download, and a file gone from storage is a 404."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile, FileField
from django.http import Http404

from partyadmin.files import removed_on_failure, stored_file_response


def _stored(storage: FileSystemStorage, name: str) -> FieldFile:
    field = FileField(storage=storage)
    field.storage = storage
    return FieldFile(None, field, name)


def test_files_are_removed_when_the_block_fails(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    with pytest.raises(ValueError, match="boom"), removed_on_failure(storage) as names:
        names.append(storage.save("a.txt", ContentFile(b"x")))
        raise ValueError("boom")
    assert list(tmp_path.iterdir()) == []


def test_files_stay_when_the_block_succeeds(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    with removed_on_failure(storage) as names:
        names.append(storage.save("a.txt", ContentFile(b"x")))
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_stored_file_is_downloaded_under_its_name_and_never_sniffed(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("x7f3a.pdf", ContentFile(b"%PDF-1.7"))
    response = stored_file_response(_stored(storage, name), content_type="application/pdf", filename="会议记录.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "x7f3a" not in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7"


def test_a_photo_is_shown_in_place_without_its_storage_name(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("photo.jpg", ContentFile(b"jpg"))
    response = stored_file_response(_stored(storage, name), content_type="image/jpeg", inline=True)
    assert response["Content-Disposition"] == "inline"


def test_a_file_gone_from_storage_is_a_404(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    with pytest.raises(Http404):
        stored_file_response(_stored(storage, "gone.pdf"), content_type="application/pdf")
