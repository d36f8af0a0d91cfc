"""What a query means: its words grouped into concepts, each with the ways a page may say it
(as typed, an editor's synonym, a spelling the site knows, or a finished word while typing).

Both engines read this: the database engine to fetch and rank pages, the Elasticsearch engine
for "Did you mean" (Elasticsearch does its own synonyms and fuzziness).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from core.text_analysis import content_words, is_stop_word, stem, tokens
from search import synonyms
from search.corpus import Vocabulary

TYPED, SYNONYM, SPELLING, PREFIX = "typed", "synonym", "spelling", "prefix"
JOINED, SPLIT = "joined", "split"  # "pot hole" -> "pothole", "flytipping" -> "fly tipping"
WEIGHTS = {TYPED: 1.0, SYNONYM: 0.9, SPELLING: 0.75, PREFIX: 0.8, JOINED: 0.95, SPLIT: 0.95}

# Words shorter than this are not corrected: "tip" is not a typo for "top".
MIN_CORRECTABLE = 4


@dataclass(frozen=True)
class Alternative:
    words: tuple[str, ...]
    stems: tuple[str, ...]
    kind: str

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]


@dataclass
class Concept:
    typed: tuple[str, ...]
    alternatives: list[Alternative] = field(default_factory=list)

    def add(self, words: tuple[str, ...], stems_: tuple[str, ...], kind: str) -> None:
        if all(a.stems != stems_ for a in self.alternatives):
            self.alternatives.append(Alternative(words, stems_, kind))


@dataclass
class Analysis:
    language: str
    words: list[str]
    stems: list[str]
    concepts: list[Concept]
    corrections: dict[str, str]

    @property
    def suggestion(self) -> str | None:
        """The query with its unknown words spelt as the site spells them."""
        if not self.corrections:
            return None
        fixed = (self.corrections.get(word, word) for word in self.words)
        return " ".join(word for word in fixed if word)

    def match_terms(self) -> list[str]:
        """Every word and stem any concept may match, for the full-text index."""
        terms: list[str] = []
        for concept in self.concepts:
            for alternative in concept.alternatives:
                for term in (*alternative.words, *alternative.stems):
                    if term not in terms and not is_stop_word(term, self.language):
                        terms.append(term)
        return terms

    @property
    def content_stems(self) -> tuple[str, ...]:
        return tuple(stem(w, self.language) for w in content_words(self.words, self.language))


def max_typos(word: str) -> int:
    """Edits allowed, as Elasticsearch's fuzziness AUTO: none up to 3 letters, 1 up to 7, 2."""
    if len(word) < MIN_CORRECTABLE:
        return 0
    return 1 if len(word) <= 7 else 2


def corrections_for(word: str, vocabulary: Vocabulary, language: str) -> list[str]:
    """Site words within the allowed edits of `word`, nearest and most used first."""
    limit = max_typos(word)
    if not limit or vocabulary.knows(word, language):
        return []
    found = process.extract(
        word,
        vocabulary.word_list,
        scorer=OSA.distance,
        score_cutoff=limit,
        limit=10,
    )
    found.sort(key=lambda hit: (hit[1], -vocabulary.words[hit[0]], hit[0]))
    return [hit[0] for hit in found[:3]]


def completions_for(prefix: str, vocabulary: Vocabulary) -> list[str]:
    """Site words that start with what the resident is typing, most used first."""
    if len(prefix) < 2:
        return []
    found = [word for word in vocabulary.word_list if word.startswith(prefix) and word != prefix]
    found.sort(key=lambda word: (-vocabulary.words[word], word))
    return found[:5]


def split_for(word: str, vocabulary: Vocabulary) -> tuple[str, str] | None:
    """Two site words that make up an unknown word ("flytipping" -> "fly", "tipping")."""
    best = None
    for cut in range(3, len(word) - 2):
        left, right = word[:cut], word[cut:]
        if left in vocabulary.words and right in vocabulary.words:
            uses = min(vocabulary.words[left], vocabulary.words[right])
            if best is None or uses > best[0]:
                best = (uses, left, right)
    return (best[1], best[2]) if best else None


def _expand(concept: Concept, stems_: tuple[str, ...], expansions) -> None:
    for words, target in sorted(expansions.get(stems_, ())):
        concept.add(words, target, SYNONYM)


def analyse(query: str, vocabulary: Vocabulary, language: str, *, prefix: bool = False):
    """Group the query's words into concepts, each with the ways a page may say it."""
    words = tokens(query)
    stems_ = [stem(word, language) for word in words]
    expansions = synonyms.expansions(language)
    longest = max((len(source) for source in expansions), default=1)
    all_stop = all(is_stop_word(word, language) for word in words)
    concepts: list[Concept] = []
    corrections: dict[str, str] = {}
    i = 0
    while i < len(words):
        # An editor's synonym, longest first: "household waste recycling centre".
        size = next(
            (
                n
                for n in range(min(longest, len(words) - i), 0, -1)
                if tuple(stems_[i : i + n]) in expansions
            ),
            0,
        )
        if size:
            concept = Concept(typed=tuple(words[i : i + size]))
            concept.add(tuple(words[i : i + size]), tuple(stems_[i : i + size]), TYPED)
            _expand(concept, tuple(stems_[i : i + size]), expansions)
            concepts.append(concept)
            i += size
            continue
        word, word_stem = words[i], stems_[i]
        last = i == len(words) - 1
        # Two words the site writes as one: "pot hole" -> "pothole".
        if not last and not (prefix and i + 1 == len(words) - 1):
            joined = word + words[i + 1]
            if joined in vocabulary.words:
                concept = Concept(typed=(word, words[i + 1]))
                concept.add((joined,), (stem(joined, language),), JOINED)
                concept.add((word, words[i + 1]), (word_stem, stems_[i + 1]), TYPED)
                _expand(concept, (stem(joined, language),), expansions)
                if not vocabulary.knows(word, language) or not vocabulary.knows(
                    words[i + 1], language
                ):
                    corrections[word] = joined
                    corrections[words[i + 1]] = ""
                concepts.append(concept)
                i += 2
                continue
        i += 1
        if is_stop_word(word, language) and not all_stop:
            continue
        concept = Concept(typed=(word,))
        concept.add((word,), (word_stem,), TYPED)
        _expand(concept, (word_stem,), expansions)
        if prefix and last:
            for completion in completions_for(word, vocabulary):
                concept.add((completion,), (stem(completion, language),), PREFIX)
        elif not vocabulary.knows(word, language):
            parts = split_for(word, vocabulary) if len(word) >= 6 else None
            if parts:
                corrections[word] = " ".join(parts)
                concept.add(parts, tuple(stem(p, language) for p in parts), SPLIT)
                _expand(concept, tuple(stem(p, language) for p in parts), expansions)
            fixes = corrections_for(word, vocabulary, language)
            if fixes and word not in corrections:
                corrections[word] = fixes[0]
            for fix in fixes:
                fix_stem = stem(fix, language)
                concept.add((fix,), (fix_stem,), SPELLING)
                _expand(concept, (fix_stem,), expansions)
        concepts.append(concept)
    return Analysis(language, words, stems_, concepts, corrections)
