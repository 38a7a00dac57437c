"""What a question says about where its answer lives: named speakers, whether it asks
about the essay, the post or the comments, and whether it spans several documents.

Names are matched forgivingly against the speakers the index knows: "Ryan Greenblatt"
finds `ryan_greenblatt`, "Byrnes" finds Steven Byrnes. Capitalised name parts must be
capitalised in the question too, so "a herd of models" never means Seth Herd.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from askalign.models import Role

MIN_NAME_PART = 4
_POSSESSIVE = re.compile(r"['’]s?\b")
_ROLE_WORDS: list[tuple[Role, re.Pattern[str]]] = [
    (Role.ESSAY, re.compile(r"\bessays?\b", re.I)),
    (Role.POST, re.compile(r"\b(?:post|OP)\b(?![-\s]?train)", re.I)),
    (
        Role.COMMENT,
        re.compile(
            r"\b(?:comment(?:s|er|ers)?|repl(?:y|ied|ies)|respon(?:d|ded|se)|thread)\b", re.I
        ),
    ),
]


_CROSS = re.compile(
    r"\b(?:both|each of the|all (?:three|the)|across the|compare the)\s+"
    r"(?:texts?|documents?|sources?|essays?|posts?|authors?|pieces?)\b",
    re.I,
)


_BOTH_X_AND_Y = re.compile(r"\bboth\b.{3,80}\band\b", re.I)


class QueryIntent(BaseModel):
    speakers: list[str] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    cross: bool = Field(False, description="The question spans several documents.")


def _folded(name: str) -> str:
    return re.sub(r"[\s_.\-]+", " ", name).strip().casefold()


class SpeakerDirectory:
    """The index's speakers, and the name parts that point at exactly one of them."""

    def __init__(self, speakers: list[str]) -> None:
        self.speakers = sorted(set(speakers))
        parts: dict[str, set[str]] = {}
        for speaker in self.speakers:
            for part in re.split(r"[\s_.\-]+", speaker):
                if len(part) >= MIN_NAME_PART:
                    parts.setdefault(part, set()).add(speaker)
        self._unique_parts = {
            part: owners.pop() for part, owners in parts.items() if len(owners) == 1
        }

    def resolve(self, name: str) -> str | None:
        """A speaker for a name as a user types it (`--speaker byrnes`), if unambiguous."""
        wanted = _folded(name)
        exact = [s for s in self.speakers if _folded(s) == wanted]
        if exact:
            return exact[0]
        partial = [s for s in self.speakers if wanted and wanted in _folded(s).split()]
        return partial[0] if len(partial) == 1 else None

    def mentioned(self, question: str) -> list[str]:
        text = _POSSESSIVE.sub("", question)
        folded = f" {_folded(text)} "
        found = [s for s in self.speakers if f" {_folded(s)} " in folded]
        words = set(re.findall(r"[\w\-]+", text))
        for part, speaker in self._unique_parts.items():
            candidates = (
                {part}
                if part[0].isupper()
                else {w for w in words if w.casefold() == part.casefold()}
            )
            if candidates & words and speaker not in found:
                found.append(speaker)
        return found


def read_intent(question: str, directory: SpeakerDirectory) -> QueryIntent:
    roles = [role for role, pattern in _ROLE_WORDS if pattern.search(question)]
    cross = bool(_CROSS.search(question) or _BOTH_X_AND_Y.search(question))
    return QueryIntent(speakers=directory.mentioned(question), roles=roles, cross=cross)
