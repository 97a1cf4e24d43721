"""Uploads are judged by their bytes: real files pass, disguised and active ones do not."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from unkonf.proposals.uploads import (
    MAX_UPLOAD_BYTES,
    CheckedUpload,
    UploadRefused,
    check_upload,
    safe_filename,
)

pytestmark = pytest.mark.unit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


# --- building real files -----------------------------------------------------------------------


def image_bytes(fmt: str, *, size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes(
    *extra_objects: bytes, catalog_extra: bytes = b"", trailer_extra: bytes = b""
) -> bytes:
    """A small, well-formed PDF (correct xref offsets) with one empty page."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def object_stream(content: bytes) -> bytes:
    packed = zlib.compress(content)
    return (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
        + packed
        + b"\nendstream"
    )


def zip_bytes(
    parts: dict[str, bytes], *, stored: frozenset[str] = frozenset(), level: int = 6
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(
                zipfile.ZipInfo(name), content, compress_type=method, compresslevel=level
            )
    return buffer.getvalue()


CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Ergebnisse der Session</w:t></w:r></w:p></w:body></w:document>"
)


def docx_parts() -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES_DOCX,
        "_rels/.rels": RELS,
        "word/document.xml": DOCUMENT_XML,
    }


def pptx_bytes() -> bytes:
    content_types = CONTENT_TYPES_DOCX.replace(b"/word/document.xml", b"/ppt/presentation.xml")
    content_types = content_types.replace(
        b"wordprocessingml.document.main", b"presentationml.presentation.main"
    )
    return zip_bytes(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": RELS.replace(b"word/document.xml", b"ppt/presentation.xml"),
            "ppt/presentation.xml": b'<?xml version="1.0"?><p:presentation xmlns:p='
            b'"http://schemas.openxmlformats.org/presentationml/2006/main"/>',
        }
    )


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Raum", "Uhrzeit", "Thema"])
    workbook.active.append(["A 1.02", "10:00", "E-Akte einführen"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odf_bytes(mimetype: bytes, **extra: bytes) -> bytes:
    parts = {
        "mimetype": mimetype,
        "META-INF/manifest.xml": b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        b'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="' + mimetype + b'"/></manifest:manifest>',
        "content.xml": b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.3"/>',
    }
    parts.update({name.replace("__", "/"): content for name, content in extra.items()})
    return zip_bytes(parts, stored=frozenset({"mimetype"}))


def refused(
    data: bytes, *, name: str = "material.bin", max_bytes: int = MAX_UPLOAD_BYTES
) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        check_upload(io.BytesIO(data), name=name, max_bytes=max_bytes)
    return caught.value


# --- accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "kind", "content_type", "extension"),
    [
        ("PNG", "png", "image/png", ".png"),
        ("JPEG", "jpeg", "image/jpeg", ".jpg"),
        ("GIF", "gif", "image/gif", ".gif"),
        ("WEBP", "webp", "image/webp", ".webp"),
    ],
)
def test_check_upload_real_image_is_accepted_as_its_kind(
    fmt: str, kind: str, content_type: str, extension: str
) -> None:
    checked = check_upload(io.BytesIO(image_bytes(fmt)), name="foto.dat")

    assert checked == CheckedUpload(kind=kind, content_type=content_type, extension=extension)


def test_check_upload_real_pdf_is_accepted() -> None:
    checked = check_upload(io.BytesIO(pdf_bytes()), name="Folien.pdf")

    assert checked == CheckedUpload(kind="pdf", content_type="application/pdf", extension=".pdf")


def test_check_upload_pdf_with_harmless_object_stream_is_accepted() -> None:
    data = pdf_bytes(object_stream(b"5 0 << /Type /Annot /Subtype /Link /A << /S /URI >> >>"))

    assert check_upload(io.BytesIO(data), name="x.pdf").kind == "pdf"


@pytest.mark.parametrize(
    ("data", "kind", "content_type"),
    [
        (zip_bytes(docx_parts()), "docx", DOCX),
        (xlsx_bytes(), "xlsx", XLSX),
        (pptx_bytes(), "pptx", PPTX),
        (odf_bytes(ODT.encode()), "odt", ODT),
        (odf_bytes(ODS.encode()), "ods", ODS),
        (odf_bytes(ODP.encode()), "odp", ODP),
    ],
    ids=["docx", "xlsx", "pptx", "odt", "ods", "odp"],
)
def test_check_upload_office_document_is_accepted_by_its_structure(
    data: bytes, kind: str, content_type: str
) -> None:
    checked = check_upload(io.BytesIO(data), name="dokument.zip")

    assert checked == CheckedUpload(kind=kind, content_type=content_type, extension=f".{kind}")


def test_check_upload_office_document_with_small_repetitive_part_is_accepted() -> None:
    parts = docx_parts() | {"word/styles.xml": b"<w:style/>" * 20_000}  # 200 kB, ratio > 100

    assert check_upload(io.BytesIO(zip_bytes(parts, level=9)), name="x.docx").kind == "docx"


def test_check_upload_ignores_the_name_and_judges_the_content() -> None:
    assert check_upload(io.BytesIO(image_bytes("PNG")), name="folien.pdf").kind == "png"


def test_check_upload_accepts_django_uploaded_file_and_rewinds_it() -> None:
    upload = SimpleUploadedFile("Folien.pdf", pdf_bytes(), content_type="text/html")
    upload.read(7)

    checked = check_upload(upload, name=upload.name or "")

    assert checked.kind == "pdf"
    assert upload.tell() == 0
    assert upload.read(5) == b"%PDF-"


def test_check_upload_rewinds_the_file_after_a_refusal() -> None:
    file = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100)

    with pytest.raises(UploadRefused):
        check_upload(file, name="setup.exe")

    assert file.tell() == 0


