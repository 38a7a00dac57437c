"""A thread by its address: `askalign add https://HOST/posts/ID[/slug]`.

LessWrong, the Alignment Forum and the EA Forum run ForumMagnum, whose public GraphQL
API answers at `https://HOST/graphql`. Any address of that shape is asked at its own
host (which is how the tests point it at a local server). Two queries, in ForumMagnum's
current `selector` form:

- `post(selector: {_id}, allowNull: true) { result { … } }`: the post, or null;
- `comments(selector: {postCommentsOld: {postId}}, limit, offset, enableTotal: true)
  { totalCount results { … } }`: every comment, oldest first, a page at a time, the
  offset moved on by what each page brought (a site may send fewer than asked), until
  `totalCount` is reached or a page comes back empty. A question post's answers and
  their replies come from `answersAndReplies` the same way.

The thread is saved as one JSON file in the corpus (formats/forum_api.py describes the
form); ingest reads the file, never the site. `refresh` fetches it again and replaces
the file only once the new one reads.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from pydantic import ValidationError

from askalign.formats.forum_api import ForumComment, ForumPost, ForumThread
from askalign.ingest.adding import AddRefused, CorpusNames, add_file, check_reads, safe_name
from askalign.ingest.graphql import FetchError, Limits, post_graphql

PAGE_SIZE = 500  # comments asked a request; ForumMagnum refuses offsets over 2000 by default
SLUG_CHARS = 60
_POST_PATH = re.compile(r"/posts/(?P<id>[A-Za-z0-9]+)(?:/(?P<slug>[^/]*))?/?")
POST_FIELDS = """_id title slug pageUrl postedAt baseScore afBaseScore commentCount question
  htmlBody user { displayName } coauthors { displayName }"""
COMMENT_FIELDS = """_id parentCommentId postedAt baseScore afBaseScore extendedScore deleted
  hideAuthor htmlBody user { displayName }"""
POST_QUERY = f"""query AskalignPost($id: String) {{
  post(selector: {{_id: $id}}, allowNull: true) {{ result {{ {POST_FIELDS} }} }}
}}"""
COMMENTS_QUERY = f"""query AskalignComments($selector: CommentSelector, $limit: Int,
  $offset: Int) {{
  comments(selector: $selector, limit: $limit, offset: $offset, enableTotal: true) {{
    totalCount results {{ {COMMENT_FIELDS} }}
  }}
}}"""
SHAPE = "http(s)://HOST/posts/ID or http(s)://HOST/posts/ID/slug"


def is_address(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


class PostAddress(NamedTuple):
    url: str
    scheme: str
    host: str
    post_id: str
    slug: str | None

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://{self.host}/graphql"

    @property
    def file_prefix(self) -> str:
        """What every file saved from this post's address starts with."""
        return safe_name(f"{self.host}-{self.post_id}.json").removesuffix(".json") + "-"


def parse_address(url: str) -> PostAddress:
    parts = urlsplit(url.strip())
    found = _POST_PATH.fullmatch(parts.path)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or found is None:
        raise FetchError(
            f"{url} is not a post's address",
            f"give a post's address, {SHAPE} (LessWrong, Alignment Forum or EA Forum)",
        )
    return PostAddress(
        url.strip(), parts.scheme.lower(), parts.netloc.lower(), found["id"], found["slug"] or None
    )


def dig(data: object, *keys: str) -> object:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def fetch_thread(address: PostAddress, limits: Limits) -> ForumThread:
    """The post and every comment, one request at a time."""
    data = post_graphql(address.endpoint, POST_QUERY, {"id": address.post_id}, limits)
    found = dig(data, "post", "result")
    if not isinstance(found, dict):
        raise FetchError(
            f"{address.host} has no post {address.post_id}",
            "it may be deleted or a draft, or the address is mistyped: open it in a browser",
        )
    views = [{"postCommentsOld": {"postId": address.post_id}}]
    if found.get("question"):
        views.append({"answersAndReplies": {"postId": address.post_id, "sortBy": "oldest"}})
    pages = [raw for selector in views for raw in comment_pages(address, selector, limits)]
    comments: dict[str, ForumComment] = {}
    try:
        for comment in map(forum_comment, pages):
            comments.setdefault(comment.id, comment)  # the first view that has it
        return ForumThread(
            source_url=address.url,
            endpoint=address.endpoint,
            fetched_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            post=forum_post(found),
            comments=list(comments.values()),
        )
    except (KeyError, TypeError, ValidationError) as error:
        raise FetchError(
            f"{address.host} answered in a shape askalign does not know ({error})",
            "please report this as a bug, with the address",
        ) from error


