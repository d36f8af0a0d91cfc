"""Synonyms editors keep in the admin: words residents use for the council's words."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text_analysis import normalise


def split_terms(value: str) -> list[str]:
    """'Tip, dump ,, household waste recycling centre' -> the normalised terms, no repeats."""
    seen: list[str] = []
    for part in (value or "").split(","):
        term = normalise(part)
        if term and term not in seen:
            seen.append(term)
    return seen


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class Synonym(models.Model):
    """Two-way: every term finds what the others find ("tip, dump, household waste recycling
    centre"). One-way: the terms also find the "also find" words, not the other way round
    ("pcn" -> "penalty charge notice")."""

    terms = models.CharField(
        _("words residents use"),
        max_length=500,
        help_text=_(
            "Separate words or phrases with commas, for example: tip, dump, household waste "
            "recycling centre"
        ),
    )
    also_find = models.CharField(
        _("also find (one-way)"),
        max_length=500,
        blank=True,
        default="",
        help_text=_(
            "Leave empty to make all the words above mean the same as each other (two-way). "
            "Or enter the council's words, separated by commas: a search for the words above "
            "then also finds these, but not the other way round. For example: penalty charge "
            "notice"
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=12,
        choices=language_choices,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the searches this applies to."),
    )
    note = models.CharField(
        _("note for other editors"),
        max_length=255,
        blank=True,
        default="",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["language", "terms"]

    def __str__(self) -> str:
        if self.is_one_way:
            return f"{', '.join(self.term_list)} → {', '.join(self.also_find_list)}"
        return " ⇄ ".join(self.term_list)

    @property
    def term_list(self) -> list[str]:
        return split_terms(self.terms)

    @property
    def also_find_list(self) -> list[str]:
        return split_terms(self.also_find)

    @property
    def is_one_way(self) -> bool:
        return bool(self.also_find_list)

    def clean(self) -> None:
        terms = self.term_list
        if not terms:
            raise ValidationError({"terms": _("Enter at least one word or phrase")})
        if not self.is_one_way and len(terms) < 2:
            raise ValidationError(
                {
                    "terms": _(
                        "Enter at least 2 words or phrases separated by commas, or fill in "
                        "'also find' for a one-way synonym"
                    )
                }
            )
        if set(terms) & set(self.also_find_list):
            raise ValidationError(
                {"also_find": _("'Also find' must not repeat the words residents use")}
            )
