"""Write a file in one step (one copy, for the checker's --fix, make sign-off and make new-page).

The new content goes to a temporary file beside the old one, is flushed to disk, takes the old
file's mode bits (0644 for a new file), and replaces the old file by a rename: a reader sees the
old file or the new one, never half of either, and an error leaves the old file as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644


def write_atomically(path: Path, content: str | bytes, expected: bytes | None = None) -> bool:
    """Replace (or create) `path` with `content`, keeping its mode bits.

    With `expected`, the file is replaced only if it still holds exactly those bytes when the
    new content is ready; it returns False, and leaves the file alone, when it does not."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else NEW_FILE_MODE
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if expected is not None and path.read_bytes() != expected:
            Path(temporary).unlink()
            return False
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
    return True


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the system allows opening a folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
