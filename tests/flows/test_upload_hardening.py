"""A resident's upload is judged by parsing all of it, kept as a clean copy under a name the
site makes, and downloaded by staff under that name with the type read from its content."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, SimpleTestCase, TestCase
from PIL import Image
from pypdf import PdfWriter

from council.limits import safe_file_name, shorten_long_file_names
from forms.flows.models import Submission, SubmissionFile
from forms.flows.models.submission import private_storage
from forms.flows.questions.uploads import clean_copy
from tests.flows.factories import assert_goes_to, make_flow, page, question
from tests.flows.test_question_types import ask, error, stored
from tests.flows.test_question_uploads import image_bytes, upload

TYPE_MESSAGE = "The selected file must be a JPG, PNG or PDF"
SCRIPT = b"<script>alert(document.cookie)</script>"


def pdf_bytes(**encrypt: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if encrypt:
        writer.encrypt(**encrypt)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """50 MB of zeros, deflated to about 50 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.bin", bytes(50 * 1024 * 1024))
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A few bytes of PNG whose header claims width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(1000)))
        + chunk(b"IEND", b"")
    )


def photo_with_gps() -> bytes:
    """A 40x20 JPEG taken sideways (EXIF orientation 6: show it turned a quarter) with the
    GPS position of where it was taken, and other data after its end."""
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x8825] = {1: "N", 2: (52.0, 12.0, 30.0), 3: "W", 4: (1.0, 30.0, 15.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"<script>alert(1)</script>")
    return buffer.getvalue() + b"PK\x03\x04 appended archive"


class ParsedTypeTests(SimpleTestCase):
    def test_a_file_that_only_starts_like_a_pdf_is_refused(self):
        batch = b"%PDF-1.7\r\n@echo off\r\ndel /q C:\\Users\\*\r\n"
        html = b"%PDF-1.4\n<html><body>" + SCRIPT + b"</body></html>\n%%EOF\n"
        for name, content in [
            ("proof.bat", batch),
            ("proof.bat", batch + b"%%EOF\n"),  # ends as a PDF does, still no PDF inside
            ("x.html", html),
            ("report.pdf", b"%PDF-1.4\n" + zip_bomb()),
            ("report.pdf", b"%PDF-1.4\n" + zip_bomb() + b"\n%%EOF\n"),
            ("letter.pdf", pdf_bytes() + b"\n<html>" + SCRIPT),  # a real PDF, then a web page
            ("empty.pdf", b"%PDF-1.4\ntrailer\n<< >>\n%%EOF\n"),
        ]:
            with self.subTest(name=name, content=content[:40]):
                _question, form = ask("file_upload", files=upload(name, content, PDF_TYPE))
                self.assertEqual(error(form), TYPE_MESSAGE)

    def test_a_real_pdf_is_still_taken(self):
        question, form = ask("file_upload", files=upload("letter.pdf", pdf_bytes(), "text/plain"))
        self.assertEqual(stored(question, form)["content_type"], PDF_TYPE)

    def test_a_pdf_that_needs_a_password_is_refused_as_such(self):
        locked = pdf_bytes(user_password="secret", algorithm="RC4-128")
        _question, form = ask("file_upload", files=upload("statement.pdf", locked))
        self.assertEqual(error(form), "The selected file is password protected")
        # Locked only against printing: it opens for anyone, so staff can read it.
        question, form = ask(
            "file_upload",
            files=upload("statement.pdf", pdf_bytes(user_password="", algorithm="RC4-128")),
        )
        self.assertEqual(stored(question, form)["content_type"], PDF_TYPE)

    def test_an_image_claiming_more_pixels_than_pillow_allows_is_refused(self):
        # Over twice Pillow's limit (DecompressionBombError) and between the limit and twice it
        # (only a warning from Pillow): neither is decoded.
        for width, height in [(100_000, 100_000), (10_000, 10_000)]:
            with self.subTest(width=width, height=height):
                content = png_claiming(width, height)
                _question, form = ask("file_upload", files=upload("photo.png", content))
                self.assertEqual(
                    error(form), "The selected image must be smaller than 89 megapixels"
                )

    def test_an_image_that_does_not_decode_to_its_end_is_refused(self):
        cut = image_bytes("JPEG", (400, 300))
        _question, form = ask("file_upload", files=upload("photo.jpg", cut[: len(cut) // 2]))
        self.assertEqual(error(form), TYPE_MESSAGE)


PDF_TYPE = "application/pdf"


class CleanCopyTests(SimpleTestCase):
    def test_an_image_is_drawn_again_without_what_followed_it(self):
        png = image_bytes("PNG") + SCRIPT
        copy = clean_copy(SimpleUploadedFile("photo.html", png), "image/png")
        self.assertNotIn(b"<script", copy)
        self.assertEqual(Image.open(io.BytesIO(copy)).size, (40, 30))

    def test_a_photo_keeps_its_orientation_and_loses_its_metadata(self):
        copy = clean_copy(SimpleUploadedFile("IMG_0001.JPG", photo_with_gps()), "image/jpeg")
        image = Image.open(io.BytesIO(copy))
        self.assertEqual(image.format, "JPEG")
        self.assertEqual(image.size, (20, 40))  # turned upright, as the phone showed it
        self.assertEqual(dict(image.getexif()), {})  # no GPS position of the resident's home
        self.assertNotIn(b"<script", copy)
        self.assertNotIn(b"appended archive", copy)


def multipart(fields: dict[str, str], file_field: str, file_name: str, content: bytes):
    """A form post as a browser sends it, with the file name as given (escaped as browsers
    escape it: '"' as %22, CR and LF as %0D and %0A), so names a test client would tidy reach
    the server as they are."""
    boundary = "----council-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    escaped = file_name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{escaped}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class UploadThroughTheFlowTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow(
            [
                page(
                    "photo",
                    question("file_upload", "photo", "Upload a photo", max_size_mb=5),
                    question("short_text", "caption", "Describe the photo"),
                ),
                page("contact", question("email", "email", "Email address")),
            ]
        )
        cls.staff = get_user_model().objects.create_superuser("staff", "staff@example.org", "x")

    def post_photo(self, file_name: str, content: bytes):
        body, content_type = multipart(
            {f"flow-{self.flow.pk}-current_step": "photo", "photo-caption": "Deep hole"},
            "photo-photo",
            file_name,
            content,
        )
        return self.client.post(f"{self.base}photo/", body, content_type=content_type)

    def test_file_names_of_any_length_or_letters_never_lose_the_answers(self):
        png = image_bytes("PNG")
        waiting = Path(settings.PRIVATE_MEDIA_ROOT) / "in-progress"
        before = set(waiting.rglob("*"))
        for file_name in [
            "a" * 300 + ".png",
            "a" * 1000 + ".png",
            "a" * 5000 + ".png",
            "Llun o'r ffordd ŵ ŷ â " * 40 + ".png",  # Welsh
            "صورة الحفرة في الطريق " * 60 + ".png",  # Arabic
            "🕳️🚗" * 700 + ".png",  # emoji: four bytes a character
            "🕳️",  # nothing a file system could keep
            "../../etc/passwd.png",
            "..\\..\\Windows\\evil.png",
            "nul\x00byte.png",
            "line\r\nContent-Type: text/html\r\n\r\n<script>.png",
            '"quoted"; name="other".png',
        ]:
            with self.subTest(file_name=file_name[:30], length=len(file_name)):
                self.client.get(self.base)
                response = self.post_photo(file_name, png)
                # taken (the name shortened or tidied): on to the next page
                assert_goes_to(self, response, f"{self.base}contact/")
                back = self.client.get(f"{self.base}photo/")
                self.assertContains(back, "Deep hole")
        # While the flow is in progress its files wait under names the site made, never the
        # resident's (which could climb folders or carry a program's extension).
        names = [f.name for f in set(waiting.rglob("*")) - before if f.is_file()]
        self.assertTrue(names)
        for name in names:
            self.assertRegex(name, r"^[0-9a-f]{32}$")

    def download(self, upload: SubmissionFile):
        self.client.force_login(self.staff)
        response = self.client.get(f"/admin/requests/{upload.submission.pk}/files/{upload.pk}/")
        self.assertEqual(response.status_code, 200)
        return response, b"".join(response.streaming_content)

    def test_a_png_with_a_script_is_kept_clean_under_the_sites_name(self):
        self.client.get(self.base)
        response = self.post_photo("photo.html", image_bytes("PNG") + SCRIPT)
        assert_goes_to(self, response, f"{self.base}contact/")
        self.client.post(
            f"{self.base}contact/",
            {f"flow-{self.flow.pk}-current_step": "contact", "contact-email": "sam@example.org"},
        )
        check = self.client.get(f"{self.base}check-your-answers/")
        self.client.post(f"{self.base}check-your-answers/", {"token": check.context["token"]})
        submission = Submission.objects.get()
        self.addCleanup(
            shutil.rmtree, private_storage().path(f"submissions/{submission.reference}"), True
        )
        upload = submission.files.get()
        site_name = f"{submission.reference}-1.png"
        self.assertEqual(upload.file.name, f"submissions/{submission.reference}/{site_name}")
        self.assertEqual(upload.original_name, "photo.html")  # kept as text for staff

        response, content = self.download(upload)
        self.assertNotIn(b"<script", content)  # drawn again: nothing after the picture
        self.assertEqual(Image.open(io.BytesIO(content)).format, "PNG")
        self.assertEqual(response["Content-Disposition"], f'attachment; filename="{site_name}"')
        self.assertEqual(response["Content-Type"], "image/png")

        page = self.client.get(f"/admin/requests/{submission.pk}/")
        self.assertContains(page, f"Download {site_name}")
        self.assertContains(page, "photo.html")  # the resident's name, as text

    def test_a_file_stored_before_under_the_residents_name_downloads_under_the_sites(self):
        submission = Submission.objects.create(
            reference="FCC-4K7Q-M2XD", service_title="Bulky waste", language="en"
        )
        self.addCleanup(shutil.rmtree, private_storage().path("submissions/FCC-4K7Q-M2XD"), True)
        old_path = "submissions/FCC-4K7Q-M2XD/0f3a9c-proof.bat"
        private_storage().save(old_path, ContentFile(b"%PDF-1.4 as it was stored"))
        rows = [
            SubmissionFile.objects.create(
                submission=submission,
                question_name="proof",
                original_name=name,
                content_type=content_type,
                size=10,
                file=old_path,
            )
            for name, content_type in [("proof.bat", PDF_TYPE), ("page.html", "text/html")]
        ]
        # as the migration that added the numbers leaves them
        migration = import_module("forms.flows.migrations.0009_submission_file_number")
        migration.number_existing_files(apps, None)
        for row, (site_name, served_as) in zip(
            rows,
            [
                ("FCC-4K7Q-M2XD-1.pdf", PDF_TYPE),
                ("FCC-4K7Q-M2XD-2.bin", "application/octet-stream"),
            ],
            strict=True,
        ):
            with self.subTest(row.original_name):
                row.refresh_from_db()
                response, content = self.download(row)
                self.assertEqual(content, b"%PDF-1.4 as it was stored")
                self.assertEqual(
                    response["Content-Disposition"], f'attachment; filename="{site_name}"'
                )
                self.assertEqual(response["Content-Type"], served_as)


class FileNameShorteningTests(SimpleTestCase):
    def test_only_the_long_name_changes_however_the_body_arrives(self):
        long_name = "ŵ" * 900 + ".png"
        # file content that looks like a part's headers must pass as it is
        content = b'x; filename="' + b"y" * 2000 + b'"\r\n\r\n' + bytes(range(256)) * 400
        body, content_type = multipart({"photo-caption": "Deep"}, "photo-photo", long_name, content)
        expected = body.replace(long_name.encode(), safe_file_name(long_name).encode())

        class Trickle(io.BytesIO):  # a slow client: a few bytes at a time
            def read(self, size: int | None = -1) -> bytes:
                return super().read(7)

        for stream in (io.BytesIO(body), Trickle(body)):
            with self.subTest(type(stream).__name__):
                request = RequestFactory().post("/", body, content_type=content_type)
                request._stream = stream
                shorten_long_file_names(request)
                self.assertEqual(request.read(), expected)
