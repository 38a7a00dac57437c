"""LessWrong, Alignment Forum, EA Forum and GreaterWrong pages saved from the browser as HTML.

The first three run ForumMagnum, whose JSS class names are `Component-key`
(`CommentsItem-root`; older builds append a counter, `CommentsItem-root-12`);
GreaterWrong (lw2-viewer) uses plain classes (`comment-item`, `comment-body`). Both nest
each reply inside its parent's element, so the reply tree is read from the markup, not
guessed from quotes.

`source_text` holds the post body, then its footnotes, then each comment's body, block
elements joined by blank lines as in html.py. Only those regions are copied, so page
chrome (header, vote buttons, Reply links, tables of contents, sidebars) never enters it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import NamedTuple

from bs4 import BeautifulSoup, Tag

from askalign.models import Document, InferredBy, Passage, Role
from askalign.quotes import link_thread, paragraph_spans
from askalign.readers.base import (
    Block,
    DocumentMeta,
    PassageBuilder,
    ReadContext,
    build_document,
    sectioned_passages,
)
from askalign.readers.decode import ReadError
from askalign.readers.html import TextBuilder, block_text, drop_chrome, page_meta, parse
from askalign.readers.lesswrong import parse_date
from askalign.spans import Span

NAME = "forum"
# Strings only these sites' markup holds: ForumMagnum's JSS class names and GreaterWrong's
# page class. A browser may put a comment (`<!-- saved from url=… -->`) before the doctype.
MARKERS = ("PostsPageTitle-", "CommentsItem-", "LWPostsPageHeader-", "comment-thread-page")
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
CHROME_CLASSES = ["footnote-back-link", "footnote-backref", "comments-item-reply-link"]
UNNAMED = {"[deleted]", "[anonymous]", "[comment deleted]"}
_INT = re.compile(r"-?\d+")


def sniff(text: str) -> bool:
    head = text[:HTML_HEAD_CHARS].lower()
    is_html = "<html" in head or "<!doctype html" in head
    return is_html and any(marker in text for marker in MARKERS)


def jss(*names: str) -> Callable[[str | None], bool]:
    """A class filter for ForumMagnum's generated names: `Name-key` matches `Name-key`
    and `Name-key-12`, never `Name-keyOther`; a bare `Name` matches any of its keys."""

    def match(value: str | None) -> bool:
        return value is not None and any(
            value == name or value.startswith(f"{name}-") for name in names
        )

    return match


def find_jss(root: Tag, *names: str) -> Tag | None:
    """The first element with any of the names, trying them in order of preference."""
    for name in names:
        found = root.find(class_=jss(name))
        if isinstance(found, Tag):
            return found
    return None


def _text(element: Tag | None) -> str | None:
    return (block_text(element) or None) if element is not None else None


def _ints(text: str | None) -> list[int]:
    return [int(n) for n in _INT.findall((text or "").replace("\u2212", "-"))]


def _first_int(text: str | None) -> int | None:
    return next(iter(_ints(text)), None)


def _name(element: Tag | None) -> str | None:
    """A user name: the profile link's text, without badges beside it."""
    if element is None:
        return None
    link = element.find("a")
    name = _text(link if isinstance(link, Tag) else element)
    return None if name is None or name in UNNAMED else name


class PostParts(NamedTuple):
    title: str | None
    author: str | None
    date: dt.date | None
    karma: int | None
    body: Tag | None
    url: str | None = None


class RawComment(NamedTuple):
    node: Tag
    parent: Tag | None
    author: str | None
    age: str | None
    karma: int | None
    af_karma: int | None
    agreement: int | None
    body: Tag | None  # None: deleted, or collapsed to one line with no text to read


# ForumMagnum: components/posts/PostsPage, components/comments, components/votes.


def magnum_post(soup: BeautifulSoup) -> PostParts:
    body = soup.find(id="postContent")
    if not isinstance(body, Tag):
        body = find_jss(soup, "PostsPage-postContent", "ContentStyles-postBody")
    date = find_jss(soup, "PostsPageDate-date")
    karma = find_jss(
        soup,
        "LWPostsPageTopHeaderVote-voteScore",
        "PostsVoteDefault-voteScore",
        "PostsVote-voteScore",
    )
    return PostParts(
        title=_text(find_jss(soup, "PostsPageTitle-root")),
        author=_name(find_jss(soup, "PostsAuthors-authorName")),
        date=_time_date(date),
        karma=_first_int(_text(karma)),
        body=body,
    )


def _time_date(element: Tag | None) -> dt.date | None:
    """The `<time datetime>` ForumMagnum's FormatDate renders, else the shown "3rd Feb 2024"."""
    if element is None:
        return None
    time = element.find("time") if element.name != "time" else element
    stamp = str(time.get("datetime", "")) if isinstance(time, Tag) else ""
    try:
        return dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return parse_date(_text(element) or "")


def magnum_comments(soup: BeautifulSoup) -> list[RawComment]:
    """Every `comments-node` (CommentFrame), in page order; its replies sit in its
    `CommentsNode-children`, so the nearest enclosing node is the parent."""
    found: list[RawComment] = []
    for node in soup.find_all(class_="comments-node"):
        parent = node.find_parent(class_="comments-node")
        item = _owned(node, jss("CommentsItem-root"))
        if item is None:
            found.append(RawComment(node, parent, None, None, None, None, None, None))
            continue
        karma, af_karma = _magnum_karma(item)
        date = find_jss(item, "CommentsItemDate-root")
        time = date.find("time") if date is not None else None
        found.append(
            RawComment(
                node,
                parent,
                author=_name(
                    find_jss(
                        item,
                        "CommentUserName-author",
                        "CommentUserName-authorAnswer",
                        "UsersNameDisplay-userName",
                    )
                ),
                age=_text(time if isinstance(time, Tag) else date),
                karma=karma,
                af_karma=af_karma,
                agreement=_first_int(_text(find_jss(item, "AgreementVoteAxis-agreementScore"))),
                body=find_jss(item, "CommentBody-root", "ContentStyles-commentBody"),
            )
        )
    return found


