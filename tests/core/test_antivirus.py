"""Uploads are scanned with ClamAV when it is configured: the real `clamscan`, against a signature
database built here for the EICAR test file (never freshclam: there is no network, and the test
must not depend on the day's signatures).

No EICAR file is kept in the repository (antivirus on a developer's machine would quarantine
it): the test string is put together at run time.
"""

from __future__ import annotations

import base64
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import checks
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import TestCase, override_settings
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from core.antivirus import Verdict, scan
from tests.council.test_settings import PRODUCTION_ENV, manage
from tests.flows.factories import assert_goes_to, make_flow, page, question
from tests.flows.test_question_uploads import PDF_BYTES, image_bytes

# The EICAR anti-virus test file (eicar.org), kept encoded so that this source file is not one.
EICAR = base64.b64decode(
    "WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo="
)
SIGNATURE = "Council.Test.EICAR"
# A PDF that passes the type check (it starts with %PDF-) with the test string inside it: a body
# signature (.ndb, target 0 = any file) finds it anywhere, as ClamAV's real PDF signatures would.
INFECTED_PDF = PDF_BYTES.replace(b"trailer", b"% " + EICAR + b"\ntrailer")
# A real PNG with the test string after its end: it opens in Pillow, so only the scan finds it.
INFECTED_PNG = image_bytes("PNG") + EICAR
VIRUS = "The selected file contains a virus"
NOT_CHECKED = "The selected file could not be checked for viruses. Try again"
# A file name holding a resident's name: it must never reach the logs.
FILE_NAME = "Jo Bloggs passport.pdf"


def clamscan() -> str:
    path = shutil.which("clamscan")
    if path is None:
        raise AssertionError(
            "clamscan is not installed: `make setup` installs it (the Debian package clamav)"
        )
    return path


