"""LessWrong, Alignment Forum, EA Forum and GreaterWrong pages saved from the browser as HTML.

forum_markup.py finds the post and the comments in each site's markup; this module
copies their text and makes the Document.

`source_text` holds the post body, then its footnotes, then each comment's body, block
elements joined by blank lines as in html.py. Only those regions are copied, so page
chrome (header, vote buttons, Reply links, tables of contents, sidebars) never enters it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bs4 import BeautifulSoup, Tag

from askalign.documents import Document, InferredBy, Passage, Role
from askalign.formats.base import (
    Block,
    DocumentMeta,
    PassageBuilder,
    ReadContext,
    comment_passage,
    footnote_passage,
    quoted_blocks,
    sectioned_passages,
    thread_document,
)
from askalign.formats.decode import ReadError
from askalign.formats.forum_markup import (
    PostParts,
    RawComment,
    greater_comments,
    greater_post,
    jss,
    magnum_comments,
    magnum_post,
)
from askalign.formats.html import NOT_CONTENT, TextBuilder, block_text, page_meta, parse
from askalign.formats.lesswrong import report_comment_count
from askalign.text.spans import Span

NAME = "forum"
# Strings only these sites' markup holds: ForumMagnum's JSS class names and GreaterWrong's
# page class. A browser may put a comment (`<!-- saved from url=… -->`) before the doctype.
MAGNUM_MARKERS = ("PostsPageTitle-", "CommentsItem-", "LWPostsPageHeader-")
MARKERS = (*MAGNUM_MARKERS, "comment-thread-page")
HTML_HEAD_CHARS = 4096
NOT_TEXT = ["script", "style", "noscript", "template"]
# ForumMagnum chrome that can sit inside a region we copy (components/posts/TableOfContents,
# components/jargon/GlossarySidebar); footnote back-links are the "^" before each footnote.
CHROME_JSS = (
    "TableOfContents",
    "TableOfContentsRow",
    "FixedPositionToC",
    "MultiToCLayout-toc",
    "GlossarySidebar",
)
# ForumMagnum's "7 comments, sorted by", as React writes it (`7<!-- --> comments`).
STATED_COUNT = re.compile(r">\s*(\d+)(?:<!-- -->)?\s*comments?(?:<!-- -->)?, sorted by")
CHROME_CLASSES = ["footnote-back-link", "footnote-backref", "comments-item-reply-link"]

__all__ = ["MARKERS", "NAME", "jss", "read", "sniff"]


def sniff(text: str) -> bool:
    head = text[:HTML_HEAD_CHARS].lower()
    is_html = "<html" in head or "<!doctype html" in head
    return is_html and any(marker in text for marker in MARKERS)


# Reading the parts into passages.


class Region(NamedTuple):
    blocks: list[Block]

    @property
    def span(self) -> Span:
        return Span(self.blocks[0].span.start, self.blocks[-1].span.end)


def copy_region(builder: TextBuilder, root: Tag) -> Region:
    """Append root's text; an element with text but no block inside is one block."""
    drop_page_chrome(root)
    blocks = builder.add(root)
    if not blocks and (content := block_text(root)):
        blocks = [builder.append(content)]
    return Region(blocks)


def drop_page_chrome(root: Tag) -> None:
    """Non-content tags (html.NOT_CONTENT) and the chrome classes, found in one walk of
    root: a search per kind would build a filter and walk each comment several times."""
    chrome_jss = jss(*CHROME_JSS)
    doomed = [
        element
        for element in root.descendants
        if isinstance(element, Tag)
        and (
            element.name in NOT_CONTENT
            or any(
                css_class in CHROME_CLASSES or chrome_jss(css_class)
                for css_class in element.get_attribute_list("class")
            )
        )
    ]
    for element in doomed:
        if not element.decomposed:  # inside one decomposed before it
            element.decompose()


def detach_footnotes(body: Tag) -> list[tuple[str, Tag]]:
    """(label, content) of the post's footnotes, taken out of the body so that they are
    read as footnotes and not as its last paragraphs."""
    found: list[tuple[str, Tag]] = []
    sections: list[Tag] = []
    for ordinal, item in enumerate(body.find_all("li", class_="footnote-item"), 1):
        if isinstance(item.parent, Tag) and item.parent not in sections:
            sections.append(item.parent)
        item.extract()
        content = item.find(class_="footnote-content")
        label = str(item.get("data-footnote-index") or ordinal)
        found.append((label, content if isinstance(content, Tag) else item))
    for section in sections:
        section.decompose()
    return found


def find_post(soup: BeautifulSoup, html: str) -> tuple[PostParts, list[RawComment]]:
    """ForumMagnum's parts where its class names occur in the page, else GreaterWrong's.
    The names are looked up in the text first: each miss in the tree is a walk over
    every tag of the page."""
    if any(marker in html for marker in MAGNUM_MARKERS):
        post = magnum_post(soup)
        if post.body is not None or post.title is not None:
            return post, magnum_comments(soup)
    return greater_post(soup), greater_comments(soup)