def _owned(node: Tag, class_filter: Callable[[str | None], bool]) -> Tag | None:
    """The first match inside node that is not inside one of its replies."""
    for element in node.find_all(class_=class_filter):
        if element.find_parent(class_="comments-node") is node:
            return element
    return None


def _magnum_karma(item: Tag) -> tuple[int | None, int | None]:
    """(karma, AF karma): LessWrong shows AF karma beside an Ω, the Alignment Forum shows
    LW karma beside "LW" and its own score in the main place."""
    score = _first_int(_text(find_jss(item, "OverallVoteAxis-voteScore")))
    symbol = _text(find_jss(item, "OverallVoteAxis-secondarySymbol"))
    second = _first_int(_text(find_jss(item, "OverallVoteAxis-secondaryScoreNumber")))
    if symbol == "LW":
        return second, score
    return score, second if symbol == "\u03a9" else None


# GreaterWrong: src/data-viewers/post.lisp, comment.lisp, src/comment-threads.lisp.


def greater_post(soup: BeautifulSoup) -> PostParts:
    meta = soup.find(class_="post-meta")
    meta = meta if isinstance(meta, Tag) else None
    karma, _ = _greater_karma(meta)
    return PostParts(
        title=_text(_find(soup, "post-title")),
        author=_name(_find(meta, "author")),
        date=_js_date(_find(meta, "date")),
        karma=karma,
        body=_find(soup, "post-body"),
        url=_href(_find(meta, "lw2-link")),
    )


def _href(link: Tag | None) -> str | None:
    """GreaterWrong links each post to its original on LessWrong or the EA Forum."""
    href = link.get("href") if link is not None else None
    return str(href) if href else None


def _find(root: Tag | None, css_class: str) -> Tag | None:
    found = root.find(class_=css_class) if root is not None else None
    return found if isinstance(found, Tag) else None


def _js_date(element: Tag | None) -> dt.date | None:
    """`data-js-date` holds milliseconds since the epoch; the text is for people."""
    millis = _first_int(str(element.get("data-js-date", ""))) if element is not None else None
    if millis is None:
        return None
    try:
        return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):  # a mangled attribute is no date
        return None


def _greater_karma(meta: Tag | None) -> tuple[int | None, int | None]:
    """(karma, AF karma) from "12 points" or "LW: 12 AF: 4"."""
    text = _text(_find(_find(meta, "karma"), "karma-value"))
    numbers = _ints(text)
    af = numbers[1] if text and "AF:" in text and len(numbers) > 1 else None
    return (numbers[0] if numbers else None), af


def greater_comments(soup: BeautifulSoup) -> list[RawComment]:
    """Each `li.comment-item` holds its comment, then a `ul.comment-thread` of replies."""
    found: list[RawComment] = []
    for node in soup.find_all("li", class_="comment-item"):
        parent = node.find_parent("li", class_="comment-item")
        comment = node.find(class_="comment", recursive=False)
        if not isinstance(comment, Tag) or "deleted-comment" in comment.get("class", []):
            found.append(RawComment(node, parent, None, None, None, None, None, None))
            continue
        meta = _find(comment, "comment-meta")
        karma, af_karma = _greater_karma(meta)
        agreement = _ints(_text(_find(_find(meta, "agreement"), "karma-value")))
        found.append(
            RawComment(
                node,
                parent,
                author=_name(_find(meta, "author")),
                age=_text(_find(meta, "date")),
                karma=karma,
                af_karma=af_karma,
                agreement=agreement[0] if len(agreement) == 1 else None,  # EA: "agree ∶ disagree"
                body=_find(comment, "comment-body"),
            )
        )
    return found


# Reading the parts into passages.


class Region(NamedTuple):
    blocks: list[Block]

    @property
    def span(self) -> Span:
        return Span(self.blocks[0].span.start, self.blocks[-1].span.end)


def copy_region(builder: TextBuilder, root: Tag) -> Region:
    """Append root's text; an element with text but no block inside is one block."""
    drop_chrome(root)
    for tag in root.find_all(class_=jss(*CHROME_JSS)) + root.find_all(class_=CHROME_CLASSES):
        tag.decompose()
    blocks = builder.add(root)
    if not blocks and (content := block_text(root)):
        blocks = [builder.append(content)]
    return Region(blocks)


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


def find_post(soup: BeautifulSoup) -> tuple[PostParts, list[RawComment]]:
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
        passage = builder.make(
            Role.COMMENT,
            region.span,
            speaker=raw.author,
            comment_index=order,
            age=raw.age,
            karma=raw.karma,
            af_karma=raw.af_karma,
            agreement=raw.agreement,
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
    for tag in soup(NOT_TEXT):
        tag.decompose()
    post, raw_comments = find_post(soup)
    if post.body is None:
        raise missing_post(post)
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
    post_passages = sectioned_passages(builder, body.blocks, Role.POST, meta.author)
    post_passages += [
        builder.make(
            Role.FOOTNOTE, region.span, speaker=meta.author, section=["Footnotes"], footnote=label
        )
        for label, region in notes
        if region.blocks
    ]
    comment_list = comment_passages(builder, comments, ctx)
    link_thread(post_passages, comment_list, text, lambda p: paragraph_spans(p, text))
    return build_document(
        ctx, reader=NAME, text=text, meta=meta, passages=post_passages + comment_list
    )
