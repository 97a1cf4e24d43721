"""Likely duplicate proposals: what shared words and word parts reveal, and what they cannot."""

from __future__ import annotations

import random

import pytest

from unkonf.proposals.similarity import (
    DEFAULT_THRESHOLD,
    Candidate,
    find_duplicates,
    normalize,
    stem_words,
)

pytestmark = pytest.mark.unit

KI_VERWALTUNG = (
    1,
    "KI in der Verwaltung",
    "Wie kann künstliche Intelligenz die Arbeit in Behörden erleichtern? Erfahrungen und Ideen.",
)
KI_AMT = (
    2,
    "Künstliche Intelligenz im Amt – Chancen",
    "Chancen und Risiken von KI für die öffentliche Verwaltung.",
)
KI_ASSISTENTEN = (
    3,
    "Einsatz von KI-Assistenten in Behörden",
    "Chatbots und Assistenten für Bürgeranfragen: was klappt schon?",
)
E_AKTE = (4, "E-Akte einführen", "Wir führen gerade die E-Akte ein. Wer hat Erfahrungen?")
E_AKTE_ERFAHRUNGEN = (
    5,
    "Einführung der E-Akte: Erfahrungen",
    "Erfahrungsaustausch zur Einführung der elektronischen Akte.",
)
BARRIEREFREI = (
    6,
    "Barrierefreie PDFs",
    "Wie erstelle ich barrierefreie Dokumente mit Word und InDesign? Tipps aus der Praxis.",
)
AGIL = (
    7,
    "Agiles Projektmanagement",
    "Scrum und Kanban in der öffentlichen Verwaltung: was funktioniert, was nicht?",
)
OPEN_DATA = (
    8,
    "Open Data in Kommunen",
    "Offene Daten veröffentlichen: Portale, Lizenzen, Formate.",
)
NACHWUCHS = (
    9,
    "Nachwuchsgewinnung im öffentlichen Dienst",
    "Wie finden wir junge Fachkräfte? Social Media, Ausbildung, duales Studium.",
)
LEICHTE_SPRACHE = (
    10,
    "Leichte Sprache in Bescheiden",
    "Verständliche Bescheide schreiben: Beispiele und Werkzeuge.",
)
BARCAMP = [
    KI_VERWALTUNG,
    KI_AMT,
    KI_ASSISTENTEN,
    E_AKTE,
    E_AKTE_ERFAHRUNGEN,
    BARRIEREFREI,
    AGIL,
    OPEN_DATA,
    NACHWUCHS,
    LEICHTE_SPRACHE,
]


def scores(items: list[tuple[int, str, str]]) -> dict[tuple[int, int], float]:
    """Every pair's score, including the low ones."""
    return {
        (c.first, c.second): c.score for c in find_duplicates(items, threshold=0.0, limit=10_000)
    }


def pairs(candidates: list[Candidate]) -> list[tuple[int, int]]:
    return [(c.first, c.second) for c in candidates]


# --- what it finds ---------------------------------------------------------------------------


def test_find_duplicates_in_a_barcamp_finds_exactly_the_clear_duplicates() -> None:
    found = find_duplicates(BARCAMP)

    assert pairs(found) == [(4, 5), (1, 2)]
    assert found[0].score > 0.7
    assert DEFAULT_THRESHOLD <= found[1].score < found[0].score


def test_find_duplicates_e_akte_variants_score_high() -> None:
    [candidate] = find_duplicates([E_AKTE, E_AKTE_ERFAHRUNGEN, BARRIEREFREI])

    assert candidate.first == 4
    assert candidate.second == 5
    assert candidate.score > 0.7


def test_find_duplicates_compound_matches_its_parts() -> None:
    items = [
        (1, "Verwaltungsdigitalisierung", ""),
        (2, "Digitalisierung der Verwaltung", ""),
        (3, "Barrierefreie PDFs", ""),
        (4, "Agiles Projektmanagement", ""),
    ]

    [candidate] = find_duplicates(items)

    assert (candidate.first, candidate.second) == (1, 2)
    assert candidate.score > 0.5


