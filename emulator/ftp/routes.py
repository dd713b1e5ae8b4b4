"""Admin access to the Import folder (<db dir>/<db name>.ftp/Import, ftp/folder.py): what an FTP client would do against SFMC.

PUT /_emulator/ftp/Import/<name> (raw body = the file), GET and DELETE beside it, GET /_emulator/ftp/Import/
lists the folder. Names never leave the folder (no "..", no absolute paths, no links out): ftp/folder.py.

Names are checked here before the file system sees them: each path segment at most MAX_SEGMENT_BYTES of
UTF-8 (the file system's 255 less the upload's temporary `.NAME.upload` wrapping), the whole name at most
MAX_NAME_BYTES. A PUT onto a directory, or under a name that is a file, is a 409; a name the file system
still refuses is a 400. Never a 500.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, jsonify, request

from ..domain import codes
from ..domain.errors import Conflict, Invalid, NotFound
from ..web import emulator
from .folder import ImportFolder

bp = Blueprint("ftp", __name__, url_prefix="/_emulator/ftp")

MAX_SEGMENT_BYTES = 255 - len("..upload")
MAX_NAME_BYTES = 1024
NAME_CODE = codes.REST.INVALID_VALUE


def _folder() -> ImportFolder:
    return emulator().import_folder


def checked_name(name: str) -> str:
    """`name` if every segment fits the file system (and the folder's safe_name accepts it), else Invalid."""
    safe = _folder().safe_name(name)
    try:
        encoded = safe.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("The file name is not valid UTF-8.", code=NAME_CODE) from None
    if len(encoded) > MAX_NAME_BYTES:
        raise Invalid(f"The file name is longer than {MAX_NAME_BYTES} bytes.", code=NAME_CODE)
    for part in PurePosixPath(safe).parts:
        if len(part.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise Invalid(f"A file name segment is longer than {MAX_SEGMENT_BYTES} bytes.", code=NAME_CODE)
    return safe


def _refuse_collisions(folder: Path, name: str) -> None:
    """A PUT may not replace a directory, nor write beneath a name that is a file."""
    target = folder / name
    if target.is_dir() and not target.is_symlink():
        raise Conflict(f"'{name}' is a directory in the Import folder.", code=NAME_CODE)
    for parent in PurePosixPath(name).parents:
        if str(parent) != "." and (folder / parent).exists() and not (folder / parent).is_dir():
            raise Conflict(f"'{parent}' is a file in the Import folder, not a directory.", code=NAME_CODE)


@bp.get("/Import/")
@bp.get("/Import")
def list_files():
    folder = _folder()
    items = folder.list()
    return jsonify(folder=str(folder.path), count=len(items), items=items)


@bp.put("/Import/<path:name>")
def put_file(name: str):
    # Import files may be larger than an API body: allow what the server accepts (twice the API limit),
    # streamed to disk rather than held in memory.
    request.max_content_length = 2 * emulator().config.max_body_bytes
    folder = _folder()
    safe = checked_name(name)
    _refuse_collisions(folder.path, safe)
    try:
        path = folder.write(safe, request.stream)
    except OSError as exc:  # what the checks above cannot foresee (a race, a read-only folder)
        raise Invalid(f"The Import folder refused '{safe}': {exc.strerror or exc}.", code=NAME_CODE) from None
    return jsonify(name=safe, size=path.stat().st_size), 201


def _existing(name: str) -> Path:
    path = _folder().resolve(checked_name(name))
    try:
        found = path.is_file()
    except OSError:
        found = False
    if not found:
        raise NotFound(f"No file '{name}' in the Import folder.", code=codes.REST.NOT_FOUND)
    return path


@bp.get("/Import/<path:name>")
def get_file(name: str):
    return Response(_existing(name).read_bytes(), mimetype="application/octet-stream")


@bp.delete("/Import/<path:name>")
def delete_file(name: str):
    _existing(name).unlink()
    return jsonify(deleted=_folder().safe_name(name))
