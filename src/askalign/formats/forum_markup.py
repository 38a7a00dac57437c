"""The post and comments of ForumMagnum and GreaterWrong pages, read from their markup.

LessWrong, the Alignment Forum and the EA Forum run ForumMagnum, whose JSS class names
are `Component-key` (`CommentsItem-root`; older builds append a counter,
`CommentsItem-root-12`); GreaterWrong (lw2-viewer) uses plain classes (`comment-item`,
`comment-body`). Both nest each reply inside its parent's element, so the reply tree is
read from the markup, not guessed from quotes. forum.py turns these parts into a Document.

The page is searched whole a few times for the post and the list of comments; after
that, each lookup for a comment searches that comment's own element (or stops at its
first match). A search of the page, or of all replies below, per comment would make a
thread of n comments cost n² tag visits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import NamedTuple

from bs4 import BeautifulSoup, Tag

from askalign.formats.dates import parse_shown_date
from askalign.formats.html import block_text

UNNAMED = {"[deleted]", "[anonymous]", "[comment deleted]"}
_INT = re.compile(r"-?\d+")


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


def text_of(element: Tag | None) -> str | None:
    return (block_text(element) or None) if element is not None else None


def ints(text: str | None) -> list[int]:
    return [int(n) for n in _INT.findall((text or "").replace("\u2212", "-"))]


def first_int(text: str | None) -> int | None:
    return next(iter(ints(text)), None)


def user_name(element: Tag | None) -> str | None:
    """A user name: the profile link's text, without badges beside it."""
    if element is None:
        return None
    link = element.find("a")
    name = text_of(link if isinstance(link, Tag) else element)
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
        title=text_of(find_jss(soup, "PostsPageTitle-root")),
        author=user_name(find_jss(soup, "PostsAuthors-authorName")),
        date=_time_date(date),
        karma=first_int(text_of(karma)),
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
        return parse_shown_date(text_of(element) or "")


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
                author=user_name(
                    find_jss(
                        item,
                        "CommentUserName-author",
                        "CommentUserName-authorAnswer",
                        "UsersNameDisplay-userName",
                    )
                ),
                age=text_of(time if isinstance(time, Tag) else date),
                karma=karma,
                af_karma=af_karma,
                agreement=first_int(text_of(find_jss(item, "AgreementVoteAxis-agreementScore"))),
                body=find_jss(item, "CommentBody-root", "ContentStyles-commentBody"),
            )
        )
    return found


def _owned(node: Tag, class_filter: Callable[[str | None], bool]) -> Tag | None:
    """The node's own match: the first in page order, unless that one sits inside a reply
    (the node's own item comes before its replies). Collecting every match below the node
    would visit the whole subtree once per comment: n² on a deep thread."""
    element = node.find(class_=class_filter)
    if isinstance(element, Tag) and element.find_parent(class_="comments-node") is node:
        return element
    return None


def _magnum_karma(item: Tag) -> tuple[int | None, int | None]:
    """(karma, AF karma): LessWrong shows AF karma beside an Ω, the Alignment Forum shows
    LW karma beside "LW" and its own score in the main place."""
    score = first_int(text_of(find_jss(item, "OverallVoteAxis-voteScore")))
    symbol = text_of(find_jss(item, "OverallVoteAxis-secondarySymbol"))
    second = first_int(text_of(find_jss(item, "OverallVoteAxis-secondaryScoreNumber")))
    if symbol == "LW":
        return second, score
    return score, second if symbol == "\u03a9" else None


# GreaterWrong: src/data-viewers/post.lisp, comment.lisp, src/comment-threads.lisp.


def greater_post(soup: BeautifulSoup) -> PostParts:
    meta = soup.find(class_="post-meta")
    meta = meta if isinstance(meta, Tag) else None
    karma, _ = _greater_karma(_karma_value(find_class(meta, "karma")))
    return PostParts(
        title=text_of(find_class(soup, "post-title")),
        author=user_name(find_class(meta, "author")),
        date=_js_date(find_class(meta, "date")),
        karma=karma,
        body=find_class(soup, "post-body"),
        url=_href(find_class(meta, "lw2-link")),
    )


def _href(link: Tag | None) -> str | None:
    """GreaterWrong links each post to its original on LessWrong or the EA Forum."""
    href = link.get("href") if link is not None else None
    return str(href) if href else None


def find_class(root: Tag | None, css_class: str) -> Tag | None:
    found = root.find(class_=css_class) if root is not None else None
    return found if isinstance(found, Tag) else None


def _js_date(element: Tag | None) -> dt.date | None:
    """`data-js-date` holds milliseconds since the epoch; the text is for people."""
    millis = first_int(str(element.get("data-js-date", ""))) if element is not None else None
    if millis is None:
        return None
    try:
        return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):  # a mangled attribute is no date
        return None


def _karma_value(element: Tag | None) -> str | None:
    """The score GreaterWrong shows in a `.karma-value` (of `.karma` or `.agreement`)."""
    return text_of(first_of_classes(element, ("karma-value",)).get("karma-value"))


def _greater_karma(text: str | None) -> tuple[int | None, int | None]:
    """(karma, AF karma) from "12 points" or "LW: 12 AF: 4"."""
    numbers = ints(text)
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
        parts = first_of_classes(comment, ("comment-meta", "comment-body"))
        meta = first_of_classes(parts.get("comment-meta"), ("author", "date", "karma", "agreement"))
        karma_text = text_of(
            first_of_classes(meta.get("karma"), ("karma-value",)).get("karma-value")
        )
        numbers = ints(karma_text)
        agreement_value = first_of_classes(meta.get("agreement"), ("karma-value",))
        agreement = ints(text_of(agreement_value.get("karma-value")))
        found.append(
            RawComment(
                node,
                parent,
                author=user_name(meta.get("author")),
                age=text_of(meta.get("date")),
                karma=numbers[0] if numbers else None,
                af_karma=numbers[1]
                if karma_text and "AF:" in karma_text and len(numbers) > 1
                else None,
                agreement=agreement[0] if len(agreement) == 1 else None,  # EA: "agree ∶ disagree"
                body=parts.get("comment-body"),
            )
        )
    return found


def first_of_classes(root: Tag | None, classes: tuple[str, ...]) -> dict[str, Tag]:
    """The first element below root with each class, found in one walk. BeautifulSoup's
    `find` builds a filter per call; with several per comment, that was most of the time
    spent on a long thread."""
    found: dict[str, Tag] = {}
    if root is None:
        return found
    for element in root.descendants:
        if isinstance(element, Tag):
            for css_class in element.get_attribute_list("class"):
                if css_class in classes and css_class not in found:
                    found[css_class] = element
        if len(found) == len(classes):
            break
    return found
