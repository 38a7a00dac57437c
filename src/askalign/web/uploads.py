"""Adding a text from the browser: the same rules as `askalign add` (see askalign.adding),
so a file the command line refuses is refused here too."""

from __future__ import annotations

from askalign.adding import AddRefused, add_to_corpus, safe_name

UploadRejected = AddRefused  # the name the web side has always used

__all__ = ["UploadRejected", "add_to_corpus", "safe_name"]
