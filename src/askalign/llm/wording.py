"""What a claim's own words say beyond its quote: whom it makes the speaker, which words
it puts in quotation marks, and whether it wraps its quote in a "not". A claim's cited
quote can be real while its sentence still puts words in the wrong mouth, invents a
second quotation beside the real one, or says the speaker denies what the quote says.

Plain word rules, not a parser: they read the few frames a claim about a source is
written in ("X, replying to Y, wrote: ...", "According to X, ...", "X does not think
that ..."), and `askalign bench claims` measures them on labelled claims."""

from __future__ import annotations

import re

from askalign.text.spans import normalize

# Quotation marks other than curly double ones, which may nest ("“teach”" inside a
# quotation) and are paired by depth: straight double, curly single ones whose closing
# mark is not an apostrophe inside a word ("don’t"), and guillemets.
_QUOTED = re.compile(r"\"([^\"]*)\"|‘((?:[^‘’]|’(?=\w))*)’(?!\w)|«([^«»]*)»")
_GAP = re.compile(r"\s*(?:\.\.\.|…|\[[^\]]*\])\s*")  # an elision, or "[words] added"
_WORD = re.compile(r"[\w'’]+")

# A name after one of these (a few words back, in the same phrase) is the person spoken
# to or about, not the one speaking: "Hallgren, replying to a comment by Byrnes, wrote"
# makes Hallgren the speaker. "in" counts only just before the name ("in X's post").
_OBLIQUE = {
    "to", "with", "against", "than", "unlike", "like", "of", "about", "at", "toward",
    "towards", "on", "under", "quoting", "citing", "answering", "addressing", "rebutting",
    "criticising", "criticizing", "versus", "vs",
}  # fmt: skip
OBLIQUE_REACH = 4  # words back from a name that may hold its preposition
_IN_VIEW = {"view", "views", "opinion", "words", "account", "telling", "reading", "estimate"}
_PHRASE_END = re.compile(r"[,;:.!?()\[\]—–]")

_NEGATORS = {
    "not", "no", "never", "nobody", "none", "nothing", "neither", "nor", "cannot", "nowhere",
}  # fmt: skip
# These negate what follows only as "X denies that <quote>", "X rejects the idea that":
# "X disagrees with Y, writing <quote>" denies nothing the quote says.
_DENIALS = {
    "deny", "denies", "denied", "denying", "reject", "rejects", "rejected", "rejecting",
    "dispute", "disputes", "disputed", "disputing", "doubt", "doubts", "doubted",
    "doubting", "disagree", "disagrees", "disagreed", "disagreeing", "refute", "refutes",
    "refuted", "false", "untrue", "against",
}  # fmt: skip
_DENIED_THINGS = {"idea", "claim", "view", "notion", "suggestion", "thesis", "argument", "premise"}
_CONTRAST = {"but", "rather", "instead", "only", "just", "merely", "simply", "also"}
_AFFIRMING = {"small", "surprise", "wonder", "accident", "coincidence", "least", "question"}
_SCOPE_END = re.compile(r"[,:—–]")
SCOPE_WORDS = 3  # a negated phrase this long before a comma or colon is a point of its own
_PRONOUNS = {"so", "this", "that", "it", "otherwise"}  # "doesn't think so:" is one too
MIN_NEGATED_WORDS = 4  # a shorter run of the quote's words is a phrase, not its content


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Where each span inside quotation marks lies in `text` (the marks left out); a
    quotation inside another is part of the outer one."""
    spans: list[tuple[int, int]] = []
    depth, opened = 0, 0
    for at, char in enumerate(text):
        if char == "“":
            depth, opened = depth + 1, at + 1 if depth == 0 else opened
        elif char == "”" and depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, at))
    rest = text
    for start, end in spans:  # the curly quotations blanked, the other marks read
        rest = rest[: start - 1] + " " * (end - start + 2) + rest[end + 1 :]
    for match in _QUOTED.finditer(rest):
        group = next(g for g in range(1, 4) if match.group(g) is not None)
        spans.append((match.start(group), match.end(group)))
    return sorted((start, end) for start, end in spans if text[start:end].strip())


def unquoted(text: str) -> str:
    """The text with what it quotes blanked (the same length), so that a name or a
    "not" inside a quotation is never read as the claim's own."""
    for start, end in quoted_spans(text):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def invented_quotation(text: str, source: str) -> str | None:
    """The first span the claim puts in quotation marks that is not the source's own
    words (quote marks, spaces and case aside; "…" and "[added words]" may stand for
    what a quotation leaves out, the parts still in order); None when all are."""
    haystack = normalize(source)
    for start, end in quoted_spans(text):
        at = 0
        for part in _GAP.split(text[start:end]):
            wanted = normalize(part).strip(" .,;:!?")
            if not wanted:
                continue
            found = re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", haystack[at:])
            if found is None:
                return text[start:end]
            at += found.end()
    return None


