"""The web UI: a chat whose every answer shows its sources, who said them and where.

One Assistant serves every browser tab (it is read-only); when the index gets a new
generation (a text added here, or `askalign ingest` run elsewhere), a fresh one replaces
it whole. The conversation lives in the browser (`BrowserState`), so it survives a reload.

Adding texts writes to the corpus, so only a server on loopback or behind a login
(`--auth-file`) offers it; any other is read-only, with no upload in the page or the API;
that holds for fetching a thread by its address too.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # nothing leaves the machine

import faiss
import gradio as gr
from pydantic import ValidationError
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from askalign.answer.answers import Answer
from askalign.assistant import QuestionTooLongError, UnknownFilterError
from askalign.conversation import Message
from askalign.index.feedback import FeedbackLog, RateLimit
from askalign.positions import PositionMap
from askalign.retrieval.open import index_status
from askalign.settings import Settings
from askalign.text.markdown_out import escape_markdown
from askalign.web.adding import adding_view
from askalign.web.auth import Login
from askalign.web.docs_site import docs_link, docs_routes
from askalign.web.exports import conversation_text, export_button
from askalign.web.login_guard import LoginGuard
from askalign.web.positions import positions_view
from askalign.web.render import (
    chat_markdown,
    example_questions,
    follow_ups,
    sources_html,
)
from askalign.web.shared import SharedAssistant

CONCURRENCY = 4  # answers are ~30 ms of CPU; more at once only queue behind the GIL
# A server's parallelism is its concurrent questions; FAISS's own OpenMP threads on an
# index this small only fight them for the cores (p95 under 20 clients: see
# docs/measured/performance.md).
SEARCH_THREADS = 1
READ_ONLY = (
    "read-only: this server is reachable beyond this machine and has no login, so adding"
    " texts is off. To turn it on: `askalign user add NAME`, then"
    " `askalign serve --auth-file FILE` (or set ASKALIGN_AUTH_FILE)."
)
TOO_MANY_THUMBS = "Thanks! Too many ratings in the last minute: this one was not kept."
ANYONE = "Anyone"
STORAGE_KEY = "askalign-conversation"
CSS = """
.sources blockquote { white-space: pre-wrap; margin: .4em 0; padding-left: .8em;
  border-left: 3px solid #888; font-size: .92em; }
.sources mark { background: #ffe58a; color: #111; }
.sources.abstained { border: 2px dashed #c77d00; padding: .6em; border-radius: 8px; }
.sources.abstained h3::before { content: "⚠ "; }
.source { margin-bottom: 1em; }
.source-head { font-size: .95em; }
.copy-source { font-size: .8em; margin-top: .2em; }
"""
THEME = gr.themes.Default(
    font=["ui-sans-serif", "system-ui", "sans-serif"],
    font_mono=["ui-monospace", "monospace"],
)


def is_loopback(host: str) -> bool:
    """Only what this machine alone can reach; a name other than localhost may resolve
    anywhere, so it counts as beyond."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RefuseUploads:
    """Gradio serves POST /gradio_api/upload whatever the page holds; a read-only server
    turns it away before a byte is stored."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].rstrip("/").endswith("/upload")
        ):
            await PlainTextResponse(READ_ONLY, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def saved_turns(state: dict | None) -> list[dict]:
    """The conversation the browser saved, each turn that no longer reads as a question
    and an answer (saved by another version, or edited) left out rather than failing the
    page. Its citations are checked again where they are shown (render.shown_citations)."""
    turns = []
    for turn in (state or {}).get("turns", []):
        try:
            Answer.model_validate(turn["answer"])
        except (KeyError, TypeError, ValidationError):
            continue
        if isinstance(turn.get("question"), str):
            turns.append(turn)
    return turns


def history(turns: list[dict]) -> list[Message]:
    messages: list[Message] = []
    for turn in turns:
        messages.append(Message(role="user", content=turn["question"]))
        answer = Answer.model_validate(turn["answer"])
        messages.append(Message(role="assistant", content=answer.text, citations=answer.citations))
    return messages


def chat_messages(turns: list[dict]) -> list[dict]:
    messages: list[dict] = []
    for turn in turns:
        answer = Answer.model_validate(turn["answer"])
        messages.append({"role": "user", "content": escape_markdown(turn["question"])})
        messages.append({"role": "assistant", "content": chat_markdown(answer)})
    return messages


def status_markdown(shared: SharedAssistant) -> str:
    settings = shared.settings
    status = index_status(shared.index_dir, settings.engine, settings.milvus_token_value)
    writer = shared.llm.model if shared.llm is not None else None
    written = f" · answers written by `{writer}`, every claim checked" if writer else ""
    return (
        f"**{status.documents} documents, {status.chunks} chunks** · built {status.last_ingest}"
        f" · model `{status.model_id}`{written}"
    )


def build_app(shared: SharedAssistant, writes: bool = True) -> gr.Blocks:
    """`writes=False` leaves adding texts out of the page and the API altogether."""
    settings = shared.settings
    documents = shared.assistant.documents
    speakers = [info.name for info in shared.assistant.speakers()]
    names = shared.assistant.searcher.index.catalog.document_names()
    doc_choices = [("All documents", "")] + [(title, doc_id) for doc_id, title, _ in names]
    feedback = FeedbackLog(shared.index_dir)
    thumbs = RateLimit(settings.feedback_per_minute)
    exports = RateLimit(settings.exports_per_minute)  # one budget for both exports

    def latest(turns: list[dict]) -> Answer | None:
        return Answer.model_validate(turns[-1]["answer"]) if turns else None

    def view(turns: list[dict]) -> tuple[list[dict], str, gr.Dataset]:
        answer = latest(turns)
        current = shared.assistant.documents
        suggestions = follow_ups(answer, current) or example_questions(current)
        return (
            chat_messages(turns),
            sources_html(answer, current),
            gr.Dataset(samples=[[q] for q in suggestions]),
        )

    def respond(
        question: str, state: dict, speaker: str, doc: str
    ) -> Iterator[tuple[list[dict], str, gr.Dataset, dict, str]]:
        """The answer, and before it, where the user's model streams, each claim as soon
        as it is verified. The conversation is saved once the answer is whole."""
        turns = saved_turns(state)
        if not question.strip():
            yield (*view(turns), {"turns": turns}, "")
            return
        messages = [*history(turns), Message(role="user", content=question)]
        answers = shared.current().chat_stream(
            messages, speaker=None if speaker == ANYONE else speaker, doc=doc or None
        )
        try:
            for answer in answers:
                shown = [*turns, {"question": question, "answer": answer.model_dump(mode="json")}]
                yield (*view(shown), gr.skip(), gr.skip())
        except QuestionTooLongError as error:
            gr.Warning(f"Not asked: {error}.")
            yield (*view(turns), {"turns": turns}, question)
            return
        yield (*view(shown), {"turns": shown}, "")

    def restore(state: dict) -> tuple[list[dict], str, gr.Dataset]:
        return view(saved_turns(state))

    def on_like(state: dict, data: gr.LikeData) -> None:
        turns = (state or {}).get("turns", [])
        turn = data.index[0] // 2 if isinstance(data.index, list | tuple) else data.index // 2
        if not 0 <= turn < len(turns):
            return
        if not thumbs.take():
            gr.Warning(TOO_MANY_THUMBS)
        else:
            feedback.add(turns[turn]["question"], turns[turn]["answer"], liked=bool(data.liked))

    def ask_api(question: str, speaker: str = "", doc: str = "") -> dict:
        """One answer as JSON: text, citations (verified quotes with speaker and span),
        abstained, hits. The same as `askalign ask --json`."""
        try:
            answer = shared.current().ask(question, speaker=speaker or None, doc=doc or None)
        except (QuestionTooLongError, UnknownFilterError) as error:
            raise gr.Error(str(error)) from error
        return answer.model_dump(mode="json")

    def map_topic(topic: str, doc: str | None) -> PositionMap:
        try:
            return shared.current().map(topic, doc=doc)
        except (QuestionTooLongError, UnknownFilterError) as error:
            raise gr.Error(str(error)) from error

    with gr.Blocks(title="askalign") as demo:
        state = gr.BrowserState({"turns": []}, storage_key=STORAGE_KEY)
        gr.Markdown(
            "## askalign\nAsk about the alignment essays and the LessWrong debate under them."
            " Every claim is a quote you can check: its number points at the passage, who"
            " wrote it, and where. " + docs_link()
        )
        with gr.Tabs():
            with gr.Tab("Ask", elem_id="ask-tab"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(
                        label="Conversation", height=480, elem_id="chat", buttons=["copy"]
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="Ask about the essays and the debate… (Enter to send)",
                            show_label=False,
                            scale=5,
                            elem_id="question",
                            max_length=settings.max_question_chars,
                        )
                        send = gr.Button(
                            "Ask", variant="primary", scale=1, min_width=80, elem_id="ask"
                        )
                    suggestions = gr.Dataset(
                        components=[gr.Textbox(visible=False)],
                        samples=[[q] for q in example_questions(documents)],
                        label="Try asking",
                        elem_id="suggestions",
                    )
                    with gr.Row():
                        speaker = gr.Dropdown(
                            [ANYONE, *speakers],
                            value=ANYONE,
                            label="Speaker",
                            elem_id="speaker-filter",
                        )
                        doc = gr.Dropdown(
                            doc_choices, value="", label="Document", elem_id="doc-filter"
                        )
                    with gr.Row():
                        export_button(
                            "Export conversation (Markdown)",
                            "askalign-conversation.md",
                            lambda saved: conversation_text(saved, shared.assistant.documents),
                            state,
                            exports,
                        )
                        clear = gr.Button("New conversation", size="sm")
                with gr.Column(scale=2, min_width=300):
                    sources = gr.HTML(sources_html(None, documents), elem_id="sources")
            with gr.Tab("Positions", elem_id="positions-tab"):
                positions_view(map_topic, doc_choices, exports)
        with gr.Accordion("Index: what the answers come from", open=False):
            status = gr.Markdown(status_markdown(shared), elem_id="index-status")
            if writes:
                adding_view(shared, status, lambda: status_markdown(shared))
            else:
                gr.Markdown("Adding texts is off on this server.", elem_id="read-only")

        outputs = [chatbot, sources, suggestions, state, question]
        inputs = [question, state, speaker, doc]
        page_only = {"api_visibility": "private"}  # the API is /ask (and /add_text, /add_address)
        question.submit(respond, inputs, outputs, **page_only)
        send.click(respond, inputs, outputs, **page_only)
        suggestions.click(lambda sample: sample[0], suggestions, question, **page_only).then(
            respond, inputs, outputs, **page_only
        )
        clear.click(lambda: (*view([]), {"turns": []}, ""), None, outputs, **page_only)
        chatbot.like(on_like, state, None, **page_only)
        demo.load(restore, state, [chatbot, sources, suggestions], **page_only)
        gr.api(ask_api, api_name="ask")
    return demo.queue(default_concurrency_limit=CONCURRENCY, max_size=settings.queue_size)


def launch(
    settings: Settings,
    host: str,
    port: int,
    share: bool = False,
    block: bool = True,
    shared: SharedAssistant | None = None,
) -> gr.Blocks:
    """Writes (adding texts) need a login, unless only this machine can connect.
    `shared`: an Assistant opened already (`serve` opens it while Gradio imports)."""
    login = Login(settings.auth_file) if settings.auth_file else None
    faiss.omp_set_num_threads(SEARCH_THREADS)
    writes = login is not None or (is_loopback(host) and not share)
    demo = build_app(shared or SharedAssistant(settings), writes=writes)
    if not writes:
        print(f"askalign: {READ_ONLY}", file=sys.stderr, flush=True)
    middleware = [] if writes else [Middleware(RefuseUploads)]
    if login is not None:  # failed logins back off, per name and per client address
        middleware.append(Middleware(LoginGuard))
    demo.launch(
        server_name=host,
        server_port=port,
        share=share,
        theme=THEME,
        css=CSS,
        prevent_thread_lock=not block,
        footer_links=["api"],
        show_error=True,
        auth=login,
        auth_message="askalign: log in with a name from the server's auth file.",
        max_file_size=settings.max_file_bytes,
        app_kwargs={"middleware": middleware, "routes": docs_routes()},
    )
    return demo


def main() -> None:
    """`python ui/app.py`: serve with the settings from the environment."""
    settings = Settings()
    launch(settings, host="127.0.0.1", port=int(os.environ.get("ASKALIGN_PORT", "7860")))