class ClamAVTestCase(TestCase):
    """A signature database of one signature, the EICAR string, in a temporary folder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scanner = clamscan()
        folder = tempfile.TemporaryDirectory(prefix="council-clamav-")
        cls.addClassCleanup(folder.cleanup)
        cls.database = Path(folder.name)
        (cls.database / "council-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
        cls.enterClassContext(
            override_settings(CLAMAV_COMMAND=cls.scanner, CLAMAV_DATABASE=str(cls.database))
        )


class ScannerTests(ClamAVTestCase):
    def test_the_test_file_is_found_and_named(self):
        result = scan(SimpleUploadedFile(FILE_NAME, INFECTED_PDF))
        self.assertEqual(result.verdict, Verdict.INFECTED)
        self.assertTrue(result.signature.startswith(SIGNATURE), result.signature)

    def test_clean_files_are_clean(self):
        for content in (PDF_BYTES, image_bytes("PNG"), image_bytes("JPEG")):
            self.assertEqual(scan(SimpleUploadedFile("a", content)).verdict, Verdict.CLEAN)

    def test_a_large_upload_is_streamed_from_its_temporary_file(self):
        for content, verdict in ((INFECTED_PDF, Verdict.INFECTED), (PDF_BYTES, Verdict.CLEAN)):
            upload = TemporaryUploadedFile(FILE_NAME, "application/pdf", len(content), None)
            upload.write(content)
            upload.flush()
            with self.subTest(verdict=verdict):
                self.assertEqual(scan(upload).verdict, verdict)
            upload.close()

    def test_the_file_is_read_again_from_its_start_after_the_scan(self):
        upload = SimpleUploadedFile(FILE_NAME, PDF_BYTES)
        upload.read(5)
        scan(upload)
        self.assertEqual(upload.read(), PDF_BYTES)

    @override_settings(CLAMAV_COMMAND="")
    def test_not_configured_means_not_scanned(self):
        result = scan(SimpleUploadedFile(FILE_NAME, INFECTED_PDF))
        self.assertEqual(result.verdict, Verdict.NOT_SCANNED)


class FlowUploadTests(ClamAVTestCase):
    """Through a real flow step, as a resident sends it."""

    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow(
            [
                page(
                    "photo",
                    question("file_upload", "photo", "Upload a photo or letter", max_size_mb=5),
                    question("short_text", "caption", "Describe the problem"),
                ),
                page("contact", question("email", "email", "Email address")),
            ]
        )

    def send(self, name: str, content: bytes, caption: str = "Deep hole by the school"):
        self.client.get(self.base)
        return self.client.post(
            f"{self.base}photo/",
            {
                f"flow-{self.flow.pk}-current_step": "photo",
                "photo-photo": SimpleUploadedFile(name, content, content_type="application/pdf"),
                "photo-caption": caption,
            },
        )

    def assert_refused(self, response, message: str) -> None:
        # The answer is not taken: back to the same step (Post/Redirect/Get), which shows it
        # again with the error.
        assert_goes_to(self, response, f"{self.base}photo/")
        response = self.client.get(response["Location"])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        # in the error summary, linking to the field, and by the field itself
        self.assertContains(response, f'<a href="#id_photo-photo">{message}</a>')
        self.assertContains(
            response, f'<span class="govuk-visually-hidden">Error:</span> {message}'
        )
        # the resident's other answer is kept
        self.assertContains(response, 'value="Deep hole by the school"')

    def test_an_infected_pdf_is_refused(self):
        with self.assertLogs("core.antivirus", logging.WARNING) as logs:
            response = self.send(FILE_NAME, INFECTED_PDF)
        self.assert_refused(response, VIRUS)
        self.assertIn(SIGNATURE, "\n".join(logs.output))
        self.assertNotIn("Bloggs", "\n".join(logs.output))

    def test_an_infected_photo_is_refused(self):
        with self.assertLogs("core.antivirus", logging.WARNING):
            response = self.send("photo.png", INFECTED_PNG)
        self.assert_refused(response, VIRUS)

    def test_a_clean_pdf_and_a_clean_png_are_taken(self):
        for name, content in (("letter.pdf", PDF_BYTES), ("photo.png", image_bytes("PNG"))):
            with self.subTest(name):
                response = self.send(name, content)
                assert_goes_to(self, response, f"{self.base}contact/")

    def test_a_scanner_that_fails_refuses_the_file_and_keeps_the_answers(self):
        # clamscan exits with status 2 when it cannot load its database
        with (
            override_settings(CLAMAV_DATABASE=str(self.database / "missing")),
            self.assertLogs("core.antivirus", logging.ERROR) as logs,
        ):
            response = self.send(FILE_NAME, PDF_BYTES)
        self.assert_refused(response, NOT_CHECKED)
        self.assertIn("exit status 2", logs.output[0])
        self.assertNotIn("Bloggs", "\n".join(logs.output))

    def test_a_missing_scanner_refuses_the_file(self):
        with (
            override_settings(CLAMAV_COMMAND="/nonexistent/clamdscan"),
            self.assertLogs("core.antivirus", logging.ERROR) as logs,
        ):
            response = self.send(FILE_NAME, PDF_BYTES)
        self.assert_refused(response, NOT_CHECKED)
        self.assertIn("could not be run", logs.output[0])

    def test_a_scan_that_takes_too_long_refuses_the_file(self):
        # A "scanner" that never answers; it is stopped after CLAMAV_TIMEOUT.
        hangs = f"{sys.executable} -c 'import time; time.sleep(60)'"
        with (
            override_settings(CLAMAV_COMMAND=hangs, CLAMAV_TIMEOUT=1),
            self.assertLogs("core.antivirus", logging.ERROR) as logs,
        ):
            response = self.send(FILE_NAME, PDF_BYTES)
        self.assert_refused(response, NOT_CHECKED)
        self.assertIn("took longer than 1 seconds", logs.output[0])

    def test_a_refused_file_can_be_replaced_by_a_clean_one(self):
        self.assert_refused(self.send(FILE_NAME, INFECTED_PDF), VIRUS)
        response = self.send("letter.pdf", PDF_BYTES)
        assert_goes_to(self, response, f"{self.base}contact/")

    @override_settings(CLAMAV_COMMAND="")
    def test_not_configured_the_file_is_taken_unscanned(self):
        response = self.send(FILE_NAME, INFECTED_PDF)
        assert_goes_to(self, response, f"{self.base}contact/")

    @override_settings(CLAMAV_COMMAND="", CLAMAV_REQUIRED=True)
    def test_required_but_not_configured_refuses_the_file(self):
        with self.assertLogs("core.antivirus", logging.ERROR):
            response = self.send(FILE_NAME, PDF_BYTES)
        self.assert_refused(response, NOT_CHECKED)


class DeployCheckTests(TestCase):
    def deploy_warnings(self) -> list[str]:
        found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        return [message.id for message in found]

    @override_settings(CLAMAV_COMMAND="", CLAMAV_REQUIRED=True)
    def test_required_and_missing_is_a_deploy_warning(self):
        self.assertIn("council.W001", self.deploy_warnings())

    @override_settings(CLAMAV_COMMAND="", CLAMAV_REQUIRED=False)
    def test_not_required_is_no_warning(self):
        self.assertNotIn("council.W001", self.deploy_warnings())

    @override_settings(CLAMAV_COMMAND="clamdscan", CLAMAV_REQUIRED=True)
    def test_configured_is_no_warning(self):
        self.assertNotIn("council.W001", self.deploy_warnings())

    def test_production_settings_read_both_from_the_environment(self):
        required = {**PRODUCTION_ENV, "CLAMAV_REQUIRED": "true"}
        missing = manage("check", "--deploy", env={**required, "CLAMAV_COMMAND": ""})
        self.assertIn("council.W001", missing.stdout + missing.stderr)
        configured = manage("check", "--deploy", env={**required, "CLAMAV_COMMAND": "clamdscan"})
        self.assertNotIn("council.W001", configured.stdout + configured.stderr)


class EditorUploadTests(ClamAVTestCase):
    """Documents and images editors upload in the Wagtail admin are scanned too."""

    def setUp(self):
        user = get_user_model().objects.create_superuser("editor", "editor@example.org", "x" * 12)
        self.client.force_login(user)

    def add(self, content: bytes, name: str = "minutes.pdf"):
        from wagtail.models import Collection

        return self.client.post(
            "/admin/documents/add/",
            {
                "title": "Council minutes",
                "file": SimpleUploadedFile(name, content),
                "collection": Collection.get_first_root_node().pk,
            },
        )

    def test_an_infected_document_is_refused(self):
        with self.assertLogs("core.antivirus", logging.WARNING):
            response = self.add(INFECTED_PDF)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, VIRUS)
        self.assertFalse(get_document_model().objects.exists())

    def test_an_infected_document_is_refused_in_the_multiple_upload(self):
        from wagtail.models import Collection

        with self.assertLogs("core.antivirus", logging.WARNING):
            response = self.client.post(
                "/admin/documents/multiple/add/",
                {
                    "files[]": SimpleUploadedFile("minutes.pdf", INFECTED_PDF),
                    "collection": Collection.get_first_root_node().pk,
                },
            )
        self.assertFalse(response.json()["success"])
        self.assertIn(VIRUS, response.json()["error_message"])
        self.assertFalse(get_document_model().objects.exists())

    def test_a_clean_document_is_taken(self):
        response = self.add(PDF_BYTES)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(get_document_model().objects.get().title, "Council minutes")

    def add_image(self, content: bytes):
        from wagtail.models import Collection

        return self.client.post(
            "/admin/images/add/",
            {
                "title": "Street party",
                "file": SimpleUploadedFile("party.png", content, content_type="image/png"),
                "collection": Collection.get_first_root_node().pk,
            },
        )

    def test_an_infected_image_is_refused(self):
        with self.assertLogs("core.antivirus", logging.WARNING):
            response = self.add_image(INFECTED_PNG)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, VIRUS)
        self.assertFalse(get_image_model().objects.exists())

    def test_a_clean_image_is_taken(self):
        response = self.add_image(image_bytes("PNG"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(get_image_model().objects.get().title, "Street party")