def test_find_duplicates_compound_matches_its_parts_between_just_two_proposals() -> None:
    [candidate] = find_duplicates(
        [(1, "Verwaltungsdigitalisierung", ""), (2, "Digitalisierung der Verwaltung", "")]
    )

    assert candidate.score >= DEFAULT_THRESHOLD


def test_find_duplicates_abbreviation_spelled_out_in_description_is_found() -> None:
    items = [
        (1, "OZG-Umsetzung", "Stand der Umsetzung des Onlinezugangsgesetzes in den Kommunen."),
        (2, "Onlinezugangsgesetz umsetzen", "Wie setzen wir das OZG praktisch um?"),
        BARRIEREFREI,
        AGIL,
    ]

    assert pairs(find_duplicates(items)) == [(1, 2)]


def test_find_duplicates_english_proposals() -> None:
    items = [
        (1, "Open Source in Public Administration", "Why governments should use open software."),
        (2, "Open source software for public administrations", ""),
        (3, "Accessible PDF documents", "How to make documents everyone can read."),
    ]

    assert pairs(find_duplicates(items)) == [(1, 2)]


def test_find_duplicates_identical_proposals_score_one() -> None:
    items = [(17, "Barrierefreie PDFs", "Tipps"), (13, "Barrierefreie PDFs", "Tipps"), AGIL]

    assert find_duplicates(items) == [Candidate(first=13, second=17, score=1.0)]


# --- what it does not find -------------------------------------------------------------------


def test_find_duplicates_unrelated_proposals_are_not_candidates() -> None:
    assert find_duplicates([BARRIEREFREI, AGIL]) == []
    assert scores([BARRIEREFREI, AGIL, OPEN_DATA, NACHWUCHS]).get((6, 7), 0.0) < 0.1


def test_find_duplicates_unrelated_pairs_all_score_well_below_threshold() -> None:
    duplicates = {(1, 2), (4, 5), (1, 3), (2, 3)}

    unrelated = {pair: score for pair, score in scores(BARCAMP).items() if pair not in duplicates}

    assert max(unrelated.values()) < 0.25


def test_find_duplicates_abbreviation_against_full_word_alone_is_a_known_limit() -> None:
    # Lexical similarity sees letters, not meaning: "KI" is not "Künstliche Intelligenz",
    # "OZG" is not "Onlinezugangsgesetz".
    items = [
        (1, "KI in der Verwaltung", ""),
        (2, "Künstliche Intelligenz im Amt", ""),
        (3, "OZG", ""),
        (4, "Onlinezugangsgesetz", ""),
    ]

    found = scores(items)

    assert found.get((1, 2), 0.0) < 0.1
    assert found.get((3, 4), 0.0) < 0.1


def test_find_duplicates_abbreviation_pair_found_only_through_a_shared_word() -> None:
    # "OZG-Umsetzung" and "Onlinezugangsgesetz umsetzen" meet in "umsetz", not in "OZG".
    found = scores([(1, "OZG-Umsetzung", ""), (2, "Onlinezugangsgesetz umsetzen", ""), AGIL])

    assert found[1, 2] >= DEFAULT_THRESHOLD


def test_find_duplicates_related_topic_ranks_between_duplicate_and_unrelated() -> None:
    # The KI assistants share "KI" and "Behörden" with the first KI proposal: related, but a
    # different session. It stays below the threshold and above unrelated pairs.
    found = scores(BARCAMP)

    assert found[6, 7] < found[1, 3] < DEFAULT_THRESHOLD < found[1, 2]


# --- normalising German ----------------------------------------------------------------------


