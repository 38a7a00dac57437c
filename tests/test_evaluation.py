"""`askalign eval`: cited evidence, grades and their summary, on hand-made data and the
shipped corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from askalign.assistant import Assistant
from askalign.evaluation import (
    EvalFileError,
    EvalQuestion,
    Evidence,
    Grade,
    GradeValue,
    QuestionResult,
    cited_evidence,
    cites_evidence,
    evaluate,
    load_grades,
    load_questions,
    rank_metrics,
    summarize,
)

from .conftest import SHIPPED_CORPUS

EVIDENCE = (
    "Penalizing it for that didn’t stop the model from cheating, though; the penalty just"
    " stopped it from admitting it planned to cheat."
)


def test_a_quote_that_contains_the_evidence_cites_it() -> None:
    quote = "Likewise, OpenAI found this. " + EVIDENCE.upper().replace("’", "'")
    assert cites_evidence(quote, EVIDENCE)


def test_a_quote_inside_the_evidence_cites_it_when_it_is_a_claim_not_a_phrase() -> None:
    assert cites_evidence("the penalty just stopped it from admitting", EVIDENCE)
    assert not cites_evidence("the model from cheating", EVIDENCE)  # five words


def test_a_quote_sharing_half_the_evidence_in_one_run_cites_it() -> None:
    # The answer's sentence and the evidence are cut at different places.
    evidence = "the reward function says that eating-when-hungry is good, pain is bad, and so on."
    quote = (
        "For example, in human brains, the reward function says that eating-when-hungry is good."
    )
    assert cites_evidence(quote, evidence)
    scattered = "The reward for eating is good; the function of pain says so, and so on."
    assert not cites_evidence(scattered, evidence)  # shared words, no long shared run


def test_an_unrelated_quote_does_not_cite_the_evidence() -> None:
    quote = "Google is trying to teach its search algorithm to find people the most useful results."
    assert not cites_evidence(quote, EVIDENCE)
    assert not cites_evidence(quote, "   ")


def test_cited_evidence_needs_one_quote_to_cite_one_piece() -> None:
    evidence = [Evidence(doc="a.txt", quote=EVIDENCE), Evidence(doc="b.txt", quote="Other words.")]
    assert cited_evidence(["Unrelated words here.", EVIDENCE], evidence)
    assert not cited_evidence(["Unrelated words here."], evidence)
    assert not cited_evidence([], evidence)


def test_grades_load_by_id(tmp_path: Path) -> None:
    path = tmp_path / "grades.jsonl"
    lines = [
        {"id": "q1", "grade": "full", "lead": True},
        {"id": "q2", "grade": "wrong_abstention", "lead": False, "note": "extra keys are kept out"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    grades = load_grades(path)
    assert grades == {
        "q1": Grade(id="q1", grade="full", lead=True),
        "q2": Grade(id="q2", grade="wrong_abstention", lead=False),
    }


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ('{"id": "q2", "grade": "great", "lead": true}', "line 3: field 'grade': Input should be"),
        ('{"id": "q2", "grade": "miss"}', "line 3: field 'lead': Field required"),
        ('{"id": "q2", "grade": "miss", "lead": true', "line 3: not valid JSON"),
        ('{"id": "q1", "grade": "miss", "lead": true}', "line 3: field 'id': 'q1' is already"),
    ],
)
def test_a_bad_grade_line_names_file_line_and_field(
    tmp_path: Path, bad_line: str, expected: str
) -> None:
    path = tmp_path / "grades.jsonl"
    path.write_text(f'{{"id": "q1", "grade": "full", "lead": true}}\n\n{bad_line}\n', "utf-8")
    with pytest.raises(EvalFileError) as caught:
        load_grades(path)
    assert str(caught.value).startswith(f"{path}, {expected}")


def test_a_bad_question_line_still_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text('{"id": "q1", "question": "Why?"}\n', encoding="utf-8")
    with pytest.raises(EvalFileError, match=r"questions.jsonl, line 1: field 'kind'"):
        load_questions(path)


def result(
    kind: str,
    *,
    cited: bool | None = None,
    abstained: bool = False,
    grade: GradeValue | None = None,
    lead: bool = False,
) -> QuestionResult:
    return QuestionResult(
        id="q",
        kind=kind,
        question="?",
        reference="",
        answer_text="",
        cited_evidence=cited,
        abstained=abstained,
        citations=0,
        citations_verbatim=0,
        latency_ms=1.0,
        grade=Grade(id="q", grade=grade, lead=lead) if grade else None,
    )


def test_summarize_shares_cited_evidence_and_grades_of_answerable_questions() -> None:
    results = [
        result("fact", cited=True, grade="full", lead=True),
        result("fact", cited=False, grade="partial"),
        result("who", cited=False, abstained=True, grade="wrong_abstention"),
        result("who", cited=True, grade="miss", lead=True),
        result("who", cited=True),  # not graded: not counted in the graded shares
        result("unanswerable", abstained=True, grade="right_abstention"),
    ]
    overall = summarize(results)
    assert overall.cited_evidence == 0.6
    assert overall.graded == 4
    assert overall.answered_fully == 0.25
    assert overall.answered_at_least_partly == 0.5
    assert overall.leads_with_most_useful == 0.5
    unanswerable = summarize(results[-1:])
    assert unanswerable.cited_evidence is None and unanswerable.graded is None
    assert summarize(results[4:5]).answered_fully is None


def test_rank_metrics_are_recall_and_mrr_of_the_first_evidence_ranks() -> None:
    assert rank_metrics([1, 2, None]) == (0.667, 0.5)  # MRR: (1 + 1/2 + 0) / 3
    assert rank_metrics([None]) == (0.0, 0.0)
    assert rank_metrics([]) == (0.0, 0.0)
    found = [result("fact").model_copy(update={"evidence_coverage": 1.0, "first_rank": 4})]
    overall = summarize(found)
    assert (overall.recall_at_k, overall.mrr) == rank_metrics([4]) == (1.0, 0.25)
    assert summarize([result("fact")]).mrr is None  # no evidence: nothing ranked


def test_evaluate_reports_what_a_grader_needs(assistant: Assistant) -> None:
    questions = [
        EvalQuestion(
            id="proof",
            question="In Byrnes's example of a hard math proof, what chance does the model have"
            " after RL from Verifiable Rewards?",
            kind="fact",
            answer="About 30%.",
            evidence=[
                Evidence(doc="foom", quote="30% probability after RL from Verifiable Rewards")
            ],
        ),
        EvalQuestion(
            id="none", question="What is the boiling point of mercury?", kind="unanswerable"
        ),
    ]
    grades = {"proof": Grade(id="proof", grade="full", lead=False)}
    report = evaluate(assistant, questions, k=5, corpus_dir=SHIPPED_CORPUS, grades=grades)
    proof, none = report.results
    assert proof.question == questions[0].question and proof.reference == "About 30%."
    assert proof.answer_text and proof.first_rank is not None
    assert proof.cited_evidence is (not proof.abstained)  # the quote is in the top hit
    assert proof.grade == grades["proof"] and none.grade is None
    assert none.cited_evidence is None
    assert report.overall.graded == 1 and report.by_kind["fact"].answered_fully == 1.0


def test_cli_eval_refuses_a_bad_grades_file_before_asking_anything(tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"id": "q1", "question": "Why?", "kind": "fact"}\n', encoding="utf-8")
    grades = tmp_path / "grades.jsonl"
    grades.write_text('{"id": "q1", "grade": "fine", "lead": true}\n', encoding="utf-8")
    command = ["eval", "--questions", str(questions), "--grades", str(grades)]
    done = subprocess.run(
        [sys.executable, "-m", "askalign", *command, "--index", str(tmp_path / "no-index")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert f"{grades}, line 1: field 'grade'" in done.stderr
