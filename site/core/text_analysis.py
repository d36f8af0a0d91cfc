"""How the site reads words: one tokeniser, stop list and stemmer for queries and pages alike,
so a resident's "bins collected" meets a page's "bin collection"."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer


def _listed(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that carry no meaning on their own in a resident's query ("when is my bin day").
# They still count inside phrases; they are left out of matching and of spelling suggestions.
STOP_WORDS = {
    "en": frozenset(
        {
            "a",
            "an",
            "and",
            "are",
            "as",
            "at",
            "be",
            "by",
            "can",
            "do",
            "does",
            "for",
            "from",
            "get",
            "how",
            "i",
            "if",
            "in",
            "into",
            "is",
            "it",
            "its",
            "me",
            "my",
            "of",
            "on",
            "or",
            "our",
            "please",
            "the",
            "their",
            "there",
            "this",
            "to",
            "was",
            "what",
            "when",
            "where",
            "which",
            "who",
            "why",
            "will",
            "with",
            "you",
            "your",
            "want",
            "need",
        }
    ),
    # The same kinds of words in the site's other languages: what a question is made of ("how
    # do i", "where can i", "my"), never what it is about. "Not" and "when" are kept: residents
    # write them into what they need ("nie zabrali", "kiedy wywóz"). Words as residents type
    # them, with and without their accents; apostrophes inside words are dropped first.
    "cy": _listed(
        """a ac am ar at beth ble bod dw dwi ei eich eisiau eu fy gallaf galla gan gyda hefyd i
        iw mae mewn mi nhw o oes oedd os pa pam pan plis rwy rwyn rydw rydwi sut sydd sy
        syn tan un wedi y yn yr ydw ydy ydyw yw"""
    ),
    "pl": _listed(
        """a aby ale albo bo by był była chce chcę czy co do dla gdzie i ich jak jaki jaka jakie
        jest jestem już ktoś który która które mam mi mnie moge mogę moja moje moj mój
        mojego mojej moją muszę musze na nas o od po pod prosze proszę przez się sie są sa
        ten ta to tu u w we z za ze że ze żeby zeby"""
    ),
    "ar": _listed(
        """أن ان أنا انا أو او أين اين إلى الى أريد اريد بدي ثم عن على عندي في كيف لماذا لي
        ما ماذا من مع هذا هذه هل و يا"""
    ),
}

# Snowball stemmers by language; a language without one is matched on whole words.
STEMMER_NAMES = {"en": "english", "ar": "arabic", "cy": None, "pl": None}

_TOKEN = re.compile(r"\w+", re.UNICODE)
_APOSTROPHES = re.compile("(?<=\\w)['\u2019](?=\\w)")


def base_language(language_code: str | None) -> str:
    return (language_code or "en").split("-")[0].lower()


def normalise(text: str) -> str:
    """Lower case, compatibility forms folded, apostrophes inside words dropped
    ("neighbour's" -> "neighbours"), everything else that is not a letter or digit a space."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _APOSTROPHES.sub("", text)
    return " ".join(_TOKEN.findall(text.replace("_", " ")))


def tokens(text: str) -> list[str]:
    return normalise(text).split()


# A snowball stemmer keeps the word it is working on in itself: two threads stemming with one
# at once (gunicorn's threads, two searches in a new worker) get an IndexError, or worse a
# wrong stem that `stem`'s cache would then keep. So each thread has stemmers of its own.
_local = threading.local()


def _stemmer(language: str):
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        name = STEMMER_NAMES.get(language)
        stemmers[language] = snowballstemmer.stemmer(name) if name else None
    return stemmers[language]


@lru_cache(maxsize=50_000)
def stem(word: str, language: str = "en") -> str:
    stemmer = _stemmer(base_language(language))
    return stemmer.stemWord(word) if stemmer else word


def stems(text: str, language: str = "en") -> list[str]:
    return [stem(word, language) for word in tokens(text)]


def is_stop_word(word: str, language: str = "en") -> bool:
    return word in STOP_WORDS.get(base_language(language), frozenset())


def content_words(words: list[str], language: str = "en") -> list[str]:
    """The words that carry meaning; all of them when every one is a stop word ("who are we")."""
    kept = [word for word in words if not is_stop_word(word, language)]
    return kept or list(words)