def test_check_upload_file_exactly_at_the_limit_is_accepted() -> None:
    data = pdf_bytes()

    assert check_upload(io.BytesIO(data), name="x.pdf", max_bytes=len(data)).kind == "pdf"


# --- size ------------------------------------------------------------------------------------


def test_check_upload_too_large_file_is_refused_naming_the_limit_in_mb() -> None:
    data = pdf_bytes() + b" " * (1024 * 1024)

    error = refused(data, name="Folien.pdf", max_bytes=1024 * 1024)

    assert error.code == "too_large"
    assert error.message == "“Folien.pdf” is larger than 1 MB."
    assert error.field == "file"


def test_check_upload_too_large_message_shows_fraction_of_mb() -> None:
    error = refused(b"x" * (600 * 1024), max_bytes=512 * 1024)

    assert "larger than 0.5 MB" in str(error)


def test_check_upload_default_limit_is_20_mb() -> None:
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    error = refused(b"\x00" * (MAX_UPLOAD_BYTES + 1))

    assert "larger than 20 MB" in str(error)


def test_check_upload_reads_no_more_than_one_byte_past_the_limit() -> None:
    class CountingReader(io.BytesIO):
        requested = 0

        def read(self, size: int | None = -1, /) -> bytes:
            assert size is not None
            assert size >= 0
            CountingReader.requested += size
            return super().read(size)

    error = refused_with(CountingReader(b"%PDF-" + b"0" * 10_000), max_bytes=100)

    assert error.code == "too_large"
    assert CountingReader.requested <= 101


def refused_with(file: io.BytesIO, *, max_bytes: int) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        check_upload(file, name="x", max_bytes=max_bytes)
    return caught.value


def test_check_upload_uses_declared_size_of_uploaded_file_before_reading() -> None:
    upload = SimpleUploadedFile("big.pdf", pdf_bytes())
    upload.size = 50 * 1024 * 1024

    with pytest.raises(UploadRefused) as caught:
        check_upload(upload, name="big.pdf")

    assert caught.value.code == "too_large"


def test_check_upload_empty_file_is_refused() -> None:
    error = refused(b"", name="leer.pdf")

    assert error.code == "empty"
    assert error.message == "“leer.pdf” is empty."


# --- wrong or unknown types ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b'<?xml version="1.0"?><note><to>Amt</to></note>',
        b"alert(document.cookie);",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
        b"\x7fELF\x02\x01\x01\x00",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,  # old .doc / encrypted Office
        b"Rar!\x1a\x07\x00",
        bytes(range(256)),
        b"Einfacher Text ohne Format.\n",
    ],
    ids=[
        "svg-script",
        "svg-onload",
        "html",
        "xml",
        "js",
        "exe",
        "elf",
        "ole",
        "rar",
        "binary",
        "txt",
    ],
)
def test_check_upload_unaccepted_type_is_refused(data: bytes) -> None:
    error = refused(data, name="datei.pdf")

    assert error.code == "unknown_type"
    assert "“datei.pdf” is not a file type we accept." in str(error)


def test_check_upload_html_renamed_pdf_is_refused() -> None:
    error = refused(
        b"\xef\xbb\xbf  \n<html><script>fetch('/api')</script></html>", name="agenda.pdf"
    )

    assert error.code == "unknown_type"


def test_check_upload_zip_that_is_no_office_document_is_refused() -> None:
    error = refused(zip_bytes({"readme.txt": b"hallo", "payload.exe": b"MZ"}))

    assert error.code == "unknown_type"


def test_check_upload_zip_with_word_folder_but_no_main_part_is_refused() -> None:
    parts = docx_parts()
    del parts["word/document.xml"]

    assert refused(zip_bytes(parts | {"word/other.xml": b"<x/>"})).code == "unknown_type"


