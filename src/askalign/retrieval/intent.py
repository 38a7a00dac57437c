"""What a question says about where its answer lives: named speakers, whether it asks
about the essay, the post or the comments, and whether it spans several documents.

Names are matched forgivingly against the speakers the index knows: "Ryan Greenblatt"
finds `ryan_greenblatt`, "Byrnes" finds Steven Byrnes. Capitalised name parts must be
capitalised in the question too, so "a herd of models" never means Seth Herd.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, Field

from askalign.documents import Role

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


# Several texts at once: a plural of a document noun ("the two posts", "these texts").
_PLURAL_DOCUMENTS = re.compile(
    r"\b(?:texts|documents|sources|essays|posts|pieces|articles|authors|writers)\b", re.I
)


class Shape(StrEnum):
    """What kind of answer the question asks for, which decides how it is composed."""

    WHAT = "what"
    WHY = "why"
    HOW = "how"
    WHO = "who"
    YESNO = "yesno"
    THREAD = "thread"


_WHY = re.compile(r"^\W*(?:why\b|what (?:is|was|are) the reasons?\b|for what reason)", re.I)
_HOW = re.compile(r"^\W*how\b(?! (?:many|much|often|long)\b)", re.I)
_WHO = re.compile(r"^\W*(?:who(?:m|se)?\b|which (?:commenters?|people|persons?|authors?)\b)", re.I)
_YESNO = re.compile(
    r"^\W*(?:and |so |but )?(?:do|does|did|is|are|was|were|would|will|can|could|should|has|have"
    r"|had|must|may|might|shall)\b",
    re.I,
)
# Words that ask about an exchange between people: who answered whom, and how.
_THREAD = re.compile(
    r"\b(?:repl(?:y|ied|ies|ying)|respon(?:d|ded|ds|se|ses)|answer(?:ed|s)?|rebut(?:ted)?|"
    r"disagree(?:d|s|ment)?|agree(?:d|s)?|push(?:ed)? back|object(?:ed|s|ion)?|counter(?:ed)?|"
    r"persuaded|convinced|accept(?:ed|s)?|reject(?:ed|s)?|disput(?:e|ed|es)|challenged?|"
    r"exchange|back[- ]and[- ]forth|debate[ds]?|argue[ds]? with|thread|"
    r"change[ds]? (?:his|her|their|its) mind|play(?:ed|s)? out|say to (?:that|this|it))\b",
    re.I,
)
_DOCUMENT_NOUNS = r"(?:post|essay|piece|article|overview|paper|text|write-?up|document)s?"
# A second question joined to the first: "…, and how did Ryan respond?"
_SECOND_PART = re.compile(
    r",?\s+and\s+(?:how|what|why|who|whom|which|did|does|do|was|were|is|has|had)\b", re.I
)
# Words that ask for the answer someone gave: what follows the premise, not the premise.
_ASKS_REPLY = re.compile(
    r"\b(?:repl(?:y|ied|ies|ying)|respon(?:d|ded|ds|se|ses|ding)|answer(?:ed|s|ing)?|"
    r"push(?:ed|es|ing)? back|react(?:ed|s|ion)?|rebut(?:ted|tal)?|counter(?:ed|s)?|"
    r"defend(?:ed|s)?|come back|came back|retort(?:ed)?)\b",
    re.I,
)
# Where one sentence of a question ends and the next begins.
_SENTENCE_END = re.compile(r"[.?!](?=\s+[A-Z\"“])")


def _last_sentence_at(text: str) -> int:
    """Where the last sentence of `text` begins (0 for one sentence)."""
    return max((m.end() for m in _SENTENCE_END.finditer(text)), default=0)


# "answer" as a noun someone got, not a reply someone gave: "a correct answer",
# "the right answer", "o1's answers". Blanked out (offsets kept) before the reply words are read.
_ANSWER_NOUN = re.compile(
    r"(?:\b(?:a|an|correct|right|wrong|good|best|final|short|simple|clear|true|one)|['’]s)"
    r"\s+answers?\b",
    re.I,
)

# Questions that ask where people stand: who took a side ("who argued against Y",
# "does anyone disagree with X"), or the sides themselves ("the positions on Y", "what
# objections were raised"). One person's view ("Gillen's objection", "Yudkowsky's views
# on goals") is an ordinary question: a possessive before the noun says whose.
_TOOK_A_SIDE = (
    r"disagree(?:d|s)?|(?:argued?|arguing|spoke|speaks?) against|push(?:ed|es)? back|"
    r"objected|objects? (?:to|that)|criticized|criticised|opposed|disputed?|challenged|agreed?"
)
_ASKS_POSITIONS = re.compile(
    rf"\b(?:who|whom|anyone|anybody|someone|somebody|commenters?|critics|people)\b"
    rf"[^?]{{0,60}}?\b(?:{_TOOK_A_SIDE})\b"
    r"|(?<!['’]s )\b(?:positions|stances|views|sides|camps|disagreements?|objections|"
    r"criticisms|pushback|counter-?arguments)\b",
    re.I,
)


# "What example…", "which benchmark…": a thing inside a reply, not the reply as a whole
# ("what was the answer?", "what did X say?").
_ASKS_THING = re.compile(
    r"(?:^|[.?!]\s+)\W*(?:what|which)\s+(?!(?:did|does|do|was|were|is|are|has|had|have|"
    r"came|comes|happened|would|will|can|could|should|about|if|of)\b)"
    r"(?!(?:[\w-]+\s+)?(?:answers?|repl(?:y|ies)|responses?|reactions?|rebuttals?)\b)[\w-]+",
    re.I,
)
# A question about the other side in particular: its stated disagreements come first.
_ASKS_DISAGREEMENT = re.compile(
    r"\b(?:disagree\w*|against|push\w* back|pushback|object\w*|critic\w*|opposed|"
    r"counter-?arguments?|disput\w*|challenged)\b",
    re.I,
)


def question_shape(question: str, speakers: list[str]) -> Shape:
    """Read off the question's last sentence: "McAleese argues X. Why does Byrnes…?"
    asks why."""
    if _THREAD.search(question) and (
        speakers or re.search(r"\b(?:anyone|commenters?|someone)\b", question, re.I)
    ):
        return Shape.THREAD
    asked = question[_last_sentence_at(question) :]
    for shape, pattern in (
        (Shape.WHY, _WHY),
        (Shape.WHO, _WHO),
        (Shape.HOW, _HOW),
        (Shape.YESNO, _YESNO),
    ):
        if pattern.search(asked):
            return shape
    return Shape.WHAT


class QueryIntent(BaseModel):
    speakers: list[str] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list, description="Documents it names.")
    cross: bool = Field(False, description="The question spans several documents.")
    shape: Shape = Shape.WHAT
    content: str = Field("", description="The question without names and references.")
    asks_reply: bool = Field(False, description="It asks how someone answered a point.")
    replier: str | None = Field(None, description="The named speaker whose reply it asks for.")
    subject: str | None = Field(None, description="The speaker it names first.")
    asks_positions: bool = Field(
        False, description="It asks who disagreed, or where people stand on a topic."
    )
    topic: str = Field("", description="The content without the words that ask for sides.")
    asks_disagreement: bool = Field(False, description="It asks about the other side.")
    asks_thing: bool = Field(
        False, description="It asks for a thing (which example, what evidence), not a whole reply."
    )


def _folded(name: str) -> str:
    """Words only: a name is found before "?" or "," ("…with Andy Arditi?") as well."""
    return re.sub(r"[\s_.\-,;:!?()\"“”]+", " ", name).strip().casefold()


class SpeakerDirectory:
    """The index's speakers, and the name parts that point at exactly one of them."""

    def __init__(self, speakers: list[str]) -> None:
        self.speakers = sorted(set(speakers))
        parts: dict[str, set[str]] = {}
        for speaker in self.speakers:
            for part in re.split(r"[\s_.,\-]+", speaker):
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


