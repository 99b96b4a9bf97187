"""Writing a stored file so that no reader ever sees half of it.

Every file the portal keeps (attachments, invoice PDFs, reports, billing
uploads) may be read by another app node on shared storage the moment it has
its name. So a file is written under a temporary name in the same folder,
flushed to disk, and only then renamed to its own name: a rename within a
folder is atomic on POSIX file systems (NFSv4 included), so readers see
either no file or the whole file. ``.part`` files are writes in progress and
``flask backup`` leaves them out.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: int = 0o600):
    """A binary file object for ``path``: written beside it as ``.part`` and
    renamed into place when the block ends; removed if the block fails."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


def write_atomic(path: str | os.PathLike, data: bytes, mode: int = 0o600) -> None:
    with atomic_open(path, mode) as fh:
        fh.write(data)