def test_check_upload_odf_template_mimetype_is_refused() -> None:
    data = odf_bytes(b"application/vnd.oasis.opendocument.text-template")

    assert refused(data).code == "unknown_type"


# --- polyglots -------------------------------------------------------------------------------


def test_check_upload_gif_javascript_polyglot_is_refused() -> None:
    data = b"GIF89a/*\x00\x00\x00\x00*/=1;<script>alert(document.domain)</script>//" + b"\x00;"

    error = refused(data, name="bild.gif")

    assert error.code == "markup"
    assert "contains web page code (HTML or script)" in str(error)


def test_check_upload_png_with_script_appended_is_refused() -> None:
    data = image_bytes("PNG") + b"\n" + b"\x00" * 5000 + b"<SCRIPT>alert(1)</SCRIPT>"

    assert refused(data, name="logo.png").code == "markup"


def test_check_upload_jpeg_with_svg_tag_deep_inside_is_refused() -> None:
    data = image_bytes("JPEG", size=(64, 64)) + b"\x00" * 4096 + b'<svg onload="alert(1)">'

    assert refused(data).code == "markup"


def test_check_upload_pdf_with_html_in_its_first_bytes_is_refused() -> None:
    data = b"%PDF-1.4\n%<html><body onload=alert(1)>\n" + pdf_bytes()[9:]

    assert refused(data).code == "markup"


def test_check_upload_markup_in_utf16_after_magic_is_refused() -> None:
    data = b"%PDF-1.4\n" + "<iframe src=x>".encode("utf-16-le") + pdf_bytes()[9:]

    assert refused(data).code == "markup"


def test_check_upload_pdf_with_markup_only_after_the_sniff_window_is_accepted() -> None:
    data = pdf_bytes(b"(" + b" " * 2000 + b"<html> in a text string)")

    assert check_upload(io.BytesIO(data), name="x.pdf").kind == "pdf"


def test_check_upload_image_that_pillow_cannot_read_is_refused() -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\xff" * 40

    error = refused(data, name="kaputt.png")

    assert error.code == "damaged"
    assert error.message == (
        "“kaputt.png” is damaged or not what its format says; it could not be read."
    )


def test_check_upload_png_with_broken_checksum_is_refused() -> None:
    data = bytearray(image_bytes("PNG"))
    data[29] ^= 0xFF  # inside the IHDR chunk: its CRC no longer matches

    assert refused(bytes(data)).code == "damaged"


# --- PDF active content ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("catalog_extra", "extra_object"),
    [
        (b"/OpenAction 4 0 R ", b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"),
        (b"/Names << /JavaScript 4 0 R >> ", b"<< /Names [(a) 5 0 R] >>"),
        (b"/OpenAction 4 0 R ", b"<< /S /Launch /F (cmd.exe) >>"),
        (b"/OpenAction 4 0 R ", b"<< /S /Java#53cript /J#53 (app.alert(1)) >>"),
    ],
    ids=["openaction-js", "names-javascript", "launch", "hex-escaped-names"],
)
def test_check_upload_pdf_with_javascript_or_launch_is_refused(
    catalog_extra: bytes, extra_object: bytes
) -> None:
    error = refused(pdf_bytes(extra_object, catalog_extra=catalog_extra), name="Folien.pdf")

    assert error.code == "pdf_active_content"
    assert "contains JavaScript or an action that starts other programs" in str(error)