class DocumentDirectory:
    """Names a question may call a document by: words only its title has, and its
    author's surname, when they stand next to a document noun ("the persona post",
    "the overview", "Bostock's essay")."""

    def __init__(self, documents: list[tuple[str, str, str | None]]) -> None:
        words: dict[str, set[str]] = {}
        for doc_id, title, author in documents:
            names = {w.casefold() for w in re.findall(r"[A-Za-z]{4,}", title)}
            if author:
                names.add(re.split(r"[\s_]+", author.strip())[-1].casefold())
            for word in names:
                words.setdefault(word.rstrip("s"), set()).add(doc_id)
        self._names = {word: ids.pop() for word, ids in words.items() if len(ids) == 1}

    def mentioned(self, question: str) -> list[str]:
        return list(dict.fromkeys(doc_id for doc_id, _ in self._references(question)))

    def _references(self, question: str) -> list[tuple[str, str]]:
        """(document id, the words that name it) for each reference in the question."""
        found: list[tuple[str, str]] = []
        for match in re.finditer(
            rf"((?:[\w&'’-]+\s+){{0,3}}){_DOCUMENT_NOUNS}\b|\b(\w+)['’]s\s+{_DOCUMENT_NOUNS}",
            question,
            re.I,
        ):
            for word in re.findall(r"[A-Za-z]+", match.group(0)):
                doc_id = self._names.get(word.casefold().rstrip("s"))
                if doc_id:
                    found.append((doc_id, word))
        return found

    def without_references(self, question: str) -> str:
        for _, word in self._references(question):
            question = re.sub(rf"\b{re.escape(word)}\b", " ", question)
        return question


