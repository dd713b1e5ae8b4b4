"""Admin access to the Import folder (<db dir>/<db name>.ftp/Import, ftp/folder.py): what an FTP client would do against SFMC.

PUT /_emulator/ftp/Import/<name> (raw body = the file), GET and DELETE beside it, GET /_emulator/ftp/Import/
lists the folder. Names never leave the folder (no "..", no absolute paths, no links out): ftp/folder.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..domain import codes
from ..domain.errors import NotFound
from ..web import emulator

bp = Blueprint("ftp", __name__, url_prefix="/_emulator/ftp")


@bp.get("/Import/")
@bp.get("/Import")
def list_files():
    folder = emulator().import_folder
    items = folder.list()
    return jsonify(folder=str(folder.path), count=len(items), items=items)


@bp.put("/Import/<path:name>")
def put_file(name: str):
    # Import files may be larger than an API body: allow what the server accepts (twice the API limit),
    # streamed to disk rather than held in memory.
    request.max_content_length = 2 * emulator().config.max_body_bytes
    path = emulator().import_folder.write(name, request.stream)
    return jsonify(name=emulator().import_folder.safe_name(name), size=path.stat().st_size), 201


def _existing(name: str):
    path = emulator().import_folder.resolve(name)
    if not path.is_file():
        raise NotFound(f"No file '{name}' in the Import folder.", code=codes.REST.NOT_FOUND)
    return path


@bp.get("/Import/<path:name>")
def get_file(name: str):
    return Response(_existing(name).read_bytes(), mimetype="application/octet-stream")


@bp.delete("/Import/<path:name>")
def delete_file(name: str):
    _existing(name).unlink()
    return jsonify(deleted=emulator().import_folder.safe_name(name))
