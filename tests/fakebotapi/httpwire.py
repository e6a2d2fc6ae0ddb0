"""Just enough HTTP/1.1 for a Bot API emulator: read one request, parse its body, write replies.

Written on plain asyncio streams rather than an ASGI stack because the fault plan needs what
ASGI hides: closing a socket without any response, holding a request open, sending bytes that
are not JSON. Never opens a connection itself.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_HEADER_BYTES = 64 * 1024
# Telegram accepts uploads of up to 50 MB; a little headroom for the multipart framing.
MAX_BODY_BYTES = 52 * 1024 * 1024


class HttpError(Exception):
    """The request could not be read; the connection is answered with `status` and closed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file part of a multipart request, as the client sent it."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(slots=True)
class HttpRequest:
    """One parsed request: target split into path and query, headers lower-cased, raw body."""

    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes
    path: str = ""
    query: str = ""
    form: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    files: dict[str, UploadedFile] = field(default_factory=dict)
    body_error: str | None = None

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """Read one request from a keep-alive connection; None when the client closed it cleanly."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise HttpError(400, "incomplete request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise HttpError(431, "request head too large") from exc
    if len(head) > MAX_HEADER_BYTES:
        raise HttpError(431, "request head too large")
    lines = head[:-4].decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ", 2)
    except ValueError as exc:
        raise HttpError(400, "malformed request line") from exc
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(400, "malformed header line")
        headers[name.strip().lower()] = value.strip()
    request = HttpRequest(method.upper(), target, version, headers, b"")
    request.body = await _read_body(reader, headers)
    split = urlsplit(target)
    request.path = unquote(split.path)
    request.query = split.query
    return request


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return await _read_chunked(reader)
    length_text = headers.get("content-length")
    if not length_text:
        return b""
    try:
        length = int(length_text)
    except ValueError as exc:
        raise HttpError(400, "bad content-length") from exc
    if length < 0 or length > MAX_BODY_BYTES:
        raise HttpError(413, "body too large")
    try:
        return await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        raise HttpError(400, "body shorter than content-length") from exc


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    try:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                # Trailers (rare) end with an empty line like the head does.
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return bytes(body)
            body += await reader.readexactly(size)
            await reader.readexactly(2)
            if len(body) > MAX_BODY_BYTES:
                raise HttpError(413, "body too large")
    except (asyncio.IncompleteReadError, ValueError) as exc:
        raise HttpError(400, "bad chunked body") from exc


def parse_params(request: HttpRequest) -> None:
    """Fill form, json_body and files from the query string and the body, as Telegram accepts.

    The Bot API takes parameters from the query string, url-encoded forms, JSON bodies and
    multipart forms alike; a body that cannot be read is remembered in body_error so the caller
    can answer 400 the way Telegram does.
    """
    form: dict[str, str] = dict(parse_qsl(request.query, keep_blank_values=True))
    ctype = request.content_type
    try:
        if not request.body:
            pass
        elif ctype == "application/json":
            request.json_body = json.loads(request.body)
            if not isinstance(request.json_body, dict):
                request.body_error = "JSON body must be an object"
        elif ctype == "application/x-www-form-urlencoded":
            text = request.body.decode("utf-8")
            form.update(parse_qsl(text, keep_blank_values=True))
        elif ctype == "multipart/form-data":
            fields, files = parse_multipart(request.body, request.headers["content-type"])
            form.update(fields)
            request.files = files
        else:
            request.body_error = f"unsupported content type {ctype!r}"
    except (ValueError, UnicodeDecodeError) as exc:
        request.body_error = f"can't parse request body: {exc}"
    request.form = form


_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
_DISPOSITION_PARAM = re.compile(r';\s*([a-zA-Z*]+)=(?:"((?:[^"\\]|\\.)*)"|([^;]*))')


def parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and file parts (bytes kept exact)."""
    found = _BOUNDARY.search(content_type)
    if not found:
        raise ValueError("multipart body without a boundary")
    boundary = (found.group(1) or found.group(2)).encode("latin-1")
    delimiter = b"--" + boundary
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise ValueError("multipart body without parts")
    # chunks[0] is the preamble; the last one starts with "--" (the close delimiter).
    for chunk in chunks[1:-1]:
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part without a header block")
        part_headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, _, value = line.partition(":")
            part_headers[name.strip().lower()] = value.strip()
        params = {
            key.lower(): (quoted if quoted is not None else bare or "").replace('\\"', '"')
            for key, quoted, bare in _DISPOSITION_PARAM.findall(
                part_headers.get("content-disposition", "")
            )
        }
        field_name = params.get("name")
        if field_name is None:
            raise ValueError("multipart part without a name")
        if "filename" in params:
            files[field_name] = UploadedFile(
                field=field_name,
                filename=params["filename"],
                content_type=part_headers.get("content-type"),
                data=data,
            )
        else:
            fields[field_name] = data.decode("utf-8")
    return fields, files


def encode_response(
    status: int,
    body: bytes,
    *,
    content_type: str = "application/json",
    keep_alive: bool = True,
    extra_headers: dict[str, str] | None = None,
) -> bytes:
    """The bytes of one complete HTTP/1.1 response."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    headers = {
        "Server": "fakebotapi",
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
        "Connection": "keep-alive" if keep_alive else "close",
        **(extra_headers or {}),
    }
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + body
