"""The Enhanced FTP "Import" folder: a real directory, ``<db dir>/<db name>.ftp/Import`` (one per ``--db``
file, so two instances whose databases share a directory never share or wipe each other's files), that
clients fill through the admin API (ftp/routes.py) and ImportDefinitions read (domain/imports.py, which
receives this object from core.py and never imports it). Names never leave the folder: no "..", no absolute
paths, no links out.

Sandboxes made before the folder was per database kept it at ``<db dir>/ftp/Import``: an instance whose own
folder does not exist yet starts with a copy of that legacy folder's files (see ``for_database``); the
legacy folder itself is left alone (delete it once every instance has started once).

Its refusals are the domain's typed errors with SFMC's ImportDefinition code (43060), because a FileSpec an
import names is checked by the same rules as an upload's name.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ..clock import iso_utc
from ..domain.codes import SOAP
from ..domain.errors import Invalid, NotFound

VALIDATION = SOAP.IMPORT_VALIDATION


def safe_name(name: str | None) -> str:
    """A FileSpec / upload name that stays inside the Import folder, or Invalid (43060) saying why."""
    name = (name or "").strip()
    if not name:
        raise Invalid("ImportDefinition Validation Error: FileSpec is required.", code=VALIDATION)
    if "\\" in name or "\x00" in name:
        raise Invalid(f"ImportDefinition Validation Error: FileSpec '{name}' may not contain backslashes.",
                      code=VALIDATION)
    path = PurePosixPath(name)
    if path.is_absolute() or (len(name) > 1 and name[1] == ":"):
        raise Invalid(f"ImportDefinition Validation Error: FileSpec '{name}' must be relative to the Import "
                      "folder.", code=VALIDATION)
    if any(part in ("..", ".") for part in path.parts) or not path.parts:
        raise Invalid(f"ImportDefinition Validation Error: FileSpec '{name}' may not leave the Import folder.",
                      code=VALIDATION)
    return str(path)


class ImportFolder:
    """The folder; ``Emulator.reset()`` empties it with the rest of the state."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @classmethod
    def for_database(cls, db_path: Path) -> ImportFolder:
        """The Import folder of the instance whose database is ``db_path``: beside it, named after it."""
        db_path = db_path.resolve()
        path = db_path.parent / f"{db_path.name}.ftp" / "Import"
        legacy = db_path.parent / "ftp" / "Import"
        if not path.exists() and legacy.is_dir() and not legacy.is_symlink():
            # Copy, not move: another instance of the same directory may still expect these files.
            shutil.copytree(legacy, path, symlinks=True)
        return cls(path)

    @property
    def path(self) -> Path:
        self._path.mkdir(parents=True, exist_ok=True)
        return self._path

    def reset(self) -> None:
        """Empty the folder. An empty one is left as it is: the fixture resets before every test, and most
        tests put no file there (a rmtree and mkdir were a quarter of a reset)."""
        if self._path.is_dir():
            if not self._path.is_symlink():
                with os.scandir(self._path) as entries:
                    if next(entries, None) is None:
                        return
            shutil.rmtree(self._path)
        self._path.mkdir(parents=True, exist_ok=True)

    safe_name = staticmethod(safe_name)

    def resolve(self, name: str) -> Path:
        """The real path of a name inside the folder; refuses links (or anything) resolving outside it."""
        folder = self.path
        candidate = folder / safe_name(name)
        real = candidate.resolve()
        if not real.is_relative_to(folder.resolve()):
            raise Invalid(f"ImportDefinition Validation Error: '{name}' resolves outside the Import folder.",
                          code=VALIDATION)
        return candidate

    def find(self, file_spec: str) -> Path:
        """The file a FileSpec names; a spec with * or ? picks the newest matching file."""
        folder = self.path
        name = safe_name(file_spec)
        if any(c in name for c in "*?["):
            matches = [p for p in folder.rglob("*") if p.is_file()
                       and fnmatch.fnmatch(p.relative_to(folder).as_posix(), name)]
            if not matches:
                raise NotFound(f"No file in the Import folder matches '{file_spec}'.", code=VALIDATION)
            name = max(matches, key=lambda p: p.stat().st_mtime).relative_to(folder).as_posix()
        path = self.resolve(name)
        if not path.is_file():
            raise NotFound(f"The file '{file_spec}' was not found in the Import folder.", code=VALIDATION)
        return path

    def write(self, name: str, data: bytes | BinaryIO) -> Path:
        """Store an uploaded file (bytes or a stream, copied in chunks), atomically: a poller never sees half
        a file."""
        path = self.resolve(name)
        if path.is_symlink():
            raise Invalid(f"'{name}' is a link; links are not replaced.", code=VALIDATION)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.resolve(name)  # the parent directories may be links too
        tmp = path.with_name(f".{path.name}.upload")
        try:
            with open(tmp, "wb") as out:
                if isinstance(data, bytes | bytearray):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out, 1024 * 1024)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    def list(self) -> list[dict[str, Any]]:
        folder = self.path
        inside = folder.resolve()
        out = []
        for path in sorted(folder.rglob("*")):
            # A link out of the folder is not one of its files: listing it would tell its target's size.
            if path.is_file() and not path.name.startswith(".") and path.resolve().is_relative_to(inside):
                stat = path.stat()
                out.append({"name": path.relative_to(folder).as_posix(), "size": stat.st_size,
                            "modified": iso_utc(datetime.fromtimestamp(stat.st_mtime, tz=UTC))})
        return out
