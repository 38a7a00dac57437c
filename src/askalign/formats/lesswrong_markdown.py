"""A LessWrong page saved as text under YAML front matter (`.md`): the front matter
gives the facts (title, author, url, date), the page after it is read as a page.
Read as Markdown, its comments would all be the author's words."""

from __future__ import annotations

from askalign.documents import Document
from askalign.formats import lesswrong
from askalign.formats.base import ReadContext
from askalign.formats.frontmatter import split_front_matter

NAME = lesswrong.NAME


def read(text: str, ctx: ReadContext) -> Document:
    front = split_front_matter(text)
    ctx.notes.extend(front.notes)
    return lesswrong.read_page(text, ctx, front.meta, start=front.body_start)
