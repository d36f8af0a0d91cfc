"""Editors' uploads in the Wagtail admin, documents and images, are scanned for viruses too
(WAGTAILDOCS_DOCUMENT_FORM_BASE, WAGTAILIMAGES_IMAGE_FORM_BASE), in the single and the multiple
upload views alike.

A module of its own: Wagtail's admin forms cannot be imported while our models load, and
core/antivirus.py is imported by the question types, which the models use."""

from __future__ import annotations

from typing import Any

from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from core.antivirus import validate_upload


class ScanUploadedFile:
    """A new file in the form's `file` field is scanned; an infected or unchecked one is a field
    error ("The selected file contains a virus")."""

    cleaned_data: dict[str, Any]
    changed_data: list[str]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and "file" in self.changed_data:
            validate_upload(upload)
        return upload


class ScannedDocumentForm(ScanUploadedFile, BaseDocumentForm):
    pass


class ScannedImageForm(ScanUploadedFile, BaseImageForm):
    pass
