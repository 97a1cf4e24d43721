"""Checking uploaded session materials by what they contain, never by name or declared type.

Participants attach slides, handouts and photos to their session proposals, and everybody else
at the barcamp downloads them from our domain. A file that a browser could be talked into
treating as a web page (HTML, SVG, a "polyglot" that is a valid image *and* a script) would run
with our origin's rights: cross-site scripting through an upload. So the rules are:

- **The content decides.** The file name and the ``Content-Type`` the browser sent are chosen by
  the uploader and are ignored. We look at the magic bytes, open ZIP containers with
  :mod:`zipfile` and verify images with Pillow; the result is a :class:`CheckedUpload` that
  names the one safe type and extension we will serve the file as.
- **Only a short allow-list** of formats: PDF, PNG, JPEG, GIF, WebP, Office Open XML (docx,
  xlsx, pptx) and OpenDocument (odt, ods, odp). Everything else is refused: SVG, HTML, XML,
  JavaScript, executables, unknown binaries.
- **No active content we can see.** PDFs with JavaScript or launch actions, Office documents with
  macros, encrypted containers we cannot look into, and ZIPs that unpack to far more than they
  weigh (zip bombs) are refused.
- **No polyglots.** A file whose first 1024 bytes hold HTML or script markers is refused even if
  its magic bytes are fine, because that is the window in which browsers' content sniffers look
  (WHATWG MIME Sniffing). Images are searched whole for ``<script``, ``<svg`` and ``<html`` tags,
  since nothing legitimate in a picture needs them.
- **Bounded work.** At most ``max_bytes + 1`` bytes are ever read, ZIP members are judged by
  their directory entries (only the small ``[Content_Types].xml`` and ``mimetype`` parts are
  unpacked, with a cap) and images are verified, never decoded into pixels.

This check is one layer, not the whole defence. It cannot see everything (scripts inside XFA
forms, a macro an OpenDocument file calls from the office suite's own library, a malicious
but well-formed image exploiting a viewer's bug). That is why the serving side, written
elsewhere, additionally sends every upload as a download (``Content-Disposition: attachment``
with :func:`safe_filename`), with the type from :class:`CheckedUpload`, with
``X-Content-Type-Options: nosniff`` (so no browser second-guesses that type, and an image is
never run as a script) and with a ``Content-Security-Policy: sandbox`` (so even a page a browser
somehow renders gets no origin and no scripts).

The ``name`` given to :func:`check_upload` is used only to say which file a message is about.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Final

from django.utils.formats import number_format
from django.utils.translation import gettext
from PIL import Image

from unkonf.core.exceptions import DomainError

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

MAX_UPLOAD_BYTES: Final = 20 * 1024 * 1024

# ZIP containers (Office Open XML, OpenDocument): limits against zip bombs.
MAX_UNPACKED_BYTES: Final = 200 * 1024 * 1024
MAX_ZIP_MEMBERS: Final = 2_000
MAX_COMPRESSION_RATIO: Final = 100
# The ratio is judged only for members that unpack to more than this: a small, very repetitive
# XML part (a styles sheet, an empty table) may well shrink a hundredfold and harms nobody.
RATIO_CHECKED_FROM_BYTES: Final = 1024 * 1024
# Images: Pillow's own decompression-bomb threshold (about 89 megapixels) applies on top.
MAX_IMAGE_PIXELS: Final = 89_478_485

SNIFF_WINDOW: Final = 1024
FILENAME_MAX_CHARS: Final = 100
FALLBACK_FILENAME: Final = "Material"

_READ_CHUNK: Final = 1024 * 1024
_MEGABYTE: Final = 1024 * 1024
_SMALL_PART_BYTES: Final = 1024 * 1024  # [Content_Types].xml, mimetype
_OBJECT_STREAM_BYTES: Final = 16 * 1024 * 1024
_OBJECT_STREAMS_TOTAL_BYTES: Final = 64 * 1024 * 1024

_CONTENT_TYPES: Final = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
_EXTENSIONS: Final = {"jpeg": ".jpg"}  # the rest: "." + kind
_PILLOW_FORMATS: Final = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
# Office Open XML: the folder of the main part, and the main part itself.
_OOXML_MAIN_PARTS: Final = {
    "docx": ("word/", "word/document.xml"),
    "xlsx": ("xl/", "xl/workbook.xml"),
    "pptx": ("ppt/", "ppt/presentation.xml"),
}
_ODF_KINDS: Final = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}

# What a browser's sniffer would take for a web page, anywhere in the first 1024 bytes.
_MARKUP_IN_HEAD: Final = (b"<html", b"<script", b"<svg", b"<!doctype html", b"<body", b"<iframe")
# In an image, anywhere: the tag name must end as an HTML tokenizer ends it (space, "/", ">"),
# so that random bytes of compressed pixel data do not look like "<svg" once in a while.
_MARKUP_IN_IMAGE: Final = re.compile(rb"<(?:script|svg|html)[\s/>]", re.IGNORECASE)
# A PDF name object ("/JavaScript"); "#xx" escapes are decoded before comparing.
_PDF_NAME: Final = re.compile(rb"/([^\s/<>\[\]()%{}\x00]+)")
_PDF_NAME_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_ACTIVE_NAMES: Final = frozenset({b"JavaScript", b"JS", b"Launch"})
# The keyword that starts a stream's data ("endstream" does not match: no word boundary).
_PDF_STREAM: Final = re.compile(rb"\bstream\r?\n")

_ALLOWED_PUNCTUATION: Final = frozenset("-_. ")
_WINDOWS_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)
# Extensions a download name loses before the checked one is put on ("Folien.PDF",
# "rechnung.pdf.exe"): the ones we accept and the usual disguises.
_KNOWN_EXTENSIONS: Final = frozenset(
    {ext.removeprefix(".") for ext in _EXTENSIONS.values()}
    | set(_CONTENT_TYPES)
    | {"jpe", "jfif", "tif", "tiff", "bmp", "svg", "svgz", "ico", "heic", "avif"}
    | {"htm", "html", "xhtml", "xht", "shtml", "mht", "mhtml", "xml", "xsl", "js", "mjs"}
    | {"php", "asp", "aspx", "jsp", "swf", "css", "json", "txt", "csv", "rtf"}
    | {"doc", "docm", "dot", "dotx", "dotm", "xls", "xlsm", "xlsb", "xlt", "xltx", "xltm"}
    | {"ppt", "pptm", "pps", "ppsx", "ppsm", "pot", "potx", "potm"}
    | {"ott", "ots", "otp", "odg", "odf", "zip", "rar", "7z", "gz", "tar"}
    | {"exe", "com", "bat", "cmd", "msi", "scr", "pif", "vbs", "vbe", "jar", "ps1", "sh", "lnk"}
    | {"dll", "cpl", "hta", "reg", "app", "dmg", "apk", "deb", "rpm", "iso", "img"}
)


@dataclass(frozen=True)
class CheckedUpload:
    """What an upload turned out to be, and the one way we will serve it."""

    kind: str  # "pdf" | "png" | "jpeg" | "gif" | "webp" | "docx" | … | "odp"
    content_type: str
    extension: str  # ".pdf", ".jpg", …


class UploadRefused(DomainError):
    """An uploaded file is not accepted; ``code`` says why, ``message`` says it to the person.

    Codes: ``too_large``, ``empty``, ``unknown_type``, ``markup``, ``damaged``,
    ``too_many_pixels``, ``pdf_active_content``, ``encrypted``, ``macros``, ``zip_bomb``.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, field="file")
        self.code = code


def check_upload(
    file: IO[bytes] | UploadedFile, *, name: str, max_bytes: int = MAX_UPLOAD_BYTES
) -> CheckedUpload:
    """Decide from its content whether ``file`` is accepted, and as what.

    Raises :class:`UploadRefused` otherwise. Reads at most ``max_bytes + 1`` bytes and leaves
    the file positioned at 0 either way.
    """
    shown = _display_name(name)
    declared_size = getattr(file, "size", None)
    if isinstance(declared_size, int) and declared_size > max_bytes:
        raise _too_large(shown, max_bytes)
    file.seek(0)
    try:
        data = _read_at_most(file, max_bytes + 1)
    finally:
        file.seek(0)
    if len(data) > max_bytes:
        raise _too_large(shown, max_bytes)
    if not data:
        raise UploadRefused(gettext("“%(name)s” is empty.") % {"name": shown}, code="empty")

    kind = _kind_by_magic(data)
    if kind is None:
        raise _unknown_type(shown)
    _refuse_markup(data, kind=kind, shown=shown)
    if kind == "pdf":
        _check_pdf(data, shown=shown)
    elif kind in _PILLOW_FORMATS:
        _check_image(data, kind=kind, shown=shown)
    else:
        kind = _check_zip(data, shown=shown)
    return CheckedUpload(
        kind=kind,
        content_type=_CONTENT_TYPES[kind],
        extension=_EXTENSIONS.get(kind, f".{kind}"),
    )


