"""Answers as the page shows them. Corpus text is always escaped: a passage that holds
`<script>` shows those characters, it never runs them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from itertools import islice

from askalign.answer.answers import Answer, Citation
from askalign.answer.verify import as_indexed, is_gone
from askalign.documents import Document, Passage, Role
from askalign.ingest.summary import COLUMNS, FilesSummary
from askalign.text.markdown_out import escape_markdown, http_url, markdown_link, one_line
from askalign.text.readable import readable

CONTEXT_CHARS = 420
SAMPLED_DOCUMENTS = 50
PARENT_CHARS = 600
ROLE_WORDS = {
    Role.POST: "in the post",
    Role.COMMENT: "comment",
    Role.ESSAY: "essay",
    Role.FOOTNOTE: "footnote",
}


def chat_markdown(answer: Answer) -> str:
    body = escape_markdown(answer.text)
    authorship = answer.authorship()
    if authorship:
        body += f"\n\n*{escape_markdown(authorship)}*"
    if answer.abstained:
        return f"⚠️ **Not found in the corpus.**\n\n{body}"
    return body


def _passage(document: Document, passage_id: str) -> Passage | None:
    return next((p for p in document.passages if p.id == passage_id), None)


def highlighted_context(document: Document, passage: Passage, citations: list[Citation]) -> str:
    """The passage around the quoted sentences, the quotes marked, everything escaped."""
    start = max(passage.start, min(c.start for c in citations) - CONTEXT_CHARS)
    end = min(passage.end, max(c.end for c in citations) + CONTEXT_CHARS)
    pieces = ["…" if start > passage.start else ""]
    cursor = start
    for citation in sorted(citations, key=lambda c: c.start):
        pieces.append(_shown(document, cursor, citation.start))
        quote = _shown(document, citation.start, citation.end)
        pieces.append(f'<mark data-n="{citation.n}">{quote}</mark><sup>[{citation.n}]</sup>')
        cursor = citation.end
    pieces.append(_shown(document, cursor, end))
    pieces.append("…" if end < passage.end else "")
    return "".join(pieces)


def _shown(document: Document, start: int, end: int) -> str:
    return html.escape(readable(document.source_text[start:end], document.format))


def source_markdown(citation: Citation) -> str:
    """One source as Markdown, for the clipboard: quote, attribution, link."""
    who = citation.credit(
        citation.speaker or ("A commenter" if citation.role is Role.COMMENT else "The text")
    )
    section = escape_markdown(one_line(" > ".join(citation.section)))
    where = f" ({section})" if section else ""
    link = markdown_link(citation.doc_title, citation.url)
    quote = escape_markdown(one_line(citation.display))
    attribution = f"{escape_markdown(one_line(who))}, {ROLE_WORDS[citation.role]}, {link}{where}"
    return f"> {quote}\n\n— {attribution}"


def _who(citation: Citation) -> str:
    name = citation.speaker or ("a commenter" if citation.role is Role.COMMENT else "the text")
    return html.escape(citation.credit(name))


def as_written(passage: Passage | None) -> str:
    """The name as the source wrote it, where that differs from the speaker's identity:
    shown in the source view only, each hidden (format) character spelled out."""
    if passage is None or not passage.speaker_as_written:
        return ""
    spelled = "".join(
        f"⟨U+{ord(c):04X}⟩" if unicodedata.category(c) == "Cf" else c
        for c in passage.speaker_as_written
    )
    title = "The name as the source writes it, hidden characters spelled out"
    return f' <span class="as-written" title="{title}">(written “{html.escape(spelled)}”)</span>'


def source_card(citations: list[Citation], documents: Mapping[str, Document]) -> str:
    first = citations[0]
    document = documents[first.doc_id]
    passage = _passage(document, first.passage_id)
    numbers = " ".join(f"[{c.n}]" for c in citations)
    title = html.escape(first.doc_title)
    url = http_url(first.url)
    link = (
        f'<a href="{html.escape(url)}" target="_blank" rel="noopener">{title}</a>' if url else title
    )
    section = (
        f' · <span class="section">{html.escape(" > ".join(first.section))}</span>'
        if first.section
        else ""
    )
    context = (
        highlighted_context(document, passage, citations) if passage else html.escape(first.quote)
    )
    copy_text = html.escape("\n\n".join(source_markdown(c) for c in citations), quote=True)
    parent = _parent_details(document, passage)
    karma = "" if first.karma is None else f' · <span class="karma">karma {first.karma}</span>'
    return (
        f'<div class="source" data-speaker="{html.escape(first.speaker or "")}">'
        f'<div class="source-head"><b>{numbers} <span class="speaker">{_who(first)}</span></b>'
        f"{as_written(passage)}"
        f" · {ROLE_WORDS[first.role]}{karma} · {link}{section}</div>"
        f'<blockquote class="context">{context}</blockquote>{parent}'
        f'<button class="copy-source" data-md="{copy_text}"'
        ' onclick="navigator.clipboard && navigator.clipboard.writeText(this.dataset.md);'
        " this.textContent='Copied';\">Copy as Markdown</button></div>"
    )


def _parent_details(document: Document, passage: Passage | None) -> str:
    if passage is None or not passage.reply_to:
        return ""
    parent = _passage(document, passage.reply_to)
    if parent is None:
        return ""
    who = html.escape(
        parent.speaker or ("a commenter" if parent.role is Role.COMMENT else "the post")
    )
    text = html.escape(parent.text[:PARENT_CHARS]) + (
        "…" if len(parent.text) > PARENT_CHARS else ""
    )
    return (
        f'<details class="parent"><summary>Replying to {who} — show what it answers</summary>'
        f"<blockquote>{text}</blockquote></details>"
    )


def shown_citations(
    answer: Answer, documents: Mapping[str, Document]
) -> tuple[list[Citation], list[Citation]]:
    """An answer's citations as the index gives them now, and those whose document has
    left it. The page's saved conversation comes from the browser: a citation in it that
    the index does not confirm (another quote, passage or speaker) is not shown."""
    confirmed = [c for c in (as_indexed(c, documents) for c in answer.citations) if c]
    return confirmed, [c for c in answer.citations if is_gone(c, documents)]


def gone_card(citation: Citation) -> str:
    """A source whose text was removed: its number, and nothing the browser sent."""
    return (
        f'<div class="source gone"><div class="source-head"><b>[{citation.n}]</b>'
        " no longer in the corpus: the text it quoted has been removed.</div></div>"
    )


def sources_html(answer: Answer | None, documents: Mapping[str, Document]) -> str:
    """Sources grouped by passage, so one source is never listed twice; the words a
    speaker quotes get a card of their own, which names whom they quote."""
    confirmed, gone = shown_citations(answer, documents) if answer else ([], [])
    if answer is None or not (confirmed or gone):
        return '<div class="sources empty">Sources appear here, beside each answer.</div>'
    groups: dict[tuple[str, bool, str | None], list[Citation]] = {}
    for citation in confirmed:
        key = (citation.passage_id, citation.quoted, citation.quoted_source)
        groups.setdefault(key, []).append(citation)
    cards = "".join(source_card(group, documents) for group in groups.values())
    cards += "".join(gone_card(citation) for citation in gone)
    heading = "Nearest material (not an answer)" if answer.abstained else "Sources"
    css = "sources abstained" if answer.abstained else "sources"
    return f'<div class="{css}"><h3>{heading}</h3>{cards}</div>'


def follow_ups(
    answer: Answer | None, documents: Mapping[str, Document], limit: int = 3
) -> list[str]:
    """Questions the thread structure suggests: the reply to a cited comment, the post
    passage a comment answers, more from the same speaker."""
    if answer is None or answer.abstained:
        return []
    found: list[str] = []
    for citation in shown_citations(answer, documents)[0]:
        document = documents[citation.doc_id]
        passage = _passage(document, citation.passage_id)
        if passage is None:
            continue
        replies = [p for p in document.passages if p.reply_to == passage.id and p.speaker]
        if replies and citation.speaker:
            found.append(f"How did {replies[0].speaker} reply to {citation.speaker}?")
        if passage.role is Role.COMMENT and passage.replying_to_speaker:
            answerer = citation.speaker or "the commenter"
            found.append(f"What did {passage.replying_to_speaker} say that {answerer} answered?")
        if citation.speaker:
            found.append(f"What else did {citation.speaker} argue?")
    return list(dict.fromkeys(found))[:limit]


def example_questions(documents: Mapping[str, Document], limit: int = 4) -> list[str]:
    """Starting points drawn from the corpus itself: the sections and commenters of its
    first `SAMPLED_DOCUMENTS` texts (reading them all would slow a large index's page)."""
    sampled = [documents[doc_id] for doc_id in islice(documents, SAMPLED_DOCUMENTS)]
    examples: list[str] = []
    for document in sampled:
        headings = [
            p.section[-1] for p in document.passages if p.section and p.role is not Role.FOOTNOTE
        ]
        if headings:
            topic = _clean_heading(headings[len(headings) // 3])
            short_title = document.title.split(":")[0].split(" (")[0]
            examples.append(f"What does “{short_title}” say about {topic}?")
    commenters: dict[str, int] = {}
    for document in sampled:
        for passage in document.passages:
            if (
                passage.role is Role.COMMENT
                and passage.speaker
                and passage.speaker != document.author
            ):
                commenters[passage.speaker] = commenters.get(passage.speaker, 0) + 1
    for name in sorted(commenters, key=lambda n: -commenters[n])[:2]:
        examples.append(f"What did {name} argue in the comments?")
    return examples[:limit]


def _clean_heading(heading: str) -> str:
    return re.sub(r"^\d+(\.\d+)*\s+", "", heading).strip('“”"')


def conversation_markdown(
    turns: list[tuple[str, Answer]], documents: Mapping[str, Document]
) -> str:
    """The whole conversation, each answer followed by its sources as the index confirms
    them (the turns come from the browser), as Markdown: every question, answer and
    source escaped, so the file shows what the page showed."""
    lines = ["# askalign conversation", ""]
    for question, answer in turns:
        lines += [f"## Q: {escape_markdown(one_line(question))}", "", escape_markdown(answer.text)]
        lines.append("")
        confirmed, gone = shown_citations(answer, documents)
        lines += [f"[{c.n}] {source_markdown(c)}\n" for c in confirmed]
        lines += [f"[{c.n}] (no longer in the corpus)\n" for c in gone]
    return "\n".join(lines)


def files_markdown(summary: FilesSummary) -> str:
    """What each added file became, as `askalign add` prints it; ⚠️ where it looks misread."""
    lines = [f"| {' | '.join(COLUMNS)} |", f"|{'---|' * len(COLUMNS)}"]
    for row in summary.files:
        lines.append(f"| {' | '.join(_file_cell(text, gap) for text, gap in row.cells())} |")
    problems = [
        f"- ❌ {escape_markdown(f'{p.file}: {p.reason}. To fix: {p.hint}.')}"
        for p in summary.problems
    ]
    return "\n".join((lines if summary.files else []) + problems)


def _file_cell(value: str | None, gap: bool) -> str:
    text = escape_markdown("missing" if value is None else value)
    return f"⚠️ **{text}**" if gap else text
