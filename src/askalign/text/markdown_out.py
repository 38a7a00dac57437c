"""Outside text (corpus, the user's model, a browser) in the Markdown askalign writes:
the chat, "Copy as Markdown", the conversation and map exports. Whatever it holds, it is
shown as the characters it is: no HTML, no emphasis, heading, list, table or image, and
no link but the http(s) ones askalign itself makes from a source's URL.

Every writer goes through here, so one rule decides what a reader of any of them sees."""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

from askalign.text.printable import printable

LINK_SCHEMES = frozenset({"http", "https"})
# Markdown's inline syntax (CommonMark and GitHub's), each escaped with a backslash
_INLINE = re.compile(r"([\\`*_{}\[\]()#+!|~])")  # < > & become entities first
# What a renderer links by itself (GitHub, marked): scheme://, www., an e-mail address;
# a backslash escape ends the match, and the text reads the same
_AUTOLINK = re.compile(r":(?=//)|(?<=www)\.|@", re.IGNORECASE)
# What starts a block only at the beginning of a line: a list, a setext underline
_LINE_START = re.compile(r"^([ \t]*)(-|=|\d+\.)", re.MULTILINE)
# Kept in a URL as it is; anything else (space, quote, bracket, backslash) is %-encoded
_URL_SAFE = "/:?#@!$&'*+,;=%-._~"


def escape_markdown(text: str) -> str:
    """`text` as Markdown that renders to exactly these characters, lines kept, less
    the control characters no reader should receive."""
    escaped = _INLINE.sub(r"\\\1", html.escape(printable(text), quote=False))
    escaped = _AUTOLINK.sub(lambda found: "\\" + found.group(0), escaped)
    return _LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(found: re.Match[str]) -> str:
    indent, mark = found.group(1), found.group(2)
    return f"{indent}{mark[:-1]}\\{mark[-1]}"


def one_line(text: str) -> str:
    """A name or title on one line (a newline in it would end a heading or list item)."""
    return " ".join(text.split())


def http_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, %-encoded so that it ends where a Markdown
    link or an HTML attribute expects; None for any other (javascript:, data:, a path)."""
    if not url:
        return None
    url = printable(url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return quote(url, safe=_URL_SAFE)


def markdown_link(label: str, url: str | None) -> str:
    """`[label](url)` where the URL is http(s), else the label alone; the label escaped."""
    shown = escape_markdown(one_line(label))
    target = http_url(url)
    return f"[{shown}]({target})" if target else shown
