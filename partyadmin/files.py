"""Files written by a service whose transaction may still fail.

Rows roll back with the transaction; files in storage do not. A service that stores uploads wraps the
writing in `removed_on_failure(storage)` and appends each stored name: if anything in the block raises
(including an interrupt), the files are deleted again and the error goes on unchanged.
"""

import contextlib
import logging
from collections.abc import Iterator

from django.core.files.storage import Storage

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