def test_check_upload_pdf_with_javascript_hidden_in_object_stream_is_refused() -> None:
    data = pdf_bytes(object_stream(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>"))

    assert refused(data).code == "pdf_active_content"


def test_check_upload_pdf_with_object_stream_it_cannot_unpack_is_refused() -> None:
    data = pdf_bytes(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode >>\nstream\n2F4A53>\nendstream"
    )

    assert refused(data).code == "damaged"


def test_check_upload_encrypted_pdf_is_refused() -> None:
    data = pdf_bytes(b"<< /Filter /Standard /V 2 /R 3 >>", trailer_extra=b"/Encrypt 4 0 R ")

    error = refused(data, name="geschützt.pdf")

    assert error.code == "encrypted"
    assert error.message == (
        "“geschützt.pdf” is encrypted or password-protected, so we cannot check it. "
        "Please upload a copy without protection."
    )


# --- ZIP containers --------------------------------------------------------------------------


def test_check_upload_docx_with_vba_project_is_refused() -> None:
    data = zip_bytes(docx_parts() | {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})

    error = refused(data, name="Vorlage.docx")

    assert error.code == "macros"
    assert "contains macros, which we do not accept" in str(error)


def test_check_upload_macro_enabled_content_type_is_refused() -> None:
    parts = docx_parts()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"officedocument.wordprocessingml.document.main+xml",
        b"ms-word.document.macroEnabled.main+xml",
    )

    assert refused(zip_bytes(parts)).code == "macros"


def test_check_upload_odt_with_basic_macros_is_refused() -> None:
    data = odf_bytes(ODT.encode(), Basic__Standard__Module1_xml=b"<script:module/>")

    assert refused(data).code == "macros"


def test_check_upload_member_with_huge_compression_ratio_is_refused() -> None:
    data = zip_bytes(docx_parts() | {"word/media/bomb.xml": b"\x00" * (3 * 1024 * 1024)}, level=9)

    error = refused(data, name="bombe.docx")

    assert error.code == "zip_bomb"
    assert "unpacks to far more data than it is large" in str(error)
    assert "more than 200 MB, more than 2000 parts or packed more than 100 times" in str(error)


def test_check_upload_zip_with_too_many_members_is_refused() -> None:
    parts = docx_parts() | {f"word/media/{n}.xml": b"" for n in range(2001)}

    assert refused(zip_bytes(parts)).code == "zip_bomb"


def test_check_upload_zip_declaring_too_much_unpacked_data_is_refused() -> None:
    data = bytearray(zip_bytes(docx_parts()))
    # Raise the uncompressed size in the central directory entry of "word/document.xml".
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"word/document.xml"))
    data[entry + 24 : entry + 28] = (300 * 1024 * 1024).to_bytes(4, "little")

    assert refused(bytes(data)).code == "zip_bomb"


def test_check_upload_encrypted_zip_member_is_refused() -> None:
    data = bytearray(zip_bytes(docx_parts()))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + flag_offset] |= 0x01
            start += 4

    assert refused(bytes(data)).code == "encrypted"


def test_check_upload_truncated_zip_is_refused() -> None:
    data = zip_bytes(docx_parts())

    assert refused(data[: len(data) // 2]).code == "damaged"


def test_check_upload_zip_with_duplicate_member_names_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in docx_parts().items():
            archive.writestr(name, content)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("word/document.xml", b"<other/>")

    assert refused(buffer.getvalue()).code == "damaged"


# --- safe_filename ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("Folien Führung & Kultur.pdf", ".pdf", "Folien Führung _ Kultur.pdf"),
        ("Präsentation_Straße-2024.PDF", ".pdf", "Präsentation_Straße-2024.pdf"),
        ("../../etc/passwd", ".pdf", "passwd.pdf"),
        ("C:\\Users\\ada\\Desktop\\Übersicht.docx", ".docx", "Übersicht.docx"),
        ("rechnung.pdf.exe", ".pdf", "rechnung.pdf"),
        ("bild.svg", ".png", "bild.png"),
        ("Version 2.0", ".pdf", "Version 2.0.pdf"),
        ("foto.jpeg", "jpg", "foto.jpg"),
        ("evil\u202egpj.exe", ".png", "evilgpj.png"),
        ("zero\u200bwidth\x00nul\r\nname.pdf", ".pdf", "zerowidthnul name.pdf"),
        (".htaccess", ".pdf", "htaccess.pdf"),
        ("--help.pdf", ".pdf", "help.pdf"),
        ("a  b\t\tc.pdf", ".pdf", "a b c.pdf"),
        ("Fu\u0308hrung.pdf", ".pdf", "Führung.pdf"),  # decomposed umlaut, as macOS sends it
        ("<script>.pdf", ".pdf", "script.pdf"),
        ("", ".pdf", "Material.pdf"),
        ("...", ".pdf", "Material.pdf"),
        ("/", ".odt", "Material.odt"),
        ("CON.txt", ".pdf", "_CON.pdf"),
        ("Протокол.pdf", ".pdf", "Протокол.pdf"),
    ],
)
def test_safe_filename_cleans_name_and_forces_extension(
    name: str, extension: str, expected: str
) -> None:
    assert safe_filename(name, extension) == expected


def test_safe_filename_is_at_most_100_characters_with_extension() -> None:
    result = safe_filename("Verwaltungsdigitalisierung " * 10 + ".pdf", ".pdf")

    assert result == "Verwaltungsdigitalisierung " * 3 + "Verwaltungsdigi.pdf"
    assert len(result) == 100


def test_safe_filename_does_not_end_the_stem_in_a_space_after_cutting() -> None:
    result = safe_filename("x" * 95 + " " + "y" * 10, ".pdf")

    assert result == "x" * 95 + ".pdf"


def test_safe_filename_refuses_an_extension_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="not a file extension"):
        safe_filename("x", "../.pdf")


def test_check_upload_message_shows_cleaned_and_shortened_name() -> None:
    error = refused(b"", name="../" + "a" * 80 + "\u202e.pdf")

    assert error.message == f"“{'a' * 59}…” is empty."
