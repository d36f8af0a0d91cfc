"""File upload: one file, its type read by parsing it (never from its name or the browser),
scanned for viruses when ClamAV is configured, and kept as a clean copy the site makes.

A file's first bytes prove nothing: '%PDF-' followed by a batch script, or a real PNG with a
script after its end, passes a check of the first bytes. So a PDF must open in pypdf and have a
page, and an image must decode fully in Pillow; both are read with limits, so a small hostile
file cannot make the server decompress or allocate without end. Images are then drawn again
(`clean_copy`): whatever followed the picture and its metadata (EXIF, with the GPS position of
the resident's home) are not kept."""

from __future__ import annotations

import io
from typing import Any

import filetype
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from pypdf import PdfReader, apply_configuration
from pypdf import errors as pdf_errors

from core.antivirus import validate_upload
from forms.flows.questions.boundfield import QuestionBoundField
from forms.flows.questions.fields import QuestionMixin

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}  # content type -> Pillow's format
# Phones save some photos as JPEGs holding a second picture (Pillow calls them MPO): still JPEGs.
PILLOW_FORMATS = {"image/jpeg": ["JPEG", "MPO"], "image/png": ["PNG"]}
PDF = "application/pdf"
# The extension a stored file is given, from the type read from its content.
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", PDF: "pdf"}
MB = 1024 * 1024

# What reading one PDF may cost. A resident's PDF is at most FLOW_UPLOAD_MAX_MB; a stream that
# inflates past these limits, or a page tree bigger than any real letter or form, is a bomb.
PDF_LIMITS: dict[str, int] = {
    "maximum_declared_stream_length": 50 * MB,
    "array_based_stream_maximum_output_length": 50 * MB,
    "jbig2_maximum_output_length": 50 * MB,
    "lzw_maximum_output_length": 50 * MB,
    "run_length_maximum_output_length": 50 * MB,
    "zlib_maximum_output_length": 50 * MB,
    "brotli_maximum_output_length": 50 * MB,
    "image_maximum_buffer_size": 50 * MB,
    "stream_decoding_work_maximum_length": 100 * MB,
    "page_tree_maximum_entries": 10_000,
    "page_tree_maximum_page_entries": 10_000,
}
# Bytes a PDF writer may leave after its last %%EOF: line ends, spaces and NUL padding.
PDF_TRAILING = b"\x00\t\n\r\x0c "


