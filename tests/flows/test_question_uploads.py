"""A resident's photo or PDF: its type is read from its content, whatever it is called."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from PIL import Image
from pypdf import PdfWriter

from forms.flows.questions import answer_for_display, uploaded_files
from tests.flows.test_question_types import NAME, ask, error, stored


def blank_pdf() -> bytes:
    """A real one-page PDF: the upload question opens PDFs, so a header alone is refused."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF_BYTES = blank_pdf()


def image_bytes(image_format: str, size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, image_format)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> dict:
    return {NAME: SimpleUploadedFile(name, content, content_type=content_type)}


class AllowedFileTests(SimpleTestCase):
    def test_a_real_png_is_taken_with_its_real_type(self):
        content = image_bytes("PNG")
        question, form = ask("file_upload", files=upload("photo.png", content, "text/plain"))
        self.assertEqual(
            stored(question, form),
            {"name": "photo.png", "size": len(content), "content_type": "image/png"},
        )
        self.assertEqual(
            uploaded_files(question, form.cleaned_data[NAME]), [form.cleaned_data[NAME]]
        )

    def test_a_real_jpeg_is_taken(self):
        question, form = ask("file_upload", files=upload("IMG_0001.JPG", image_bytes("JPEG")))
        self.assertEqual(stored(question, form)["content_type"], "image/jpeg")

    def test_a_pdf_is_taken(self):
        question, form = ask(
            "file_upload", files=upload("letter.pdf", PDF_BYTES, "application/octet-stream")
        )
        self.assertEqual(stored(question, form)["content_type"], "application/pdf")

    def test_the_file_is_shown_with_its_size(self):
        question, _form = ask("file_upload")
        shown = answer_for_display(
            question, {"name": "photo.jpg", "size": 1_258_291, "content_type": "image/jpeg"}
        )
        self.assertEqual(shown, "photo.jpg (1.2 MB)")
        shown = answer_for_display(
            question, {"name": "letter.pdf", "size": 35_000, "content_type": "application/pdf"}
        )
        self.assertEqual(shown, "letter.pdf (34 KB)")


class RefusedFileTests(SimpleTestCase):
    def test_a_text_file_called_photo_jpg(self):
        _question, form = ask("file_upload", files=upload("photo.jpg", b"just some words\n" * 20))
        self.assertEqual(error(form), "The selected file must be a JPG, PNG or PDF")

    def test_a_renamed_program(self):
        program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
        _question, form = ask("file_upload", files=upload("photo.png", program, "image/png"))
        self.assertEqual(error(form), "The selected file must be a JPG, PNG or PDF")

    def test_a_broken_image(self):
        broken = image_bytes("PNG")[:60]
        _question, form = ask("file_upload", files=upload("photo.png", broken, "image/png"))
        self.assertEqual(error(form), "The selected file must be a JPG, PNG or PDF")

    def test_a_type_the_editor_did_not_allow(self):
        _question, form = ask("file_upload", files=upload("letter.pdf", PDF_BYTES), allow_pdf=False)
        self.assertEqual(error(form), "The selected file must be a JPG or PNG")
        _question, form = ask(
            "file_upload", files=upload("photo.png", image_bytes("PNG")), allow_images=False
        )
        self.assertEqual(error(form), "The selected file must be a PDF")

    def test_a_gif_is_not_a_photo_we_take(self):
        _question, form = ask("file_upload", files=upload("photo.gif", image_bytes("GIF")))
        self.assertEqual(error(form), "The selected file must be a JPG, PNG or PDF")

    def test_too_big(self):
        content = image_bytes("PNG") + b"\x00" * (1024 * 1024)
        _question, form = ask("file_upload", files=upload("photo.png", content), max_size_mb=1)
        self.assertEqual(error(form), "The selected file must be smaller than 1MB")

    def test_empty(self):
        _question, form = ask("file_upload", files=upload("photo.png", b""))
        self.assertEqual(error(form), "The selected file is empty")


class MissingFileTests(SimpleTestCase):
    def test_required(self):
        _question, form = ask("file_upload")
        self.assertEqual(error(form), 'Select a file for "Your answer"')
        _question, form = ask("file_upload", required_message="Select a photo of the fly-tipping")
        self.assertEqual(error(form), "Select a photo of the fly-tipping")

    def test_optional(self):
        question, form = ask("file_upload", required=False)
        self.assertIsNone(stored(question, form))
        self.assertEqual(uploaded_files(question, form.cleaned_data[NAME]), [])
