"""How a span of source text reads: Markdown shown as the words a reader sees.

A citation's span stays the exact source (and is verified against it), but
`[brain in a box](https://…)` should read as "brain in a box" in an answer, and the
model should embed the words, not the URL. Formats without markup read as they are,
so their chunk and sentence hashes never change.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

MARKDOWN_FORMAT = "markdown"
DATASET_FORMAT = "jsonl"  # the dataset's article texts are Markdown too
SAVED_PAGE_FORMAT = "lesswrong-saved-md"  # a forum page saved by a browser as Markdown
MARKDOWN_FORMATS = frozenset({MARKDOWN_FORMAT, DATASET_FORMAT, SAVED_PAGE_FORMAT})
_INLINE = MarkdownIt("commonmark")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_SPACES = re.compile(r"[ \t]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
MAX_OWN_WORDS = 3  # words a link-only sentence may have outside its links: "Next up:"
_NAME_GLUE = frozenset({"and", "or", "et", "al"})  # "A, B, and C"; "A et al."


def readable(fragment: str, source_format: str) -> str:
    if source_format not in MARKDOWN_FORMATS:
        return fragment
    return markdown_words(fragment)


def markdown_words(fragment: str) -> str:
    """Inline Markdown to its words: link and image text, code, emphasis unmarked."""
    lines = [_unquoted(line) for line in fragment.split("\n")]
    tokens = _INLINE.parseInline("\n".join(lines))
    words = "".join(_words(child) for token in tokens for child in token.children or [])
    words = _FOOTNOTE_REF.sub("", words)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in words.split("\n")).strip()


def _unquoted(line: str) -> str:
    """Blockquote markers at the start of a continuation line are markup, not words."""
    stripped = line.lstrip()
    while stripped.startswith(">"):
        stripped = stripped[1:].lstrip()
    return stripped


def _words(token: Token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type == "softbreak":
        return " "
    if token.type == "hardbreak":
        return "\n"
    if token.type == "image":
        return "".join(_words(child) for child in token.children or [])
    return ""


def only_names(text: str) -> bool:
    """Names texts or people without saying anything of them: a bare link, or a list
    of names ("Dylan Hadfield-Menell, Anca Dragan, Pieter Abbeel, and Stuart Russell",
    a paper's byline) whose words are all capitalised but for the "and" between them."""
    return link_only(text) or _name_list(markdown_words(text))


def _name_list(words_read: str) -> bool:
    words = _WORD.findall(words_read)
    own = [word for word in words if not word[0].isupper() and word not in _NAME_GLUE]
    return len(words) >= 2 and not own and ("," in words_read or " and " in words_read)


def link_only(text: str) -> bool:
    """A sentence that is only a link ("Next up: [4. Existing Writing](/posts/…)", a
    bibliography entry "“[Petrov corrigibility](/posts/…).” 2018.") names a text
    without saying anything of it: at least one link, and almost no words outside."""
    outside: list[str] = []
    links = depth = 0
    for token in (child for block in _INLINE.parseInline(text) for child in block.children or []):
        if token.type == "link_open":
            links, depth = links + 1, depth + 1
        elif token.type == "link_close":
            depth -= 1
        elif token.type == "text" and depth == 0:
            outside.append(token.content)
    return links > 0 and len(_WORD.findall(" ".join(outside))) <= MAX_OWN_WORDS
