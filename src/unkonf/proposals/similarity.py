"""Likely duplicate session proposals, for German (and English) titles and descriptions.

At a barcamp several people often propose the same topic in different words; the moderators
merge them before the pitch. This module suggests pairs to look at. It is lexical: it sees
shared words and word parts, not meaning.

How a proposal becomes comparable:

1. Unicode NFKC, lower case, German umlauts folded (``ä``→``ae``, ``ö``→``oe``, ``ü``→``ue``,
   ``ß``→``ss``, so "Führung" and "Fuehrung" are one word), other accents dropped.
2. Words are split at anything that is not a letter or digit (so "KI-Assistenten" is "ki" and
   "assistenten"); German and English stop words and one-letter words are dropped.
3. Each word is stemmed with the Snowball German stemmer ("Einführung", "einführen" →
   "einfuhr").
4. Two vectors, each weighted by TF-IDF over the proposals given (a word every proposal uses
   says little): one of stemmed words, one of the character trigrams of each stem. Trigrams
   split German compounds softly: "Verwaltungsdigitalisierung" shares most of its trigrams
   with "Digitalisierung der Verwaltung". In the word vector, a long stem also counts its
   parts at :data:`PART_WEIGHT` when those parts are words some proposal uses on its own
   ("verwaltungsdigitalisier" contains "verwalt" and "digitalisier").
5. Title words count :data:`TITLE_WEIGHT` times as much as description words.

The score of a pair is ``WORD_WEIGHT × cosine(words) + (1 − WORD_WEIGHT) × cosine(trigrams)``,
between 0 and 1, rounded to four places so that the order does not depend on the order of
floating-point sums.

What it cannot catch: synonyms and abbreviations without shared letters ("KI" and "Künstliche
Intelligenz", "OZG" and "Onlinezugangsgesetz", "Amt" and "Behörde"). Those need a thesaurus
or a language model; here they only score through whatever else the texts share.

Pure Python: all pairs that share a feature are scored through an inverted index. Measured
on one core: about 0.1 s for 150 proposals, 1.5–3.5 s for 500 proposals with long, heavily
overlapping descriptions (the cost grows with the square of the number of proposals).
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import snowballstemmer

TITLE_WEIGHT: Final = 2.0
WORD_WEIGHT: Final = 0.5
PART_WEIGHT: Final = 0.5
_MIN_PART: Final = 4
DEFAULT_THRESHOLD: Final = 0.35

_UMLAUTS: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD: Final = re.compile(r"[^\W_]+")

# Compact lists of the words that carry no topic, already umlaut-folded.
_GERMAN_STOP_TEXT: Final = """
    aber alle allem allen aller alles als also am an ander andere anderen anders auch auf aus
    bei beim bin bis bist da dabei dadurch dafuer dagegen damit dann dar daran darauf darf
    darueber das dass dem den denen denn der des deshalb dich die dies diese diesem diesen
    dieser dieses dir doch dort du durch ein eine einem einen einer eines einige etwa etwas
    euch euer fuer gegen gibt hat hatte haben hier hin hinter ich ihr ihre im in ins ist ja
    jede jedem jeden jeder jedes jetzt kann kein keine koennen kuenftig man mehr mein mich mir
    mit muss nach nicht noch nun nur ob oder ohne sehr sein seine sich sie sind so soll sollen
    sowie ueber um und uns unser unsere unter viel vom von vor wann war waren was weil welche
    wenn wer werden wie wieder will wir wird wo wollen zu zum zur zwischen
"""
_ENGLISH_STOP_TEXT: Final = """
    a about after all also an and any are as at be been but by can could do does for from
    had has have how i if in into is it its just more most my no not of on or our out over
    so some than that the their them then there these they this to up us was we what when
    where which who why will with would you your
