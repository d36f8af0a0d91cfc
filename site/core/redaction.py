"""Personal data a resident may type anywhere, found by its shape and replaced by a placeholder.

One set of rules for the two places that keep residents' words: the search query log
(search/analytics.py, which also normalises the words) and the site's logs (council/logging.py).
Plain regular expressions only: this module is imported while logging is being configured,
before Django's apps are ready.
"""

from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
POSTCODE = "[postcode]"
NUMBER = "[number]"
PLACEHOLDERS = (EMAIL, PHONE, POSTCODE, NUMBER)

EMAIL_PATTERN = re.compile(r"[^\s@<>()\[\],;:\"'/?&=]+@[^\s@<>()\[\],;:\"'/?&=]+")
# UK numbers: 0 then 9 or 10 digits (07700 900123, 020 7946 0958, (01632) 960 001), or the
# same after +44 / 0044, with or without (0); spaces, dots, dashes and brackets between digits.
PHONE_PATTERN = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s*44\s*(?:\(\s*0\s*\)\s*)?|\(?\s*0)(?:[\s.\-()]*\d){9,10}(?![\d])"
)
# Card-like numbers (13 to 19 digits, grouped or not), and any other run of 8 digits or more
# (account numbers).
LONG_NUMBER_PATTERN = re.compile(r"(?<!\d)(?:\d[\s\-]?){12,18}\d(?!\d)|\d{8,}")
# A full postcode ("FE1 1AA", "fe11aa", "SW1A 1AA"): the inward part makes the shape certain.
FULL_POSTCODE_PATTERN = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", re.IGNORECASE)
# An outward code alone ("SW1A", "FE1", "M1") only counts in a real postcode area, so "A1"
# (a road) or "P60" (a tax form) stay. FE is the demo council's own (made-up) area.
POSTCODE_AREAS = (
    "ab|al|b|ba|bb|bd|bf|bh|bl|bn|br|bs|bt|bx|ca|cb|cf|ch|cm|co|cr|ct|cv|cw|da|dd|de|dg|dh|dl|"
    "dn|dt|dy|e|ec|eh|en|ex|fe|fk|fy|g|gl|gu|gy|ha|hd|hg|hp|hr|hs|hu|hx|ig|im|ip|iv|je|ka|kt|kw|"
    "ky|l|la|ld|le|ll|ln|ls|lu|m|me|mk|ml|n|ne|ng|nn|np|nr|nw|ol|ox|pa|pe|ph|pl|po|pr|rg|rh|rm|s|"
    "sa|se|sg|sk|sl|sm|sn|so|sp|sr|ss|st|sw|sy|ta|td|tf|tn|tq|tr|ts|tw|ub|w|wa|wc|wd|wf|wn|wr|ws|"
    "wv|yo|ze"
)
OUTWARD_CODE_PATTERN = re.compile(rf"\b(?:{POSTCODE_AREAS})\d[a-z\d]?\b", re.IGNORECASE)
PLACEHOLDER_PATTERN = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS) + ")")

# In order: an email's digits are not a phone number, a card number is not a postcode.
RULES = (
    (EMAIL_PATTERN, EMAIL),
    (PHONE_PATTERN, PHONE),
    (LONG_NUMBER_PATTERN, NUMBER),
    (FULL_POSTCODE_PATTERN, POSTCODE),
)


def redact_personal_data(text: str, *, outward_codes: bool = False, pad: str = "") -> str:
    """`text` with emails, UK phone numbers, card-like and long numbers and full postcodes
    replaced by placeholders ("Call 07700 900123" -> "Call [phone]"); `outward_codes` also
    replaces a postcode's first half alone ("FE1"), which in free text such as a log line would
    also catch a road or an error code, so the logs leave it. `pad` goes either side of each
    placeholder (the query log pads with spaces, then normalises)."""
    for pattern, placeholder in RULES:
        text = pattern.sub(f"{pad}{placeholder}{pad}", text)
    if outward_codes:
        text = OUTWARD_CODE_PATTERN.sub(f"{pad}{POSTCODE}{pad}", text)
    return text