class UploadRefusedError(Exception):
    """The file is not one we take; `code` says why (file_type, too_many_pixels, password)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def read_content_type(upload: UploadedFile, *, images: bool, pdf: bool) -> str:
    """The file's real type ('image/png'), found by parsing all of it; UploadRefusedError if it is
    not a JPEG, PNG or PDF (of the kinds allowed) that opens."""
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    try:
        if pdf and head.startswith(b"%PDF-"):
            check_pdf(upload)
            return PDF
        kind = filetype.guess(head)
        if images and kind is not None and kind.mime in IMAGE_TYPES:
            check_image(upload, kind.mime)
            return str(kind.mime)
    finally:
        upload.seek(0)
    raise UploadRefusedError("file_type")


def check_pdf(upload: UploadedFile) -> None:
    upload.seek(0)
    content = upload.read()
    # A PDF ends at its last %%EOF (later edits are appended with their own). Anything else
    # after it is another file riding along: refused rather than passed to staff.
    if not content.rstrip(PDF_TRAILING).endswith(b"%%EOF"):
        raise UploadRefusedError("file_type")
    try:
        with apply_configuration(None, **PDF_LIMITS):
            reader = PdfReader(io.BytesIO(content))
            if reader.is_encrypted and not _opens_without_password(reader):
                raise UploadRefusedError("password")
            if len(reader.pages) < 1:
                raise UploadRefusedError("file_type")
    except UploadRefusedError:
        raise
    except Exception:  # pypdf raises many kinds of error for a broken or hostile PDF
        raise UploadRefusedError("file_type") from None


def _opens_without_password(reader: PdfReader) -> bool:
    """Some PDFs are encrypted only against printing or copying and open for anyone; staff can
    read those. (AES needs a cryptography package we do not install: treated as locked.)"""
    try:
        return bool(reader.decrypt(""))
    except (pdf_errors.PyPdfError, pdf_errors.DependencyError, NotImplementedError):
        return False


def open_image(upload: UploadedFile, content_type: str) -> Image.Image:
    """The image, decoded in full; UploadRefusedError if it does not decode or is a decompression
    bomb (more pixels than Pillow's Image.MAX_IMAGE_PIXELS: a few kilobytes of PNG can claim
    gigabytes of pixels)."""
    upload.seek(0)
    try:
        # Leaving the block does not close the resident's file (Pillow did not open it); the
        # decoded pixels stay in the returned image.
        with Image.open(upload, formats=PILLOW_FORMATS[content_type]) as image:
            # Pillow only warns between the limit and twice it; decoding that would still
            # take hundreds of megabytes.
            if image.width * image.height > (Image.MAX_IMAGE_PIXELS or image.width * image.height):
                raise UploadRefusedError("too_many_pixels")
            image.load()
            return image
    except UploadRefusedError:
        raise
    except Image.DecompressionBombError:  # over twice the limit: refused before decoding
        raise UploadRefusedError("too_many_pixels") from None
    except Exception:  # Pillow raises many kinds of error for a broken or hostile image
        raise UploadRefusedError("file_type") from None


def check_image(upload: UploadedFile, content_type: str) -> None:
    open_image(upload, content_type)


def clean_copy(upload: UploadedFile, content_type: str) -> bytes:
    """What the site keeps of a file whose type read_content_type found.

    An image is drawn again, upright (its EXIF orientation applied first, as a phone shows it),
    with its colour profile but no other metadata and nothing that followed the picture. A PDF
    is kept as sent: it has been parsed, and rewriting it could change what the resident sent."""
    upload.seek(0)
    if content_type not in IMAGE_TYPES:
        return upload.read()
    image = open_image(upload, content_type)
    upright = ImageOps.exif_transpose(image)
    options: dict[str, Any] = {}
    if icc_profile := image.info.get("icc_profile"):
        options["icc_profile"] = icc_profile
    if content_type == "image/png" and "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    upright.info = {}  # no EXIF, comments or text chunks carried over by save()
    if content_type == "image/jpeg":
        options["quality"] = 90
    buffer = io.BytesIO()
    upright.save(buffer, IMAGE_TYPES[content_type], **options)
    upload.seek(0)
    return buffer.getvalue()


def extension_for(content_type: str) -> str:
    return EXTENSIONS.get(content_type, "bin")


def format_size(size: int) -> str:
    """1234567 -> '1.2 MB', 35000 -> '34 KB', 900 -> '900 bytes'."""
    if size >= MB:
        return gettext("%(size)s MB") % {"size": f"{size / MB:.1f}"}
    if size >= 1024:
        return gettext("%(size)s KB") % {"size": round(size / 1024)}
    return gettext("%(size)s bytes") % {"size": size}


class FileUploadField(QuestionMixin, forms.FileField):
    """A single file, no bigger than the editor's limit, of the types they allow.

    Its cleaned value is the uploaded file, whose `content_type` is replaced by the type read
    from its content."""

    widget = forms.FileInput
    template_name = "flows/questions/file_upload.html"
    input_classes = "govuk-file-upload"
    input_error_class = "govuk-file-upload--error"

    def __init__(
        self, *, max_size_mb: int = 10, images: bool = True, pdf: bool = True, **kwargs: Any
    ) -> None:
        self.max_size_mb = max_size_mb or 10
        # An editor who ticks neither has made a question nobody can answer: take both.
        self.images, self.pdf = (images, pdf) if (images or pdf) else (True, True)
        required_message = kwargs.get("error_messages", {}).get("required", "")
        kwargs["error_messages"] = {
            "required": required_message,
            "invalid": required_message,
            "missing": required_message,
            "empty": _("The selected file is empty"),
        }
        super().__init__(**kwargs)

    @property
    def type_message(self) -> Any:
        if self.images and self.pdf:
            return _("The selected file must be a JPG, PNG or PDF")
        if self.images:
            return _("The selected file must be a JPG or PNG")
        return _("The selected file must be a PDF")

    def refusal_message(self, code: str) -> Any:
        if code == "password":
            return _("The selected file is password protected")
        if code == "too_many_pixels":
            return format_lazy(
                _("The selected image must be smaller than {megapixels} megapixels"),
                megapixels=(Image.MAX_IMAGE_PIXELS or 0) // 1_000_000,
            )
        return self.type_message

    def validate(self, value: UploadedFile | None) -> None:
        super().validate(value)
        if not value:
            return
        if (value.size or 0) > self.max_size_mb * MB:
            raise ValidationError(
                format_lazy(
                    _("The selected file must be smaller than {size}MB"), size=self.max_size_mb
                ),
                code="too_big",
            )
        try:
            content_type = read_content_type(value, images=self.images, pdf=self.pdf)
        except UploadRefusedError as refused:
            raise ValidationError(self.refusal_message(refused.code), code=refused.code) from None
        value.content_type = content_type
        validate_upload(value)  # ClamAV, when configured (core/antivirus.py)

    def hint_for(self, bound_field: QuestionBoundField) -> str:
        if self.images and self.pdf:
            rules = gettext("The file must be a JPG, PNG or PDF and smaller than %(size)sMB.")
        elif self.images:
            rules = gettext("The file must be a JPG or PNG and smaller than %(size)sMB.")
        else:
            rules = gettext("The file must be a PDF and smaller than %(size)sMB.")
        rules %= {"size": self.max_size_mb}
        return f"{bound_field.help_text} {rules}" if bound_field.help_text else rules
