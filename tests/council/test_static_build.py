"""The front-end build: the council's brand, not GOV.UK's, served compressed with hashed names."""

import re
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from tests.council.test_settings import PRODUCTION_ENV, ROOT, manage

BUILT = ROOT / "site" / "static"


class StaticBuildTests(SimpleTestCase):
    def setUp(self):
        if not (BUILT / "css" / "council.css").exists():
            self.fail("The front end is not built: run `make assets` (make test does).")

    def test_brand_uses_arial_and_no_gov_uk_font_or_images(self):
        css = (BUILT / "css" / "council.css").read_text()
        self.assertIn("font-family:arial,helvetica,sans-serif", css)
        self.assertFalse("GDS Transport" in css, "GOV.UK's font is in the CSS")
        self.assertEqual(re.findall(r"url\([^)]*\)", css), [], "the CSS loads GOV.UK images")
        self.assertEqual(list(BUILT.rglob("*.woff*")), [])

    def test_production_collects_compressed_files_with_hashed_names(self):
        with tempfile.TemporaryDirectory() as folder:
            result = manage(
                "collectstatic", "--no-input", env={**PRODUCTION_ENV, "STATIC_ROOT": folder}
            )
            self.assertEqual(result.returncode, 0, result.stderr)
            css = [p.name for p in Path(folder, "css").iterdir()]
            hashed = [n for n in css if n.startswith("council.") and n.endswith(".css")]
            # council.css, council.<hash>.css and the same two mirrored for right to left
            self.assertEqual(len(hashed), 4, css)
            self.assertEqual(len([n for n in hashed if n.startswith("council.rtl.")]), 2, css)
            self.assertTrue(any(n.endswith(".css.gz") for n in css))
            self.assertTrue(any(n.endswith(".css.br") for n in css))
            module = next(p for p in Path(folder, "js").glob("council.*.js"))
            self.assertRegex(
                module.read_text(), r"from \"\./govuk-frontend\.min\.[0-9a-f]{12}\.js\""
            )
