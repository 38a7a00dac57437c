"""The Index panel's way in: a file uploaded, or a post fetched by its address.

Both write to the corpus, so `build_app` offers this panel only where writes are on
(loopback, or behind a login); both go by ingest/adding.py's rules, and a refused
text or address changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gradio as gr

from askalign.formats import SUPPORTED_EXTENSIONS, SUPPORTED_NAMES
from askalign.ingest.adding import AddRefused, add_to_corpus
from askalign.ingest.fetching import SHAPE, add_thread
from askalign.ingest.graphql import Limits
from askalign.ingest.pipeline import IngestHooks, ingest_with
from askalign.ingest.summary import summarise
from askalign.text.markdown_out import escape_markdown
from askalign.web.render import files_markdown
from askalign.web.shared import SharedAssistant


def adding_view(
    shared: SharedAssistant, status: gr.Markdown, status_text: Callable[[], str]
) -> None:
    """The upload and the address box, with one message line under both."""

    def refused(error: AddRefused) -> tuple[str, str]:
        return f"❌ {escape_markdown(str(error))}. Nothing was changed.", status_text()

    def add_text(upload: str | None, progress: gr.Progress = gr.Progress()) -> tuple[str, str]:  # noqa: B008
        if not upload:
            return f"Choose a {SUPPORTED_NAMES} file first.", status_text()
        settings = shared.settings
        try:
            added = add_to_corpus(
                Path(upload), Path(upload).name, settings.corpus_dir, settings.max_file_bytes
            )
        except AddRefused as error:
            return refused(error)
        return ingest_added(added.name, progress)

    def add_address(url: str, progress: gr.Progress = gr.Progress()) -> tuple[str, str]:  # noqa: B008
        if not url.strip():
            return f"Paste a post's address first: {SHAPE}.", status_text()
        settings = shared.settings
        progress(0, desc="Fetching the thread")
        limits = Limits(timeout_s=settings.fetch_timeout_s)
        try:
            name = add_thread(url.strip(), settings.corpus_dir, settings.max_file_bytes, limits)
        except AddRefused as error:
            return refused(error)
        return ingest_added(name, progress)

    def ingest_added(name: str, progress: gr.Progress) -> tuple[str, str]:
        total = {"n": 0, "done": 0}

        def more(count: int) -> None:
            total["n"] += count
            progress(total["done"] / max(total["n"], 1), desc="Embedding")

        def advance(count: int) -> None:
            total["done"] += count
            progress(total["done"] / max(total["n"], 1), desc="Embedding")

        report = ingest_with(
            shared.settings,
            embedder=shared.assistant.searcher.embedder,
            engine=shared.engine(),
            hooks=IngestHooks(on_embed_more=more, on_embed_batch=advance),
        )
        shared.reload()
        catalog = shared.assistant.searcher.index.catalog
        summary = summarise(catalog.documents_from(name), report.failed, [name])
        message = (
            f"✅ Added {escape_markdown(name)}: {report.chunks.added} chunks,"
            f" {report.embedded} embedded.\n\n{files_markdown(summary)}"
        )
        return message, status_text()

    upload = gr.File(
        label=f"Add a text ({SUPPORTED_NAMES})",
        file_types=sorted(SUPPORTED_EXTENSIONS),
        type="filepath",
        elem_id="upload",
    )
    add = gr.Button("Add to corpus and re-ingest", elem_id="add-text")
    address = gr.Textbox(
        label="Or a post's address (LessWrong, Alignment Forum, EA Forum)",
        placeholder="https://www.lesswrong.com/posts/ID/slug",
        elem_id="address",
    )
    fetch = gr.Button("Fetch the thread and re-ingest", elem_id="add-address")
    message = gr.Markdown(elem_id="upload-message")
    add.click(add_text, upload, [message, status], api_name="add_text")
    fetch.click(add_address, address, [message, status], api_name="add_address")