def safe_filename(name: str, extension: str) -> str:
    """A name to offer the file for download under: harmless on every system, with ``extension``.

    Keeps letters of any script (German umlauts included), digits, ``-``, ``_``, ``.`` and
    spaces; drops any path, control and invisible formatting characters (right-to-left
    overrides that would turn ``gpj.exe`` round); replaces other characters with ``_``; strips
    extensions the name already had and puts the checked one on; at most 100 characters.
    """
    ext = extension.lower()
    if not ext.startswith("."):
        ext = f".{ext}"
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", ext):
        raise ValueError(f"not a file extension: {extension!r}")
    stem = _clean_name(name)
    for _ in range(3):  # "rechnung.pdf.exe" loses both
        base, dot, suffix = stem.rpartition(".")
        if not dot or suffix.lower() not in _KNOWN_EXTENSIONS | {ext[1:]}:
            break
        stem = base.rstrip(" ._-")
    stem = stem[: FILENAME_MAX_CHARS - len(ext)].rstrip(" ._-")
    if not stem:
        stem = FALLBACK_FILENAME
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem}{ext}"


# --- reading and names -----------------------------------------------------------------------


def _read_at_most(file: IO[bytes] | UploadedFile, limit: int) -> bytes:
    """Up to ``limit`` bytes, in chunks, however few bytes a single read returns."""
    buffer = bytearray()
    while len(buffer) < limit:
        chunk = file.read(min(_READ_CHUNK, limit - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def _clean_name(name: str) -> str:
    """The last path component of ``name`` with only harmless characters, tidied."""
    name = unicodedata.normalize("NFKC", name)
    name = re.split(r"[/\\]", name)[-1]
    kept: list[str] = []
    for char in name:
        category = unicodedata.category(char)
        if char in _ALLOWED_PUNCTUATION or category.startswith("L") or category == "Nd":
            kept.append(char)
        elif category.startswith("Z") or char in "\t\n\r":
            kept.append(" ")
        elif category.startswith(("C", "M")):
            continue  # control, format (RTL override, zero width), unassigned; stray marks
        else:
            kept.append("_")
    cleaned = "".join(kept)
    cleaned = re.sub(r" {2,}", " ", cleaned)
    cleaned = re.sub(r"_{2,}", "_", cleaned)
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    return cleaned.strip(" ._-")


def _display_name(name: str) -> str:
    """The uploader's file name, fit to be shown in a message."""
    cleaned = _clean_name(name) or FALLBACK_FILENAME
    return cleaned if len(cleaned) <= 60 else f"{cleaned[:59]}…"


# --- refusals --------------------------------------------------------------------------------


def _too_large(shown: str, max_bytes: int) -> UploadRefused:
    megabytes = max_bytes / _MEGABYTE
    limit = number_format(megabytes, decimal_pos=0 if megabytes.is_integer() else 1)
    return UploadRefused(
        gettext("“%(name)s” is larger than %(limit)s MB.") % {"name": shown, "limit": limit},
        code="too_large",
    )


def _unknown_type(shown: str) -> UploadRefused:
    return UploadRefused(
        gettext(
            "“%(name)s” is not a file type we accept. Allowed are PDF, PNG, JPEG, GIF and WebP "
            "files, Word, Excel and PowerPoint documents (.docx, .xlsx, .pptx) and OpenDocument "
            "files (.odt, .ods, .odp)."
        )
        % {"name": shown},
        code="unknown_type",
    )


def _damaged(shown: str) -> UploadRefused:
    return UploadRefused(
        gettext("“%(name)s” is damaged or not what its format says; it could not be read.")
        % {"name": shown},
        code="damaged",
    )


def _encrypted(shown: str) -> UploadRefused:
    return UploadRefused(
        gettext(
            "“%(name)s” is encrypted or password-protected, so we cannot check it. "
            "Please upload a copy without protection."
        )
        % {"name": shown},
        code="encrypted",
    )


# --- detection -------------------------------------------------------------------------------


def _kind_by_magic(data: bytes) -> str | None:
    """The kind the first bytes claim; ZIP containers are ``"zip"`` until opened."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _refuse_markup(data: bytes, *, kind: str, shown: str) -> None:
    head = data[:SNIFF_WINDOW].lower()
    # UTF-16 text is ASCII with NUL bytes in between; a sniffer may read it past a BOM.
    heads = (head, head.replace(b"\x00", b""))
    found = any(marker in text for marker in _MARKUP_IN_HEAD for text in heads)
    if not found and kind in _PILLOW_FORMATS:
        found = _MARKUP_IN_IMAGE.search(data) is not None
    if found:
        raise UploadRefused(
            gettext(
                "“%(name)s” contains web page code (HTML or script) and is not accepted, "
                "even though it looks like a different file type."
            )
            % {"name": shown},
            code="markup",
        )


# --- PDF -------------------------------------------------------------------------------------


def _pdf_names(data: bytes) -> set[bytes]:
    """Every name object in ``data``, with ``#xx`` escapes decoded (``/J#53`` is ``/JS``)."""
    return {
        _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
        for raw in _PDF_NAME.findall(data)
    }


def _check_pdf(data: bytes, *, shown: str) -> None:
    names = _pdf_names(data)
    if b"Encrypt" in names:
        raise _encrypted(shown)
    names |= _pdf_object_stream_names(data, shown=shown)
    if names & _PDF_ACTIVE_NAMES:
        raise UploadRefused(
            gettext(
                "“%(name)s” contains JavaScript or an action that starts other programs, "
                "which we do not accept in PDFs. Please upload a PDF without them."
            )
            % {"name": shown},
            code="pdf_active_content",
        )


def _pdf_object_stream_names(data: bytes, *, shown: str) -> set[bytes]:
    """Names inside compressed object streams (PDF 1.5+), where dictionaries can hide.

    Only object streams are unpacked: any ``/JS`` or ``/JavaScript`` key sits in a dictionary,
    and a dictionary is either plain text in the file or inside an object stream. An object
    stream we cannot unpack (a filter other than Flate) makes the PDF uncheckable: refused.
    """
    names: set[bytes] = set()
    budget = _OBJECT_STREAMS_TOTAL_BYTES
    for match in _PDF_STREAM.finditer(data):
        dictionary = data[data.rfind(b"obj", 0, match.start()) : match.start()]
        if b"ObjStm" not in _pdf_names(dictionary):
            continue
        start = match.end()
        end = data.find(b"endstream", start)
        if end == -1:
            raise _damaged(shown)
        inflater = zlib.decompressobj()
        try:
            unpacked = inflater.decompress(data[start:end], min(_OBJECT_STREAM_BYTES, budget))
        except zlib.error:
            raise _damaged(shown) from None
        if inflater.unconsumed_tail:  # more than we are willing to unpack
            raise _damaged(shown)
        budget -= len(unpacked)
        names |= _pdf_names(unpacked)
    return names


# --- images ----------------------------------------------------------------------------------


def _check_image(data: bytes, *, kind: str, shown: str) -> None:
    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]]) as image:
            pixels = image.width * image.height
            image.verify()
    except Image.DecompressionBombError:
        raise _too_many_pixels(shown) from None
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, struct.error, …)
        raise _damaged(shown) from None
    if pixels > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(shown)