def comment_pages(address: PostAddress, selector: dict[str, object], limits: Limits) -> list[dict]:
    """Every page of one view, until the site's total is reached or a page is empty. A
    page that brings nothing new means the site ignores the offset: stop, rather than
    ask for ever."""
    found: list[dict] = []
    seen: set[object] = set()
    while True:
        variables = {"selector": selector, "limit": PAGE_SIZE, "offset": len(found)}
        data = post_graphql(address.endpoint, COMMENTS_QUERY, variables, limits)
        page, total = dig(data, "comments", "results"), dig(data, "comments", "totalCount")
        if not isinstance(page, list):
            raise FetchError(
                f"{address.host} answered the comments query without a list of results",
                "please report this as a bug, with the address",
            )
        fresh = [raw for raw in page if isinstance(raw, dict) and raw.get("_id") not in seen]
        if page and not fresh:
            raise FetchError(
                f"{address.host} sent the same comments again for the next page",
                "please report this as a bug, with the address",
            )
        found += fresh
        seen.update(raw.get("_id") for raw in fresh)
        if not page or (isinstance(total, int) and len(found) >= total):
            return found


def _name(user: object) -> str | None:
    name = user.get("displayName") if isinstance(user, dict) else None
    return name.strip() or None if isinstance(name, str) else None


def score(value: object) -> int | None:
    """Karma is a Float in ForumMagnum's schema; it is shown, and kept, whole."""
    return round(value) if isinstance(value, int | float) else None


def forum_post(raw: dict) -> ForumPost:
    authors = [_name(raw.get("user")), *(_name(user) for user in raw.get("coauthors") or [])]
    return ForumPost(
        id=raw["_id"],
        title=raw.get("title") or raw["_id"],
        slug=raw.get("slug"),
        url=raw.get("pageUrl"),
        authors=[name for name in authors if name],
        posted_at=raw.get("postedAt"),
        karma=score(raw.get("baseScore")),
        af_karma=score(raw.get("afBaseScore")),
        comment_count=raw.get("commentCount"),
        question=bool(raw.get("question")),
        html=raw.get("htmlBody") or "",
    )


def forum_comment(raw: dict) -> ForumComment:
    """A deleted comment, or one whose author the site hides, is kept with no author."""
    hidden = bool(raw.get("deleted")) or bool(raw.get("hideAuthor"))
    scores = raw.get("extendedScore")
    agreement = scores.get("agreement") if isinstance(scores, dict) else None
    return ForumComment(
        id=raw["_id"],
        parent_id=raw.get("parentCommentId"),
        author=None if hidden else _name(raw.get("user")),
        posted_at=raw.get("postedAt"),
        karma=score(raw.get("baseScore")),
        af_karma=score(raw.get("afBaseScore")),
        agreement=score(agreement),
        deleted=bool(raw.get("deleted")),
        html="" if raw.get("deleted") else raw.get("htmlBody") or "",
    )


def saved_files(address: PostAddress, corpus_dir: Path) -> list[Path]:
    """The files already saved from this post's address, at the top of the corpus."""
    prefix = address.file_prefix
    return sorted(path for path in corpus_dir.glob("*.json") if path.name.startswith(prefix))


def add_thread(
    url: str,
    corpus_dir: Path,
    max_bytes: int,
    limits: Limits,
    *,
    refresh: bool = False,
) -> str:
    """Fetch the thread and save it in the corpus; its path there. AddRefused (naming
    the address) for what cannot be fetched or saved."""
    try:
        address = parse_address(url)
        existing = saved_files(address, corpus_dir)
        if existing and not refresh:
            raise AddRefused(
                url,
                f"this thread is in the corpus already, as {existing[0].name}",
                f"run `askalign add {url} --refresh` to fetch it again",
            )
        thread = fetch_thread(address, limits)
    except FetchError as error:
        raise AddRefused(url, error.reason, error.hint) from error
    slug = safe_name(f"{thread_slug(address, thread)}.json").removesuffix(".json")
    relative = existing[0].name if existing else f"{address.file_prefix}{slug}.json"
    text = thread.model_dump_json(indent=1)
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / relative
        probe.write_text(text, encoding="utf-8")
        if existing:
            replace_checked(probe, url, relative, corpus_dir, max_bytes)
        else:
            add_file(probe, url, relative, corpus_dir, max_bytes, CorpusNames(corpus_dir))
    return relative


def thread_slug(address: PostAddress, thread: ForumThread) -> str:
    return (thread.post.slug or address.slug or "post")[:SLUG_CHARS]


def replace_checked(
    probe: Path, shown: str, relative: str, corpus_dir: Path, max_bytes: int
) -> None:
    """The fetched file in place of the old one, once it reads; the swap is atomic."""
    check_reads(probe, shown, relative, max_bytes)
    part = corpus_dir / f"{relative}.part"  # ingest skips .part files
    part.write_bytes(probe.read_bytes())
    os.replace(part, corpus_dir / relative)