def test_find_duplicates_folds_umlauts_and_sharp_s() -> None:
    items = [
        (1, "Führungskultur im Wandel", ""),
        (2, "Fuehrungskultur im Wandel", ""),
        (3, "Straßenbau und Bürgerbeteiligung", ""),
        (4, "STRASSENBAU und Buergerbeteiligung", ""),
    ]

    assert find_duplicates(items) == [
        Candidate(first=1, second=2, score=1.0),
        Candidate(first=3, second=4, score=1.0),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Führung", "fuehrung"),
        ("ÄRGER über Öffnungszeiten", "aerger ueber oeffnungszeiten"),
        ("Straße ẞ", "strasse ss"),
        ("Fu\u0308hrung", "fuehrung"),  # decomposed umlaut
        ("Café résumé", "cafe resume"),
        ("ＫＩ－Strategie", "ki-strategie"),  # full-width letters (NFKC)
    ],
)
def test_normalize_lowercases_folds_umlauts_and_drops_accents(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_stem_words_drops_stop_words_and_stems_german() -> None:
    assert stem_words("Die Einführung der E-Akte und wir führen sie ein") == [
        "einfuhr",
        "akt",
        "fuhr",
    ]


def test_stem_words_drops_english_stop_words() -> None:
    assert stem_words("The future of the public sector") == ["futur", "public", "sector"]


# --- weighting -------------------------------------------------------------------------------


def test_find_duplicates_title_words_weigh_more_than_description_words() -> None:
    items = [
        (1, "Wissensmanagement", "Werkzeuge und Methoden."),
        (2, "Wissensmanagement", "Wikis und Intranet."),
        (3, "Intranet-Relaunch", "Wissensmanagement spielt eine Rolle."),
        (4, "Barrierefreie PDFs", ""),
    ]

    found = scores(items)

    assert found[1, 2] > found[1, 3]


# --- ordering and edge cases -----------------------------------------------------------------


def test_find_duplicates_orders_by_score_then_ids_with_first_below_second() -> None:
    items = [
        (30, "Barrierefreie PDFs", ""),
        (20, "Barrierefreie PDFs", ""),
        (10, "Barrierefreie PDFs", ""),
        (5, "E-Akte einführen", "Erfahrungen"),
        (2, "Einführung der E-Akte: Erfahrungen", ""),
        (99, "Agiles Projektmanagement", ""),
    ]

    found = find_duplicates(items)

    assert pairs(found) == [(10, 20), (10, 30), (20, 30), (2, 5)]
    assert [c.score for c in found[:3]] == [1.0, 1.0, 1.0]
    assert all(c.first < c.second for c in found)


def test_find_duplicates_does_not_depend_on_input_order() -> None:
    shuffled = list(BARCAMP)
    random.Random(7).shuffle(shuffled)

    assert find_duplicates(shuffled, threshold=0.0, limit=100) == find_duplicates(
        BARCAMP, threshold=0.0, limit=100
    )


def test_find_duplicates_limit_keeps_the_best() -> None:
    assert pairs(find_duplicates(BARCAMP, limit=1)) == [(4, 5)]
    assert find_duplicates(BARCAMP, limit=0) == []


def test_find_duplicates_threshold_filters() -> None:
    assert pairs(find_duplicates(BARCAMP, threshold=0.7)) == [(4, 5)]
    assert find_duplicates(BARCAMP, threshold=1.01) == []


def test_find_duplicates_empty_input() -> None:
    assert find_duplicates([]) == []


def test_find_duplicates_single_item() -> None:
    assert find_duplicates([E_AKTE]) == []


def test_find_duplicates_empty_descriptions_and_empty_texts() -> None:
    items = [
        (1, "E-Akte einführen", ""),
        (2, "Einführung der E-Akte", ""),
        (3, "", ""),
        (4, "und der die", ""),  # stop words only
        (5, "?!", "–"),
    ]

    found = find_duplicates(items, threshold=0.0)

    assert pairs(found) == [(1, 2)]
    assert found[0].score > 0.7


def test_find_duplicates_refuses_repeated_ids() -> None:
    with pytest.raises(ValueError, match="ids must be unique"):
        find_duplicates([(1, "A", ""), (1, "B", "")])


def test_find_duplicates_scores_are_between_zero_and_one_and_rounded() -> None:
    found = find_duplicates(BARCAMP, threshold=0.0, limit=1000)

    assert found
    assert all(0.0 < c.score <= 1.0 for c in found)
    assert all(c.score == round(c.score, 4) for c in found)
