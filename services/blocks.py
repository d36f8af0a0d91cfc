"""The content blocks editors may use in a page body.

Only blocks that render as accessible GOV.UK Design System components are offered: no raw
HTML, no embeds, no images without alternative text, no headings out of order (a body heading
is always an h2 under the page's h1).
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from core.richtext import RICH_TEXT_FEATURES


class HeadingBlock(blocks.CharBlock):
    """A section heading (h2)."""

    class Meta:
        icon = "title"
        template = "services/blocks/heading.html"
        preview_value = "What happens next"
        description = _("A section heading. Keep it short and say what the section is about.")
        max_length = 120


class ParagraphBlock(blocks.RichTextBlock):
    """Paragraphs of text, with links and lists."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "services/blocks/paragraph.html"
        preview_value = "<p>We will empty your bin within 2 working days.</p>"
        description = _("Paragraphs of plain text. Use short sentences and common words.")


class ListBlock(blocks.StructBlock):
    """A bulleted or numbered list."""

    items = blocks.ListBlock(blocks.CharBlock(label=_("Item"), max_length=300), label=_("Items"))
    numbered = blocks.BooleanBlock(
        required=False, label=_("Numbered"), help_text=_("Use numbers for steps in order.")
    )

    class Meta:
        icon = "list-ul"
        template = "services/blocks/list.html"
        preview_value = {"items": ["your address", "a photo of the problem"], "numbered": False}
        description = _("A list of short items. Number it when the order matters.")


class InsetTextBlock(blocks.StructBlock):
    """GOV.UK inset text: something to set apart from the text around it."""

    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))

    class Meta:
        icon = "openquote"
        template = "services/blocks/inset.html"
        preview_value = {"text": "<p>It can take up to 5 working days for us to reply.</p>"}
        description = _("Text set apart from the rest, such as a quote or an example.")


class WarningTextBlock(blocks.StructBlock):
    """GOV.UK warning text: something the resident must not miss."""

    text = blocks.TextBlock(label=_("Warning"), max_length=400)

    class Meta:
        icon = "warning"
        template = "services/blocks/warning.html"
        preview_value = {"text": "You can be fined up to £400 if you leave rubbish on the street."}
        description = _("A short warning about something with legal or money consequences.")


class DetailsBlock(blocks.StructBlock):
    """GOV.UK details: extra help that only some residents need."""

    summary = blocks.CharBlock(label=_("Summary"), max_length=120)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))

    class Meta:
        icon = "collapse-down"
        template = "services/blocks/details.html"
        preview_value = {
            "summary": "Help if you cannot lift your bin",
            "text": "<p>We can collect it from your property. Call us to arrange this.</p>",
        }
        description = _("A link that expands to show extra help only some people need.")


class CalloutBlock(blocks.StructBlock):
    """A highlighted box pointing to something useful, often another service."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), max_length=400)
    page = blocks.PageChooserBlock(required=False, label=_("Link to a page"))
    link_text = blocks.CharBlock(
        required=False,
        max_length=120,
        label=_("Link text"),
        help_text=_("Say where the link goes. Do not use 'click here'."),
    )

    class Meta:
        icon = "pick"
        template = "services/blocks/callout.html"
        preview_value = {
            "heading": "Check your bin day",
            "text": "Find out which bins we collect and when.",
            "link_text": "Find your bin collection day",
        }
        description = _("A highlighted box, for example to point to a related service.")


class BodyBlock(blocks.StreamBlock):
    """The blocks allowed in a service or standard page body."""

    heading = HeadingBlock(label=_("Heading"))
    paragraph = ParagraphBlock(label=_("Paragraph"))
    list = ListBlock(label=_("List"))
    inset_text = InsetTextBlock(label=_("Inset text"))
    warning_text = WarningTextBlock(label=_("Warning text"))
    details = DetailsBlock(label=_("Details"))
    callout = CalloutBlock(label=_("Call-out"))

    class Meta:
        template = "services/blocks/body.html"