"""
STOP_WORDS: Final = frozenset(_GERMAN_STOP_TEXT.split()) | frozenset(_ENGLISH_STOP_TEXT.split())

# A Snowball stemmer keeps its working state on itself: one per thread.
_local = threading.local()


@dataclass(frozen=True)
class Candidate:
    """Two proposals that read alike: ids with ``first < second``, ``score`` from 0 to 1."""

    first: int
    second: int
    score: float


def find_duplicates(
    items: Sequence[tuple[int, str, str]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 50,
) -> list[Candidate]:
    """Pairs of ``(id, title, description)`` items scoring at least ``threshold``.

    Most similar first, ties by ids; at most ``limit`` pairs. Ids must be unique.
    """
    ids = [item_id for item_id, _title, _description in items]
    if len(set(ids)) != len(ids):
        raise ValueError("find_duplicates: ids must be unique")
    if len(items) < 2 or limit <= 0:
        return []

    stems = [(stem_words(title), stem_words(description)) for _id, title, description in items]
    parts = _compound_parts(stem for pair in stems for words in pair for stem in words)
    word_counts = [_weighted(title, description, parts=parts) for title, description in stems]
    trigram_counts = [
        _weighted(_trigrams(title), _trigrams(description)) for title, description in stems
    ]
    word_scores = _cosines(_tfidf(word_counts))
    trigram_scores = _cosines(_tfidf(trigram_counts))

    candidates = []
    for pair in word_scores.keys() | trigram_scores.keys():
        score = WORD_WEIGHT * word_scores.get(pair, 0.0)
        score += (1 - WORD_WEIGHT) * trigram_scores.get(pair, 0.0)
        score = round(min(score, 1.0), 4)
        if score >= threshold and score > 0:
            first, second = sorted((ids[pair[0]], ids[pair[1]]))
            candidates.append(Candidate(first=first, second=second, score=score))
    candidates.sort(key=lambda c: (-c.score, c.first, c.second))
    return candidates[:limit]


def normalize(text: str) -> str:
    """Lower case, umlauts folded to ``ae``/``oe``/``ue``/``ss``, other accents dropped."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def stem_words(text: str) -> list[str]:
    """The stems of the words of ``text`` that carry meaning, in order."""
    words = _WORD.findall(normalize(text))
    return [_stem(word) for word in words if len(word) > 1 and word not in STOP_WORDS]


@lru_cache(maxsize=16_384)
def _stem(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("german")
    stem: str = stemmer.stemWord(word)
    return stem if len(stem) > 1 else word


def _trigrams(words: Iterable[str]) -> list[str]:
    """Character trigrams of each word, padded at both ends: "akte" → " ak", "akt", …"""
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _compound_parts(stems: Iterable[str]) -> dict[str, list[str]]:
    """For each long stem, the other stems of the vocabulary it contains.

    "verwaltungsdigitalisier" contains "verwalt" and "digitalisier" when some proposal uses
    those words on their own: a compound split by what the proposals themselves say.
    """
    vocabulary = set(stems)
    parts: dict[str, list[str]] = {}
    for stem in sorted(vocabulary):
        if len(stem) < 2 * _MIN_PART:
            continue
        found = {
            stem[start:end]
            for start in range(len(stem) - _MIN_PART + 1)
            for end in range(start + _MIN_PART, len(stem) + (start > 0))
            if stem[start:end] in vocabulary
        }
        if found:
            parts[stem] = sorted(found)
    return parts


def _weighted(
    title: Iterable[str],
    description: Iterable[str],
    *,
    parts: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, float]:
    """Feature counts, title features weighted more; compound parts count half."""
    counts: defaultdict[str, float] = defaultdict(float)
    for features, weight in ((title, TITLE_WEIGHT), (description, 1.0)):
        for feature in features:
            counts[feature] += weight
            for part in (parts or {}).get(feature, ()):
                counts[part] += weight * PART_WEIGHT
    return dict(counts)


def _tfidf(counts: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors: sublinear term frequency, smoothed IDF over ``counts``."""
    documents = len(counts)
    frequency: Counter[str] = Counter()
    for vector in counts:
        frequency.update(vector.keys())
    idf = {feature: math.log((1 + documents) / (1 + df)) + 1.0 for feature, df in frequency.items()}
    vectors = []
    for vector in counts:
        weights = {feature: _tf(count) * idf[feature] for feature, count in vector.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        vectors.append(
            {feature: weight / norm for feature, weight in sorted(weights.items())} if norm else {}
        )
    return vectors


def _tf(count: float) -> float:
    """Sublinear term frequency: a word said five times is not five times the topic."""
    return 1.0 + math.log(count) if count >= 1.0 else count


def _cosines(vectors: Sequence[Mapping[str, float]]) -> dict[tuple[int, int], float]:
    """Cosine of every pair of (unit) vectors that share a feature, by position pair."""
    postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, vector in enumerate(vectors):
        for feature, weight in vector.items():
            postings[feature].append((index, weight))
    size = len(vectors)
    sums: defaultdict[int, float] = defaultdict(float)  # key: i * size + j, for i < j
    for feature in sorted(postings):
        entries = postings[feature]
        for position, (i, weight_i) in enumerate(entries):
            row = i * size
            for j, weight_j in entries[position + 1 :]:
                sums[row + j] += weight_i * weight_j
    return {divmod(key, size): total for key, total in sums.items()}
