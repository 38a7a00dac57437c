"""Commands that answer: `ask`, `chat`, `speakers`, `eval`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from askalign.cli.app import (
    CorpusOption,
    DocOption,
    EngineOption,
    IndexOption,
    JsonOption,
    KOption,
    LlmModelOption,
    LlmUrlOption,
    ReaderOption,
    RoleOption,
    SpeakerOption,
    app,
    open_assistant,
    read_settings,
    user_errors,
)
from askalign.cli.terminal import (
    console,
    print_answer,
    print_error,
    print_metrics,
    print_speakers,
    shown_as_written,
    waiting_on,
    warn_if_unready,
)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    as_json: JsonOption = False,
    speaker: SpeakerOption = None,
    doc: DocOption = None,
    role: RoleOption = None,
    k: KOption = 5,
    index_dir: IndexOption = None,
    engine: EngineOption = None,
    reader: ReaderOption = None,
    llm_url: LlmUrlOption = None,
    llm_model: LlmModelOption = None,
) -> None:
    """Answer one question from the corpus, with numbered, verified sources."""
    from askalign.assistant import QuestionTooLongError, UnknownFilterError

    assistant = open_assistant(index_dir, engine, reader, llm_url, llm_model)
    with user_errors(UnknownFilterError, QuestionTooLongError), waiting_on(assistant, as_json):
        answer = assistant.ask(question, speaker=speaker, doc=doc, role=role, k=k)
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@app.command()
def chat(
    index_dir: IndexOption = None,
    engine: EngineOption = None,
    reader: ReaderOption = None,
    llm_url: LlmUrlOption = None,
    llm_model: LlmModelOption = None,
) -> None:
    """A conversation in the terminal: follow-ups ("what did he reply?") use the history,
    and a quote cited again keeps its number."""
    from askalign.assistant import QuestionTooLongError
    from askalign.conversation import Message

    assistant = open_assistant(index_dir, engine, reader, llm_url, llm_model)
    warn_if_unready(assistant.writer.model if assistant.writer else None)
    history: list[Message] = []
    console.print("Ask about the essays and their comment threads. Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = console.input("[bold]> [/bold]").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        try:
            question = assistant.checked_question(question)
        except QuestionTooLongError as error:
            print_error(error)
            continue
        history.append(Message(role="user", content=question))
        answer = shown_as_written(assistant, assistant.chat_stream(history))
        history.append(Message(role="assistant", content=answer.text, citations=answer.citations))
        print_answer(answer)
        console.print()


@app.command()
def speakers(
    as_json: JsonOption = False, index_dir: IndexOption = None, engine: EngineOption = None
) -> None:
    """Who is in the corpus, with how many passages each."""
    found = open_assistant(index_dir, engine).speakers()
    if as_json:
        typer.echo(json.dumps([info.model_dump(mode="json") for info in found], indent=2))
        return
    print_speakers(found)


@app.command("eval")
def eval_command(
    questions: Annotated[Path, typer.Option("--questions", help="A questions .jsonl file.")],
    grades: Annotated[
        Path | None,
        typer.Option(
            "--grades",
            help="A .jsonl file of {id, grade (full, partial, miss, wrong_abstention,"
            " right_abstention), lead (true/false)}, from a reader of `eval --json`.",
        ),
    ] = None,
    as_json: JsonOption = False,
    k: KOption = 5,
    index_dir: IndexOption = None,
    corpus_dir: CorpusOption = None,
    engine: EngineOption = None,
    reader: ReaderOption = None,
) -> None:
    """Recall@k, MRR, cited evidence, speakers, abstention, verbatim citations, latency, grades."""
    from askalign.evaluation import EvalFileError, evaluate, load_grades, load_questions

    with user_errors(EvalFileError):
        loaded = load_questions(questions)
        graded = load_grades(grades) if grades else None
    if graded and (unknown := sorted(graded.keys() - {q.id for q in loaded})):
        print_error(f"{grades}: ids not in {questions}: {unknown}", "note", "yellow")
    assistant = open_assistant(index_dir, engine, reader)
    corpus = read_settings(corpus_dir=corpus_dir).corpus_dir
    report = evaluate(assistant, loaded, k=k, corpus_dir=corpus, grades=graded)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    print_metrics(report)
