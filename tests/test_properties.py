"""Parsing never crashes on arbitrary text, and spans always cut back to passage text."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askalign.formats import essay, html, lesswrong, lesswrong_flat, markdown, reader_for
from askalign.formats.base import DocumentMeta, ReadContext
from askalign.formats.decode import ReadError

from .conftest import LESSWRONG_PAGE

PAGE_LINES = [
    *LESSWRONG_PAGE.splitlines(),
    "TL;DR", "Reply", "Reply3", "[-]", "[-]x", "[+]name3dΩ", "  1. ^", "    note", "# Heading",
    "---", "title: x", "2.1 Numbered heading", "  • bullet", "", "", "a ↩︎", "@bob_b hi", "<p>x</p>",
]  # fmt: skip

line = st.one_of(st.sampled_from(PAGE_LINES), st.text(max_size=80))
page_text = st.lists(line, max_size=60).map("\n".join)
READERS = [essay, lesswrong, lesswrong_flat, markdown, html]


def context() -> ReadContext:
    return ReadContext("doc", "doc.txt", "hash", DocumentMeta(), [])


def check_spans(text: str, module) -> None:
    try:
        document = module.read(text, context())
    except (StopIteration, ValueError) as error:  # sniff() guards these readers
        assert not module.sniff(text), error
        return
    source = document.source_text
    for passage in document.passages:
        assert source[passage.start : passage.end] == passage.text
        for quote in passage.pasted:
            assert passage.start <= quote.start <= quote.end <= passage.end


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=page_text)
def test_chosen_reader_never_crashes_and_spans_cut_back(text: str) -> None:
    for extension in (".txt", ".md", ".html"):
        with contextlib.suppress(ReadError):
            check_spans(text, reader_for(extension, text))


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=400))
def test_essay_markdown_and_html_accept_any_text(text: str) -> None:
    for module in (essay, markdown, html):
        check_spans(text, module)