def missing_post(post: PostParts) -> ReadError:
    missing = [what for what, part in (("title", post.title), ("body", post.body)) if not part]
    return ReadError(
        "looks like a saved LessWrong / Alignment Forum / EA Forum / GreaterWrong page,"
        f" but no post {' or '.join(missing)} was found in it"
        " (ForumMagnum's PostsPageTitle and #postContent, GreaterWrong's .post-title and"
        " .post-body)",
        "save the post's own page (its address has /posts/ in it) once it has loaded,"
        " or remove the file from corpus/",
    )


def page_facts(soup: BeautifulSoup, post: PostParts) -> DocumentMeta:
    """What the post header shows, falling back on the page's <meta> tags."""
    tags = page_meta(soup)
    return DocumentMeta(
        title=post.title or tags.title,
        author=post.author or tags.author,
        url=post.url or tags.url,
        date=post.date or tags.date,
        karma=post.karma,
    )


def comment_passages(
    builder: PassageBuilder, comments: list[tuple[RawComment, Region]], ctx: ReadContext
) -> list[Passage]:
    """One passage per readable comment, numbered in page order with deleted ones
    counted (as a reader counts them on the page).

    A deleted comment has no words and no author, so it gets no passage. Its replies
    become top-level comments, not replies to its parent: downstream, `reply_to` reads
    as "answers this passage" ("X, replying to Y, writes"), and pinning a reply to a
    deleted comment on the comment above it would put words in the wrong mouth. Quote
    and @mention inference (quotes.py) may still link such a reply to what it quotes.
    """
    passages: list[Passage] = []
    by_node: dict[int, Passage] = {}
    for order, (raw, region) in enumerate(comments, 1):
        if raw.body is None or not region.blocks:
            continue
        parent = by_node.get(id(raw.parent)) if raw.parent is not None else None
        passage = comment_passage(
            builder,
            region.span,
            order,
            raw,
            reply_to=parent.id if parent else None,
            replying_to_speaker=parent.speaker if parent else None,
            reply_inferred_by=InferredBy.HTML if parent else None,
        )
        by_node[id(raw.node)] = passage
        passages.append(passage)
    skipped = len(comments) - len(passages)
    if skipped:
        ctx.notes.append(
            f"{skipped} comment(s) deleted or collapsed on the saved page were left out;"
            " their replies are read as top-level comments"
        )
    return passages


def read(html: str, ctx: ReadContext) -> Document:
    soup = parse(html)
    try:
        meta, text, post_passages, comment_list, marked = page_passages(soup, html, ctx)
    finally:  # freed now, by reference counts: a 20,000-comment tree is 10^6 objects
        soup.decompose()  # in parent-child cycles, which the collector would walk again
    return thread_document(
        ctx, post_passages, comment_list, reader=NAME, text=text, meta=meta, marked=marked
    )


def page_passages(
    soup: BeautifulSoup, html: str, ctx: ReadContext
) -> tuple[DocumentMeta, str, list[Passage], list[Passage], list[Span]]:
    """The page's facts, its source text, the passages of its post and comments, and
    the blocks it shows inside a block quote."""
    for tag in soup(NOT_TEXT):
        tag.decompose()
    post, raw_comments = find_post(soup, html)
    if post.body is None:
        raise missing_post(post)
    if stated := STATED_COUNT.search(html):
        report_comment_count(int(stated[1]), len(raw_comments), ctx)
    meta = ctx.catalog.overriding(page_facts(soup, post))
    text_builder = TextBuilder()
    footnotes = detach_footnotes(post.body)
    body = copy_region(text_builder, post.body)
    notes = [(label, copy_region(text_builder, content)) for label, content in footnotes]
    comments = [
        (raw, copy_region(text_builder, raw.body) if raw.body else Region([]))
        for raw in raw_comments
    ]
    text = text_builder.text
    builder = PassageBuilder(ctx.doc_id, text)
    post_passages = post_and_notes(builder, body, notes, meta.author)
    regions = [body, *(region for _, region in notes), *(region for _, region in comments)]
    marked = quoted_blocks(block for region in regions for block in region.blocks)
    return meta, text, post_passages, comment_passages(builder, comments, ctx), marked


def post_and_notes(
    builder: PassageBuilder, body: Region, notes: list[tuple[str, Region]], author: str | None
) -> list[Passage]:
    """The post's sectioned passages, then its footnotes, each once, all the author's."""
    passages = sectioned_passages(builder, body.blocks, Role.POST, author)
    return passages + [
        footnote_passage(builder, region.span, label, author)
        for label, region in notes
        if region.blocks
    ]
