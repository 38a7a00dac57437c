"""Words as BM25 counts them (English stop words, Snowball stemming): one tokenizer for
the index, the search engines and the answer's word overlap, so a term means the same
everywhere. Its own module because bm25s takes a moment to import: a no-op ingest
never loads it."""

from __future__ import annotations

import bm25s
import Stemmer

_STEMMER = Stemmer.Stemmer("english")


def terms(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(
        texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )
