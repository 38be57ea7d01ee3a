"""Files written inside a failing block are removed again; the error goes on unchanged."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from partyadmin.files import removed_on_failure


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
