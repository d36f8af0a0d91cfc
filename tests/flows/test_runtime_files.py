"""A photo a resident uploads is kept through Change links and stored privately with the
request; its contents never go in the email."""

from django.conf import settings
from django.core import mail
from django.test import TestCase

from demo.walker import png_upload
from forms.flows.models import Submission
from tests.flows.factories import assert_goes_to, make_flow, page, question


class UploadedFileTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow(
            [
                page(
                    "photo",
                    question("file_upload", "photo", "Upload a photo", max_size_mb=5),
                    question("short_text", "caption", "Describe the photo"),
                    heading="A photo of the problem",
                ),
                page("contact", question("email", "email", "Email address")),
            ]
        )

    def post(self, step, data):
        data = {f"flow-{self.flow.pk}-current_step": step, **data}
        return self.client.post(f"{self.base}{step}/", data)

    def test_the_photo_survives_a_change_and_is_stored_with_the_request(self):
        self.client.get(self.base)
        self.post("photo", {"photo-photo": png_upload("pothole.png"), "photo-caption": "Deep"})
        self.post("contact", {"contact-email": "sam@example.org"})
        check = self.client.get(f"{self.base}check-your-answers/")
        self.assertContains(check, "pothole.png")

        # Change the caption only: the browser sends no file this time
        self.client.get(f"{self.base}photo/?change=1")
        response = self.post("photo", {"photo-caption": "Very deep"})
        assert_goes_to(self, response, f"{self.base}check-your-answers/")
        check = self.client.get(f"{self.base}check-your-answers/")
        self.assertContains(check, "pothole.png")
        self.assertContains(check, "Very deep")

        token = check.context["token"]
        self.client.post(f"{self.base}check-your-answers/", {"token": token})
        stored = Submission.objects.get().files.get()
        self.assertEqual(stored.original_name, "pothole.png")
        self.assertEqual(stored.content_type, "image/png")
        with stored.file.open("rb") as f:
            self.assertTrue(f.read().startswith(b"\x89PNG"))
        # kept outside the web-served media folder; staff download it through the inbox
        self.assertTrue(stored.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT)))
        self.assertFalse(stored.file.path.startswith(str(settings.MEDIA_ROOT)))
        self.assertIn("pothole.png", mail.outbox[0].body)
        self.assertNotIn("PNG", mail.outbox[0].body.replace("pothole.png", ""))
        self.assertEqual(mail.outbox[0].attachments, [])
