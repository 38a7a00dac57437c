"""The word rules a claim's own sentence passes (llm/wording.py): who it makes the
speaker, whether its quotations are the source's words, and whether it denies its
quote. Sentences written for these tests, on words from the shipped corpus."""

from __future__ import annotations

import pytest

from askalign.llm.wording import invented_quotation, negates, quoted_spans, speaking

NAMED = ["Jonas Hallgren", "Steven Byrnes", "S. Alex Bradt"]
QUOTE = "Specifically, humans imitate other humans because they want to."
SOURCE = (
    "Specifically, humans imitate other humans because they want to. A pretrained LLM will"
    " imitate human text with no RL or “wanting to imitate” at all."
)


@pytest.mark.parametrize(
    ("claim", "speaker"),
    [
        ("Jonas Hallgren, replying to Steven Byrnes, wrote: “x”", "Jonas Hallgren"),
        ("Replying to Steven Byrnes, Hallgren wrote that x.", "Jonas Hallgren"),
        ("Responding to a point by Hallgren, Byrnes wrote: “x”", "Steven Byrnes"),
        ("According to Byrnes, Hallgren is wrong.", "Steven Byrnes"),
        ("In Byrnes's view, x.", "Steven Byrnes"),
        ("In Byrnes's post, Hallgren notes that x.", "Jonas Hallgren"),
        ("Unlike Hallgren, Byrnes thinks x.", "Steven Byrnes"),
        ("Hallgren, replying to S. Alex Bradt, wrote x.", "Jonas Hallgren"),
        ("Byrnes told Hallgren: “x”", "Steven Byrnes"),
        ("Hallgren quotes “Steven Byrnes says so” in reply.", "Jonas Hallgren"),
        ("Replying to Byrnes: “x”", None),  # no one is made the speaker
    ],
)
def test_the_speaker_is_who_the_claim_says_wrote_it(claim: str, speaker: str | None) -> None:
    assert speaking(claim, NAMED) == speaker


@pytest.mark.parametrize(
    ("claim", "invented"),
    [
        ("Byrnes wrote “I agree entirely that alignment is easy.” and also x", "I agree"),
        ('Byrnes sums up: "Alignment is solved." Then x', "Alignment is solved."),
        ("Byrnes calls it ‘a solved problem’.", "a solved problem"),
        ("Byrnes wrote “humans imitate humans because they want to”", "humans imitate"),
        ("Byrnes wrote “humans imitate other humans because they want to”", None),
        ("Byrnes: “humans imitate … because they want to”", None),
        ("Byrnes: “Specifically, humans imitate [others] because they want to.”", None),
        ("Byrnes: “with no RL or “wanting to imitate” at all”", None),  # nested marks
        ("Byrnes doesn’t say it’s ‘wanting to imitate’.", None),  # apostrophes are no marks
    ],
)
def test_every_quotation_is_the_sources_own_words(claim: str, invented: str | None) -> None:
    found = invented_quotation(claim, SOURCE)
    assert (found or "").startswith(invented or "") and (found is None) == (invented is None)


def test_a_quotation_inside_another_is_part_of_it() -> None:
    claim = "He wrote “a “wanting to imitate” b” and “c”"
    assert [claim[s:e] for s, e in quoted_spans(claim)] == ["a “wanting to imitate” b", "c"]


@pytest.mark.parametrize(
    ("claim", "negated"),
    [
        ("Byrnes does not believe that humans imitate other humans because they want to.", 1),
        ("Byrnes denies that humans imitate other humans because they want to.", 1),
        ("Byrnes rejects the idea that humans imitate other humans because they want to.", 1),
        ("Byrnes never said “humans imitate other humans because they want to”.", 1),
        ("It is not true, Byrnes says, that humans imitate other humans because they want to.", 1),
        ("Byrnes no longer holds that humans imitate other humans because they want to.", 1),
        ("Byrnes says humans imitate other humans because they want to.", 0),
        ("Byrnes says it is not automatic but that humans imitate others because they want to.", 0),
        ("Not automatic. Byrnes: humans imitate other humans because they want to.", 0),
        ("Byrnes disagrees with Hallgren, writing that humans imitate other humans because", 0),
        ("Byrnes has no doubt that humans imitate other humans because they want to.", 0),
        ("Byrnes, not Hallgren, wrote that humans imitate other humans because they want to.", 0),
        ("Byrnes is not convinced by the critics, writing that humans imitate other humans.", 0),
    ],
)
def test_a_claim_that_denies_its_quote_is_caught(claim: str, negated: int) -> None:
    assert negates(claim, QUOTE) is bool(negated)


def test_a_negation_the_quote_has_is_no_denial() -> None:
    quote = "I don't think this is an accurate paraphrase of my perspective."
    assert not negates("Byrnes does not think this is an accurate paraphrase of his view.", quote)
    assert not negates(f"Byrnes doesn't think so: “{quote}”", quote)
    assert negates("Byrnes does not say “I don't think this is an accurate paraphrase”.", quote)
