"""A sentence that is only a link ("Next up: [4. Existing Writing](/posts/…)", a
bibliography entry "“[Petrov corrigibility](/posts/…).” 2018.") names a text without
saying anything of it: quoted as an answer, it is a bare title. Read with markdown-it,
so link text is told from the words around it however the link is written."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

MAX_OWN_WORDS = 3  # words outside the link: "Next up:", "Return to", "(a.k.a."

_PARSER = MarkdownIt("commonmark")
_WORD = re.compile(r"[^\W\d_]{2,}")


def link_only(text: str) -> bool:
    """At least one link, and almost no words of the sentence outside its links."""
    inline = [token for token in _PARSER.parseInline(text) if token.type == "inline"]
    outside: list[str] = []
    links = depth = 0
    for token in (child for block in inline for child in block.children or []):
        if token.type == "link_open":
            links, depth = links + 1, depth + 1
        elif token.type == "link_close":
            depth -= 1
        elif token.type == "text" and depth == 0:
            outside.append(token.content)
    return links > 0 and len(_WORD.findall(" ".join(outside))) <= MAX_OWN_WORDS
