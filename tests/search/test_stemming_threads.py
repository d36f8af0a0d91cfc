"""Searches in two threads of one worker at once (gunicorn runs four a worker) stem their
words as one search alone would: never an error page, never a wrong stem kept in the cache."""

from __future__ import annotations

import threading
from unittest import TestCase

from core.text_analysis import _stemmer

WORDS = [
    "collections", "collected", "recycling", "parking", "permits", "complaining",
    "businesses", "licensing", "applications", "councillors", "gardening", "potholes",
]  # fmt: skip


class StemmingInThreadsTests(TestCase):
    def test_threads_stemming_at_once_get_the_stems_one_thread_gets(self):
        expected = [_stemmer("en").stemWord(word) for word in WORDS]
        problems: list[str] = []

        def stem_many() -> None:
            stemmer = _stemmer("en")
            for _ in range(1000):
                for word, stem in zip(WORDS, expected, strict=True):
                    try:
                        got = stemmer.stemWord(word)
                    except Exception as error:  # the shared stemmer's IndexError
                        problems.append(f"{word}: {error!r}")
                        return
                    if got != stem:
                        problems.append(f"{word}: {got!r}, not {stem!r}")
                        return

        threads = [threading.Thread(target=stem_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(problems, [])