def speaking(text: str, named: list[str]) -> str | None:
    """Of the speakers a claim names, the one it makes the speaker: the first named
    outside quotation marks who is not the object of a preposition or of a reply
    ("replying to X", "unlike X", "in X's post"); "according to X" and "in X's view"
    name the speaker. None when every name is an object."""
    plain = unquoted(text)
    found: list[tuple[int, str]] = []
    for speaker in named:
        own = {part.casefold() for part in re.split(r"[\s_.,\-]+", speaker)}
        seen: list[range] = []  # "Byrnes" inside "Steven Byrnes" is the same mention
        for form in _forms(speaker):
            for match in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", plain, re.I):
                if any(match.start() in span for span in seen):
                    continue
                seen.append(range(match.start(), match.end()))
                phrase = _PHRASE_END.split(plain[: match.start()])[-1]
                before = [w.casefold() for w in _WORD.findall(phrase)]
                while before and before[-1] in own:  # "to Steven Byrnes"
                    before.pop()
                if not _oblique(before, plain[match.end() :]):
                    found.append((match.start(), speaker))
    return min(found)[1] if found else None


def negates(text: str, quote: str) -> bool:
    """The claim wraps its quote's words in a negation the quote lacks: "X does not
    believe that <quote>", "X denies that <quote>". The quote's content is the longest
    run of its words the claim repeats (MIN_NEGATED_WORDS at least); a negator in the
    same sentence before that run counts, unless a "but" or "rather" after it turns to
    the quote ("not X but <quote>"), or a phrase of its own ends it ("X doesn't think
    the paraphrase is fair: <quote>")."""
    plain = unquoted_marks(text)
    tokens = [(m.start(), m.end(), normalize(m.group())) for m in _WORD.finditer(plain)]
    quote_words = [normalize(w) for w in _WORD.findall(quote)]
    start, length = _longest_shared_run([w for _, _, w in tokens], quote_words)
    if length == 0 or length < min(MIN_NEGATED_WORDS, len(quote_words)):
        return False
    run_start = tokens[start][0]
    sentence_start = max(plain.rfind(mark, 0, run_start) for mark in ".!?;")
    before = [t for t in tokens[:start] if t[0] > sentence_start]
    added = sum(
        _negates_run(before, at, plain[before[at][1] : run_start]) for at in range(len(before))
    )
    inside = sum(_is_negator(w) for _, _, w in tokens[start : start + length])
    flips = added + inside - sum(_is_negator(w) for w in quote_words)
    return added > 0 and flips % 2 == 1  # "never doubted that" flips it back


def _negates_run(before: list[tuple[int, int, str]], at: int, after: str) -> bool:
    """Whether the word `before[at]` negates the run of quoted words `after` it."""
    word = before[at][2]
    following = [w for _, _, w in before[at + 1 :]]
    if _CONTRAST & set(following) or following[:1] in ([w] for w in _AFFIRMING):
        return False
    named = _WORD.search(after)
    if named is not None and named.group()[0].isupper():  # "X, not Byrnes, wrote": a person
        return False
    if word == "nor" and "neither" in (w for _, _, w in before[:at]):
        return False  # "neither X nor Y holds that": one negation
    if word in _DENIALS:
        return (
            not following
            or following[0] in {"that", "whether"}
            or (len(following) >= 3 and following[1] in _DENIED_THINGS and following[2] == "that")
        )
    if not (word in _NEGATORS or word.endswith("n't")):
        return False
    end = _SCOPE_END.search(after)
    if end is None:
        return True
    phrase = [w.casefold() for w in _WORD.findall(after[: end.start()])]
    return len(phrase) < SCOPE_WORDS and phrase[-1:] not in ([w] for w in _PRONOUNS)


def unquoted_marks(text: str) -> str:
    """The text with its quotation marks made spaces: a quotation's words are read as
    words (the negation check looks for the quote inside them)."""
    return re.sub(r"[“”\"«»]", " ", text)


def _is_negator(word: str) -> bool:
    return word in _NEGATORS or word in _DENIALS or word.endswith("n't")


def _longest_shared_run(claim: list[str], quote: list[str]) -> tuple[int, int]:
    """(start in `claim`, length) of the longest run of words both have in order."""
    best = (0, 0)
    previous = [0] * (len(quote) + 1)
    for i, word in enumerate(claim, 1):
        current = [0] * (len(quote) + 1)
        for j, other in enumerate(quote, 1):
            if word == other:
                current[j] = previous[j - 1] + 1
                if current[j] > best[1]:
                    best = (i - current[j], current[j])
        previous = current
    return best


def _forms(speaker: str) -> list[str]:
    """The speaker's name and the parts of it a claim may use alone ("Byrnes")."""
    parts = [p for p in re.split(r"[\s_.,\-]+", speaker) if len(p) >= 4]
    return list(dict.fromkeys([speaker, *parts]))


def _oblique(before: list[str], after: str) -> bool:
    """Whether a name after the words `before` (its phrase, folded) and before the text
    `after` is an object rather than the speaker."""
    if before and before[-1] == "in":  # "in X's view" names the speaker, "in X's post" not
        following = _WORD.findall(re.sub(r"^['’]s?\b", "", after.lstrip()))
        return not (following and following[0].casefold() in _IN_VIEW)
    window = before[-OBLIQUE_REACH - 1 :]
    pairs = list(zip(["", *window], window, strict=False))[-OBLIQUE_REACH:]
    return any(word in _OBLIQUE and (prior, word) != ("according", "to") for prior, word in pairs)