def read_intent(
    question: str, directory: SpeakerDirectory, documents: DocumentDirectory | None = None
) -> QueryIntent:
    roles = [role for role, pattern in _ROLE_WORDS if pattern.search(question)]
    speakers = directory.mentioned(question)
    named_documents = documents.mentioned(question) if documents else []
    cross = (
        len(named_documents) > 1
        or {Role.ESSAY, Role.POST} <= set(roles)
        or bool(_PLURAL_DOCUMENTS.search(question))
    )
    asking = _ANSWER_NOUN.sub(lambda found: " " * len(found[0]), question)  # offsets kept
    shape = question_shape(asking, speakers)
    content = _without_framing(
        documents.without_references(question) if documents else question, speakers
    )
    if shape is Shape.THREAD and Role.COMMENT not in roles:
        roles.append(Role.COMMENT)  # an exchange happens in the comments
    reply = _ASKS_REPLY.search(asking)
    second_part = _SECOND_PART.search(question)
    if reply and second_part and second_part.start() < reply.start():
        reply = None  # "what did X suggest, and how did Y respond?" asks for both, in order
    replier = _replier(question, speakers, reply.start()) if reply else None
    return QueryIntent(
        asks_positions=bool(_ASKS_POSITIONS.search(question)) and replier is None,
        asks_disagreement=bool(_ASKS_DISAGREEMENT.search(question)),
        asks_thing=bool(_ASKS_THING.search(question)),
        topic=" ".join(_ASKS_POSITIONS.sub(" ", content).split()) or content,
        asks_reply=reply is not None or _after_a_premise(question, speakers),
        replier=replier,
        subject=_first_named(
            question[: second_part.start()] if second_part else question, speakers
        ),
        speakers=speakers,
        roles=roles,
        documents=named_documents,
        cross=cross,
        shape=shape,
        content=content,
    )


# Someone the question's last sentence points back at: then it asks about them.
_BACK_TO_THEM = re.compile(r"\b(?:he|she|they|him|her|them|his|hers|their|theirs)\b", re.I)


def _after_a_premise(question: str, speakers: list[str]) -> bool:
    """ "Gurkenglas asked for X. What came of that request?": the first sentence states a
    speaker's point, the last asks about what followed it, naming neither them nor
    "he" or "she"; the answer is in the replies to that point, not in the point."""
    at = _last_sentence_at(question)
    if not at:
        return False
    premise, asked = question[:at], question[at:]
    stated = [speaker for _, speaker in _placed(premise, speakers, last=False)]
    named_again = _placed(asked, stated, last=False)
    return bool(stated) and not named_again and not _BACK_TO_THEM.search(asked)


def _replier(question: str, speakers: list[str], verb_at: int) -> str | None:
    """The speaker named last before the reply word, in its sentence: "How did Byrnes
    answer Greenblatt's objection?" asks for Byrnes's words, and Greenblatt's are the
    premise; in "TurnTrout asked whether… What was the answer?" the answer is another's."""
    placed = _placed(question[_last_sentence_at(question[:verb_at]) : verb_at], speakers, last=True)
    return max(placed)[1] if placed else None


def _first_named(question: str, speakers: list[str]) -> str | None:
    """Whom the question is first about: "What evidence did Byrnes bring, and did
    Hallgren keep arguing?" asks for Byrnes's words first."""
    placed = _placed(question, speakers, last=False)
    return min(placed)[1] if placed else None


def _placed(text: str, speakers: list[str], *, last: bool) -> list[tuple[int, str]]:
    """(where in `text` each speaker is named, the speaker), for those it names."""
    folded = _folded(_POSSESSIVE.sub("", text))
    placed = []
    for speaker in speakers:
        parts = [_folded(speaker)] + [
            _folded(p) for p in re.split(r"[\s_.,\-]+", speaker) if len(p) >= MIN_NAME_PART
        ]
        found = [folded.rfind(p) if last else folded.find(p) for p in parts if p]
        found = [at for at in found if at >= 0]
        if found:
            placed.append((max(found) if last else min(found), speaker))
    return placed


_FRAMING = re.compile(
    rf"\b(?:according to|in the (?:comments|thread)|{_DOCUMENT_NOUNS}|authors?|"
    r"commenters?|comments?)\b",
    re.I,
)


def _without_framing(question: str, speakers: list[str]) -> str:
    """What the question is about, for the dense search: names, document references
    and framing pull a question's vector toward whatever talks about the text itself
    (an essay's introduction) rather than toward the answer."""
    text = _POSSESSIVE.sub("", question)
    for speaker in speakers:
        text = re.sub(re.escape(speaker), " ", text, flags=re.I)
        for part in re.split(r"[\s_.\-]+", speaker):
            if len(part) >= MIN_NAME_PART or part.casefold() == speaker.casefold():
                text = re.sub(rf"\b{re.escape(part)}\b", " ", text, flags=re.I)
    text = _FRAMING.sub(" ", text)
    return " ".join(text.split()) or question
