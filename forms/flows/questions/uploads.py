"""File upload: one file, its type read from its content, never from its name or the browser,
then scanned for viruses when ClamAV is configured."""

from __future__ import annotations

from typing import Any

import filetype
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.antivirus import validate_upload
from forms.flows.questions.boundfield import QuestionBoundField
from forms.flows.questions.fields import QuestionMixin

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}  # content type -> Pillow's format
PDF = "application/pdf"
MB = 1024 * 1024


def sniff_content_type(upload: UploadedFile, *, images: bool, pdf: bool) -> str:
    """The file's real type when it is one we take ('image/png'); '' otherwise.

    A renamed program or a text file called photo.jpg is refused: images must be what their
    first bytes say and open cleanly in Pillow, and PDFs must start with '%PDF-'."""
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if pdf and head.startswith(b"%PDF-"):
        return PDF
    kind = filetype.guess(head)
    if not images or kind is None or kind.mime not in IMAGE_TYPES:
        return ""
    try:
        with Image.open(upload) as image:
            image.verify()
            image_format = image.format
    except Exception:  # Pillow raises many kinds of error for a broken or hostile image
        return ""
    finally:
        upload.seek(0)
    return kind.mime if image_format == IMAGE_TYPES[kind.mime] else ""


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
        content_type = sniff_content_type(value, images=self.images, pdf=self.pdf)
        if not content_type:
            raise ValidationError(self.type_message, code="file_type")
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