def _too_many_pixels(shown: str) -> UploadRefused:
    return UploadRefused(
        gettext("“%(name)s” has more than %(megapixels)s megapixels; please make it smaller.")
        % {"name": shown, "megapixels": MAX_IMAGE_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


# --- ZIP containers --------------------------------------------------------------------------


def _check_zip(data: bytes, *, shown: str) -> str:
    """The kind of Office or OpenDocument file ``data`` is; refuses anything else."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _refuse_zip_bomb(members, shown=shown)
            if any(info.flag_bits & 0x1 for info in members):
                raise _encrypted(shown)
            names = [info.filename for info in members]
            if len(set(names)) != len(names):  # readers disagree about which one counts
                raise _damaged(shown)
            odf_kind = _odf_kind(archive, members)
            if odf_kind is not None:
                if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    raise _macros(shown)
                return odf_kind
            return _ooxml_kind(archive, names, shown=shown)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError, RuntimeError):
        # corrupt headers, unknown compression, "file is encrypted" on reading a part, …
        raise _damaged(shown) from None


def _refuse_zip_bomb(members: list[zipfile.ZipInfo], *, shown: str) -> None:
    too_many = len(members) > MAX_ZIP_MEMBERS
    too_big = sum(info.file_size for info in members) > MAX_UNPACKED_BYTES
    too_dense = any(
        info.file_size > RATIO_CHECKED_FROM_BYTES
        and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size
        for info in members
    )
    if too_many or too_big or too_dense:
        raise UploadRefused(
            gettext(
                "“%(name)s” unpacks to far more data than it is large (more than "
                "%(limit)s MB, more than %(count)s parts or packed more than %(ratio)s "
                "times) and is not accepted."
            )
            % {
                "name": shown,
                "limit": MAX_UNPACKED_BYTES // _MEGABYTE,
                "count": MAX_ZIP_MEMBERS,
                "ratio": MAX_COMPRESSION_RATIO,
            },
            code="zip_bomb",
        )


def _read_small_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as part:
        return part.read(_SMALL_PART_BYTES)


def _odf_kind(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> str | None:
    """``odt``/``ods``/``odp`` if the first member is ``mimetype`` with that ODF type."""
    first = members[0] if members else None
    if first is None or first.filename != "mimetype" or first.header_offset != 0:
        return None
    return _ODF_KINDS.get(_read_small_part(archive, first).strip())


def _ooxml_kind(archive: zipfile.ZipFile, names: list[str], *, shown: str) -> str:
    lowered = {name.lower(): name for name in names}
    content_types = lowered.get("[content_types].xml")
    if content_types is None:
        raise _unknown_type(shown)
    kinds = [
        kind
        for kind, (folder, _main) in _OOXML_MAIN_PARTS.items()
        if any(name.startswith(folder) for name in lowered)
    ]
    if len(kinds) != 1 or _OOXML_MAIN_PARTS[kinds[0]][1] not in lowered:
        raise _unknown_type(shown)
    if any(name.rsplit("/", 1)[-1] in {"vbaproject.bin", "vbadata.xml"} for name in lowered):
        raise _macros(shown)
    declared = _read_small_part(archive, archive.getinfo(content_types)).lower()
    if b"macroenabled" in declared or b"vbaproject" in declared:
        raise _macros(shown)
    return kinds[0]


def _macros(shown: str) -> UploadRefused:
    return UploadRefused(
        gettext(
            "“%(name)s” contains macros, which we do not accept. Please save it as a document "
            "without macros (for example .docx instead of .docm) and upload it again."
        )
        % {"name": shown},
        code="macros",
    )
