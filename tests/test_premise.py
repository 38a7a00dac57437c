"""A question that takes for granted the words of someone who never wrote them is not
answered as if they had: the answer says plainly that no one of that name wrote there.
The same question about a real commenter, or a question about what a text says of a
person it only mentions, is answered. All on the shipped corpus and the real index."""

from __future__ import annotations

import pytest


def test_someone_nowhere_in_the_corpus_is_said_not_to_be_there(assistant) -> None:
    absent = assistant.ask(
        "How did Geoffrey Hinton respond to Byrnes's argument that reward functions"
        " will be written in Python?"
    )
    assert absent.abstained
    assert absent.text.startswith("No one named Geoffrey Hinton wrote or is mentioned")
    assert "nearest material (not an answer)" in absent.text


def test_the_same_question_about_a_real_commenter_is_answered(assistant) -> None:
    template = "What did {} say about programmers writing the AI's reward function?"
    absent = assistant.ask(template.format("Geoffrey Hinton"))
    present = assistant.ask(template.format("Stephen McAleese"))
    assert absent.abstained and "No one named Geoffrey Hinton" in absent.text
    assert not present.abstained
    assert "Stephen McAleese" in {citation.speaker for citation in present.citations}


def test_someone_only_mentioned_did_not_reply(assistant) -> None:
    """Paul Christiano is discussed in the post but wrote none of it: a question about
    his reply is told so; one about what the post says of him is answered."""
    reply = assistant.ask("How did Paul Christiano respond to being described as LLM-focused?")
    assert reply.abstained
    assert reply.text.startswith("No one named Paul Christiano wrote in the corpus")
    about = assistant.ask(
        "What does the foom & doom post say about Paul Christiano's views on alignment?"
    )
    assert not about.abstained
    assert any("Paul Christiano" in citation.quote for citation in about.citations)


def test_a_person_the_essay_mentions_is_answered_about(assistant) -> None:
    about = assistant.ask(
        "What does the overview say about Ajeya Cotra's idea for AI systems keeping each"
        " other in check?"
    )
    assert not about.abstained and "No one named" not in about.text
    reply = assistant.ask(
        "How did Ajeya Cotra respond to the overview's account of her three-system idea?"
    )
    assert reply.abstained and "No one named Ajeya Cotra" in reply.text


def test_a_commenter_asked_about_words_they_never_used_abstains(assistant) -> None:
    never = assistant.ask("What did plex say about Self-Other Overlap training?")
    assert never.abstained
    said = assistant.ask("What did Expertium say about the paper on Self-Other Overlap?")
    assert not said.abstained
    assert "Expertium" in {citation.speaker for citation in said.citations}


@pytest.mark.parametrize(
    "question",
    [
        "What did RLHF do to the model's persona, according to Bostock?",
        "Does GPT-4 say what it really wants, in the foom & doom post?",
        "What did the Alignment Forum commenters say about brain-like AGI?",
        "Did Anthropic respond to criticism of persona training, according to the post?",
        "What does the essay say about Eliezer's view of corrigibility?",
        "Why does Bayes matter to the Garrabrant inductor in the persona post?",
        "What did Steven Byrnes reply to Jeremy Gillen?",
        "Which commenter replied to Seth Herd about self-other overlap?",
        "What did S. Alex Bradt say about hallucinations?",
        "Someone doubted the reward function. Who raised this and how did Byrnes answer?",
        "What did Ryan_Greenblatt reply to Jeremy Gillen?",
    ],
)
def test_names_of_things_and_of_speakers_are_no_false_premise(assistant, question) -> None:
    assert assistant.premise.false_premise(question) is None


def test_a_reply_nobody_wrote_is_said_not_to_be_there(assistant) -> None:
    """jessicata's comment on the foom-and-doom post has no reply from Byrnes: asked how
    he answered it, the answer says so rather than quoting her and his other words as if
    they were the exchange. Joey Marcellino's has one, and it is quoted."""
    unanswered = assistant.ask("How did Byrnes respond to jessicata's comment?")
    assert unanswered.abstained
    assert unanswered.text.startswith("No reply by Steven Byrnes to jessicata appears")
    granted = assistant.ask("Why did the author agree with jessicata about the RL paper?")
    assert granted.text.startswith("No reply by the author (Steven Byrnes) to jessicata")
    answered = assistant.ask(
        "How did Byrnes respond to Joey Marcellino's doubt about magically transmuting"
        " observations into behaviors?"
    )
    assert not answered.abstained
    assert answered.citations[0].speaker == "Steven Byrnes"


@pytest.mark.parametrize("verb", ["relate", "explain", "compare"])
def test_a_person_asked_to_explain_or_relate_is_a_speaker_too(assistant, verb: str) -> None:
    """ "How did Evan Hubinger relate this to his own work?" takes his words for granted
    as much as "what did he say"; before, only speech and reply verbs were read so."""
    answer = assistant.ask(f"How did Geoffrey Hinton {verb} reward functions written in Python?")
    assert answer.abstained
    assert answer.text.startswith("No one named Geoffrey Hinton")
