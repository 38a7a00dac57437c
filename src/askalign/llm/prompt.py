"""What the model is shown and what it is asked to return.

The model sees each retrieved window under an id the server assigns ("S1".."Sn", per
answer), with who wrote it and where. It never sees citation numbers or offsets: the
ids are all it can point with, so a pointer it invents is caught by a set lookup."""

from __future__ import annotations

from pydantic import BaseModel

from askalign.documents import Role

SYSTEM = """You answer questions about essays and comment threads on AI alignment, \
using only the numbered sources you are given.

Reply with one JSON object and nothing else:
{"answerable": true, "claims": [{"text": "...", "source_id": "S1", "quote": "..."}]}

- "text": one short claim in your own words that answers part of the question. \
Name a person only if that source is by them. A source "quoted by" someone \
holds words they quote, not their own: never say they wrote or said them. Put in \
quotation marks only words copied exactly from the source, and never say its author \
denies what they wrote.
- "source_id": the id of the one source the claim rests on, exactly as given (S1, S2, ...).
- "quote": words copied exactly from that source (one sentence or a part of one) \
that support the claim.
- Write 1 to 5 claims, most important first.
- If the sources do not answer the question, reply {"answerable": false, "claims": []}."""

REPAIR = (
    "That reply was not a valid JSON object of the form asked for. Reply again with only"
    ' the JSON object: {"answerable": ..., "claims": [{"text": ..., "source_id": ...,'
    ' "quote": ...}]}.'
)


class Source(BaseModel):
    """One window the model may cite: the sentences with their neighbours, as the
    extractive answer would quote them, and where they sit in their document."""

    id: str
    doc_id: str
    doc_title: str
    speaker: str | None
    role: Role
    replying_to: str | None = None
    passage_id: str
    start: int
    end: int
    text: str  # == source_text[start:end]
    quoted: bool = False  # words the speaker quotes from someone else, not their own
    quoted_source: str | None = None  # whom the text names as their source


MAX_EARLIER = 3  # the questions before the last that a rewrite reads
STANDALONE = (
    "Rewrite the user's last question so that it can be understood without the"
    ' conversation before it: put in the names and the topic it refers to ("he", "that",'
    ' "and the post\'s author?"). Keep its meaning and its kind of question. Reply with'
    " the rewritten question only, on one line."
)


def standalone_messages(question: str, earlier: list[str]) -> list[dict[str, str]]:
    asked = "\n".join(f"- {text}" for text in earlier[-MAX_EARLIER:])
    return [
        {"role": "system", "content": STANDALONE},
        {"role": "user", "content": f"Earlier questions:\n{asked}\n\nLast question: {question}"},
    ]


def messages(question: str, sources: list[Source]) -> list[dict[str, str]]:
    blocks = []
    for source in sources:
        who = source.speaker or "unknown author"
        if source.quoted:
            who = f"{source.quoted_source or 'an unnamed source'}, quoted by {who}"
        reply = f", replying to {source.replying_to}" if source.replying_to else ""
        head = f'[{source.id}] {who} ({source.role.value}{reply}), in "{source.doc_title}":'
        blocks.append(f"{head}\n{source.text.strip()}")
    user = "Sources:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def schema(ids: list[str]) -> dict:
    """The reply's JSON schema, with the valid ids as an enum: a server that enforces
    schemas (Ollama, vLLM) cannot emit an id that does not exist."""
    claim = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "source_id": {"type": "string", "enum": ids},
            "quote": {"type": "string"},
        },
        "required": ["text", "source_id", "quote"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "answerable": {"type": "boolean"},
            "claims": {"type": "array", "items": claim, "maxItems": 8},
        },
        "required": ["answerable", "claims"],
        "additionalProperties": False,
    }


def response_formats(ids: list[str]) -> list[tuple[str, dict | None]]:
    """The output forms to try, strictest first: a server that refuses one with an HTTP
    error is asked again in the next. The schema is in the prompt for all three, and
    goes with `json_object` too: llama.cpp's servers refuse `json_schema` but constrain
    their output to a schema given there."""
    return [
        (
            "json_schema",
            {
                "type": "json_schema",
                "json_schema": {"name": "claims", "strict": True, "schema": schema(ids)},
            },
        ),
        ("json_object", {"type": "json_object", "schema": schema(ids)}),
        ("text", None),
    ]
