"""The rich-text features editors get in every paragraph of the site (pages, flows, emails).

Links and lists only. Bold, italics and headings inside a paragraph make pages harder to scan
and to read aloud, so they are left out on purpose."""

RICH_TEXT_FEATURES = ["link", "ul", "ol"]
