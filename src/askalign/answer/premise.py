"""A question that takes someone's words for granted: "What did Paul Graham say in the
comments?" when nobody of that name wrote there. Answering it from the nearest passage
tells the reader a person said what they never said; the honest answer is that they are
not there.

A person is a run of capitalised words the question treats as someone who speaks ("did
X say", "X replied", "X's comment"), that is not a speaker of the index:

- nowhere in the corpus (no chunk holds every word of the name): nobody of that name
  wrote or is mentioned, whatever the question asks them about;
- mentioned in the texts but never their author: only when the question asks for their
  reply or comment ("how did Christiano respond", "what did Janus reply to Bostock"),
  and not when it asks what a text says of them ("what does the post say about Paul
  Christiano's views", "what does Scott Alexander point out, as Byrnes cites him").

Names of things rarely stand where a speaker does, and capitalised words that open the
question, acronyms ("RLHF") and words with digits ("GPT-4") are never taken for names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from askalign.index.contract import ChunkSource
from askalign.text.terms import terms

NOT_IN_CORPUS = "No one named {name} wrote or is mentioned in the corpus."
ONLY_MENTIONED = "No one named {name} wrote in the corpus; the texts only mention {name}."

_WORD = r"[A-Z][a-z][\w-]*"
# A name: capitalised words in a row, with initials ("S. Alex Bradt") between them.
_NAME = re.compile(rf"\b{_WORD}(?:\s+(?:[A-Z]\.\s+)*{_WORD})*")
_REPLY_VERBS = (
    r"comment(?:s|ed)?|repl(?:y|ied|ies)|respon(?:d|ded|ds)|answer(?:s|ed)?|"
    r"push(?:es|ed)? back|react(?:s|ed)?|rebut(?:s|ted)?|retort(?:s|ed)?"
)
_SPEECH_VERBS = (
    rf"{_REPLY_VERBS}|say|says|said|argue[ds]?|think|thinks|thought|write|writes|wrote|"
    r"claim(?:s|ed)?|suggest(?:s|ed)?|propose[ds]?|object(?:s|ed)?|raise[ds]?|believe[ds]?|"
    r"criticiz(?:e|es|ed)|mak(?:e|es) of|made of|ask(?:s|ed)?|note[ds]?|offer(?:s|ed)?|"
    r"explain(?:s|ed)?|describe[ds]?|relate[ds]?|connect(?:s|ed)?|compare[ds]?|"
    r"mention(?:s|ed)?|add(?:s|ed)?|admit(?:s|ted)?|concede[ds]?|(?:dis)?agree[ds]?|"
    r"doubt(?:s|ed)?|warn(?:s|ed)?|predict(?:s|ed)?|recommend(?:s|ed)?|point(?:s|ed)? (?:out|to)"
)
_AUXILIARY = r"do|does|did|has|have|had|would|will|could|might|was|is"
# The question has a text speak of the person: then it asks what the text says.
_SOURCE = re.compile(
    r"\baccording to\b|\bper the\b|\bas (?:\w+\s+){1,3}(?:cites?|describes?|quotes?|puts? it)"
    r"|\b(?:post|essay|overview|article|piece|author|thread|discussion)\s+"
    r"(?:say|says|said|mention|mentions|describe|describes|report|reports|cite|cites)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"[.?!]\s+$")
# "did X say", "X replied", "X's comment": the name stands as someone who speaks.
_ASKED = re.compile(rf"\b(?:{_AUXILIARY})\s+$", re.I)
_ADVERB = r"(?:\w+ly|ever|also|actually|really|not|never|first|then|later|even)\s+"
_SPEAKS = re.compile(rf"\s+(?:{_ADVERB})?(?:{_SPEECH_VERBS})\b", re.I)
_BARE = re.compile(r"\s+(?:say|think|write|make)\b", re.I)  # "the words Paul say": no subject
_OWNS = re.compile(r"['’]s?\s+(?:\w+\s+)?(?:comments?|repl(?:y|ies)|responses?|rebuttals?)\b")
# What the person is asked for is a reply: a reply word, or what they "think of" a text
# or of a speaker's point ("what does Janus think of Bostock's argument").
_REPLY = re.compile(
    rf"\b(?:{_REPLY_VERBS}|in (?:the )?comments?|in reply|in response)\b"
    r"|\b(?:think|thinks|thought|make|makes|made) of (?:the (?:post|essay|overview|piece|"
    r"article|comments?)\b|[A-Z]\w*['’]s?\s)",
    re.I,
)


class PremiseCheck:
    """Reads a question's names against who speaks in the index, its titles (a word of
    "Foom & Doom 2" names a document), and which words its text holds (the catalog's
    `term_counts`, a few lookups a question)."""

    def __init__(self, catalog: ChunkSource, speakers: Iterable[str]) -> None:
        self.catalog = catalog
        known = [*speakers, *(title for _, title, _ in catalog.document_names())]
        self.known_words = {
            part.casefold() for name in known for part in re.split(r"[\s_.,&:()-]+", name) if part
        }

    def false_premise(self, question: str) -> str | None:
        """What to say instead of answering, when the question takes for granted the
        words of someone who did not write them; None when it does not."""
        for match in _NAME.finditer(question):
            name = self._person(question, match)
            if name is None:
                continue
            if not self._in_corpus(name):
                return NOT_IN_CORPUS.format(name=name)
            if self._asks_reply(question, match) and not _SOURCE.search(question):
                return ONLY_MENTIONED.format(name=name)
        return None

    def _person(self, text: str, match: re.Match[str]) -> str | None:
        """The name, where the question has it speak and it is nobody the index knows."""
        words = match.group(0).split()
        opens = match.start() == 0 or _SENTENCE_END.search(text[: match.start()])
        if opens:  # "Did ..." or "… this? Who …" opens a sentence; the name may follow
            words = words[1:]
        if not words or any(self._known(word) for word in words):
            return None
        name = " ".join(words)
        after = text[match.end() :]
        asked = opens or _ASKED.search(text[: match.start()])
        speaks = _SPEAKS.match(after) and (asked or not _BARE.match(after))
        return name if speaks or _OWNS.match(after) else None

    def _known(self, word: str) -> bool:
        """A word of a speaker's name or a title, itself or each part of a handle
        ("Towards_Keeperhood")."""
        parts = [part for part in re.split(r"[_.-]+", word.casefold()) if part]
        return bool(parts) and all(part in self.known_words for part in parts)

    def _in_corpus(self, name: str) -> bool:
        """Every word of the name somewhere, or the name as a handle ("@Kaj_Sotala")."""
        stems, handle = terms([name, "_".join(name.split())])
        found = self.catalog.term_counts([*stems, *handle])
        return all(found[t] for t in stems) or all(found[t] for t in handle)

    def _asks_reply(self, text: str, match: re.Match[str]) -> bool:
        """Whether what the question asks of the person is a reply or a comment: the
        words after the name ask for one."""
        return bool(_REPLY.search(text[match.end() :]))
