"""Who may write to a running server, the bounds it keeps, and what it sees of ingests
run elsewhere: real `askalign serve` subprocesses, real HTTP, real logins."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from askalign.index.feedback import MAX_TEXT_CHARS, FeedbackLog, RateLimit
from askalign.web.auth import AuthFileError, Login, add_user, read_users, remove_user

from .conftest import run_ingest
from .forum_server import POST_ID, forum_site, thread_forum
from .servers import serving

TEXTS = {
    "corrigibility.md": "# Notes on corrigibility\n\nAn agent is corrigible when it lets its"
    " overseers correct it, even when the correction goes against what it now wants.\n",
    "reward.md": "# Reward hacking\n\nA policy trained on a proxy reward learns to exploit the"
    " proxy: it finds the cheap behaviours the reward model scores highly.\n",
}
STOP_BUTTON = (
    "# The stop button problem\n\nA robot that values finishing its task resists its stop"
    " button, because being stopped leaves the task undone; an agent made indifferent to"
    " the button neither presses it nor keeps people from pressing it.\n"
)
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """A small corpus, ingested once; each test serves its own copy."""
    root = tmp_path_factory.mktemp("built")
    (root / "corpus").mkdir()
    for name, text in TEXTS.items():
        (root / "corpus" / name).write_text(text, encoding="utf-8")
    run_ingest(root / "corpus", root / "index", embedder)
    return root


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(built / "corpus", tmp_path / "served" / "corpus")
    shutil.copytree(built / "index", tmp_path / "served" / "index")
    return tmp_path / "served" / "corpus", tmp_path / "served" / "index"


def http(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_upload(url: str, name: str, content: bytes) -> tuple[int, bytes]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return http(f"{url}gradio_api/upload", body, headers)


def endpoints(url: str) -> set[str]:
    status, body = http(f"{url}gradio_api/info")
    assert status == 200, body
    info = json.loads(body)
    return set(info["named_endpoints"]) | {str(k) for k in info.get("unnamed_endpoints", {})}


def test_beyond_loopback_without_a_login_is_read_only(copy: tuple[Path, Path]) -> None:
    from gradio_client import Client

    corpus, index = copy
    before = sorted(p.name for p in corpus.iterdir())
    with serving(corpus, index, "--host", "0.0.0.0") as server:
        url = server["url"]
        assert endpoints(url) == {"/ask"}
        status, body = post_upload(url, "notes.md", b"# Notes\n\nSome text.\n")
        assert status == 403 and b"askalign user add" in body
        _, page = http(f"{url}config")
        assert b'"upload"' not in page and b"add-text" not in page
        assert b"add-address" not in page
        answer = Client(url, verbose=False).predict(
            "When is an agent corrigible?", "", "", api_name="/ask"
        )
        assert answer["citations"]
        log = server["log"].read_text()
    assert "read-only" in log and "askalign user add NAME" in log and "--auth-file" in log
    assert sorted(p.name for p in corpus.iterdir()) == before


def test_with_an_auth_file_only_a_logged_in_client_writes(
    copy: tuple[Path, Path], tmp_path: Path
) -> None:
    from gradio_client import Client, handle_file

    corpus, index = copy
    users = tmp_path / "users"
    add_user(users, "ada", PASSWORD)
    text = tmp_path / "stop-button.md"
    text.write_text(STOP_BUTTON, encoding="utf-8")
    with serving(corpus, index, "--host", "0.0.0.0", "--auth-file", str(users)) as server:
        url = server["url"]
        assert http(f"{url}gradio_api/info")[0] == 401
        assert post_upload(url, "notes.md", b"# Notes\n\nSome text.\n")[0] == 401
        for auth in (None, ("ada", "wrong"), ("eve", PASSWORD)):
            with pytest.raises(Exception):  # noqa: B017 - gradio_client raises several kinds
                Client(url, auth=auth, verbose=False).predict("q", "", "", api_name="/ask")
        client = Client(url, auth=("ada", PASSWORD), verbose=False)
        assert (
            "/add_text"
            in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
        )
        message, _ = client.predict(handle_file(str(text)), api_name="/add_text")
        assert "Added stop-button.md" in message
        with forum_site(thread_forum()) as forum:  # a thread by its address, logged in
            address = f"{forum.url}/posts/{POST_ID}/corrigible-gardens"
            message, _ = client.predict(address, api_name="/add_address")
            with pytest.raises(Exception):  # noqa: B017 - gradio_client raises several kinds
                Client(url, auth=("eve", PASSWORD), verbose=False).predict(
                    address, api_name="/add_address"
                )
        assert f"{POST_ID}-corrigible-gardens.json" in message and "forum-api" in message
        answer = client.predict(
            "Why would a robot resist its stop button?", "", "", api_name="/ask"
        )
    assert (corpus / "stop-button.md").exists()
    assert "The stop button problem" in {c["doc_title"] for c in answer["citations"]}


def test_a_running_server_answers_from_an_ingest_run_elsewhere(
    copy: tuple[Path, Path], embedder
) -> None:
    from gradio_client import Client

    corpus, index = copy
    with serving(corpus, index) as server:
        client = Client(server["url"], verbose=False)
        question = "Why would a robot resist its stop button?"
        assert "The stop button problem" not in titles(
            client.predict(question, "", "", api_name="/ask")
        )
        (corpus / "stop-button.md").write_text(STOP_BUTTON, encoding="utf-8")
        run_ingest(corpus, index, embedder)  # this process, not the server's
        deadline = time.monotonic() + 10
        while "The stop button problem" not in titles(
            client.predict(question, "", "", api_name="/ask")
        ):
            assert time.monotonic() < deadline, "the server still answers from the old index"
            time.sleep(0.5)


def titles(answer: dict) -> set[str]:
    return {citation["doc_title"] for citation in answer["citations"]}


def test_bounds_on_questions_and_uploads(copy: tuple[Path, Path]) -> None:
    from gradio_client import Client

    corpus, index = copy
    with serving(corpus, index, env={"ASKALIGN_MAX_FILE_MB": "0.01"}) as server:
        url = server["url"]
        status, body = post_upload(url, "big.md", b"# Big\n\n" + b"word " * 4000)
        assert status == 413, body
        assert post_upload(url, "small.md", b"# Small\n\nA short text.\n")[0] == 200
        client = Client(url, verbose=False)
        with pytest.raises(Exception, match="limit is 2,000"):
            client.predict("why? " * 500, "", "", api_name="/ask")


def test_the_python_api_refuses_a_long_question(copy: tuple[Path, Path], embedder) -> None:
    from askalign.assistant import Assistant, QuestionTooLongError
    from askalign.retrieval.search import open_searcher

    assistant = Assistant(open_searcher(copy[1], embedder), max_question_chars=50)
    with pytest.raises(QuestionTooLongError, match="limit is 50"):
        assistant.ask("x" * 51)
    with pytest.raises(QuestionTooLongError):
        assistant.chat([{"role": "user", "content": "y" * 51}])
    assert assistant.ask("When is an agent corrigible?").citations


def test_auth_file_lines(tmp_path: Path) -> None:
    users = tmp_path / "users"
    assert add_user(users, "ada", PASSWORD) is False
    assert add_user(users, "bob", "hunter2") is False
    assert add_user(users, "bob", "hunter3") is True
    assert (users.stat().st_mode & 0o777) == 0o600
    line = users.read_text().splitlines()[0]
    assert line.startswith("ada:scrypt$16384$8$1$") and PASSWORD not in line
    login = Login(users)
    assert login("ada", PASSWORD) and login("bob", "hunter3")
    assert not login("bob", "hunter2") and not login("eve", PASSWORD)
    assert remove_user(users, "bob") and not login("bob", "hunter3")
    assert not remove_user(users, "bob")
    users.write_text(users.read_text() + "carol:plaintext\n")
    with pytest.raises(AuthFileError, match=rf"{users}, line 2: expected scrypt"):
        read_users(users)
    assert not login("ada", PASSWORD)  # a broken file lets no one in


def test_user_add_asks_twice(tmp_path: Path) -> None:
    from askalign.cli import app

    users = tmp_path / "users"
    runner = CliRunner()
    args = ["user", "add", "ada", "--auth-file", str(users)]
    result = runner.invoke(app, args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and Login(users)("ada", PASSWORD)
    result = runner.invoke(app, ["user", "add", "no:colons", "--auth-file", str(users)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["user", "remove", "ada", "--auth-file", str(users)])
    assert result.exit_code == 0 and read_users(users) == {}


def test_feedback_is_clipped_and_rate_limited(tmp_path: Path) -> None:
    store = FeedbackLog(tmp_path / "index")
    huge = {"text": "a" * 10**6, "citations": [{"quote": "q" * 10**5}, {"n": 1}] * 50}
    store.add("b" * 10**6, huge, liked=True)
    [kept] = store.all()
    assert len(kept.question) == len(kept.answer) == MAX_TEXT_CHARS
    assert kept.citations == [{"n": 1}] * 10
    limit = RateLimit(per_minute=3)
    assert [limit.take() for _ in range(4)] == [True, True, True, False]


def login(url: str, user: str, password: str, client: str) -> tuple[int, str | None, bytes]:
    """POST Gradio's /login as a proxy on this machine would, naming the client."""
    form = urllib.parse.urlencode({"username": user, "password": password}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": client}
    request = urllib.request.Request(f"{url}login", data=form, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Retry-After"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After"), error.read()


def test_failed_logins_back_off_per_name_and_per_client(
    copy: tuple[Path, Path], tmp_path: Path
) -> None:
    from gradio_client import Client

    corpus, index = copy
    users = tmp_path / "users"
    add_user(users, "ada", PASSWORD)
    add_user(users, "bob", PASSWORD)
    with serving(corpus, index, "--host", "0.0.0.0", "--auth-file", str(users)) as server:
        url = server["url"]
        assert [login(url, "ada", "wrong", "203.0.113.1")[0] for _ in range(5)] == [400] * 5
        status, retry_after, body = login(url, "ada", PASSWORD, "203.0.113.1")
        assert (status, retry_after) == (429, "1") and b"Too many failed logins" in body
        assert login(url, "ada", PASSWORD, "203.0.113.2")[0] == 429  # the name, from anywhere
        assert login(url, "bob", PASSWORD, "203.0.113.1")[0] == 200  # not the address yet
        time.sleep(1.2)
        assert login(url, "ada", PASSWORD, "203.0.113.1")[0] == 200  # the lock has passed
        guesses = [login(url, f"guess{n}", "x", "198.51.100.7")[0] for n in range(20)]
        assert guesses == [400] * 20  # one address, many names
        assert login(url, "bob", PASSWORD, "198.51.100.7")[0] == 429
        assert login(url, "bob", PASSWORD, "198.51.100.8")[0] == 200  # another client
        client = Client(url, auth=("ada", PASSWORD), verbose=False)  # the usual way in
        assert client.predict("When is an agent corrigible?", "", "", api_name="/ask")["text"]
        log = server["log"].read_text()
    assert "login failed for 'ada' from 203.0.113.1 (5 in a row)" in log
    assert "login locked for 'ada' for 1 s after 5 failures" in log
    assert "login refused for 'ada' from 203.0.113.2: locked for 1 s more" in log
    assert "login failed for 'guess19' from 198.51.100.7 (1 in a row)" in log


def test_the_lock_doubles_up_to_a_cap_and_is_forgotten() -> None:
    from askalign.web.login_guard import (
        FORGET_AFTER_S,
        FREE_CLIENT_FAILURES,
        MAX_LOCK_S,
        MAX_TRACKED,
        LoginThrottle,
    )

    now = [0.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    locks = []
    for _ in range(20):
        locks.append(throttle.failed("ada", f"10.0.0.{len(locks)}")[1])
        now[0] += locks[-1]  # each guess waits out the lock before it
    assert locks[:4] == [0.0] * 4 and locks[4:9] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert max(locks) == MAX_LOCK_S == locks[-1]
    assert throttle.wait_s("ada", "10.9.9.9") == 0.0
    throttle.failed("ada", "10.9.9.9")
    assert throttle.wait_s("ada", "10.9.9.9") == MAX_LOCK_S
    now[0] += MAX_LOCK_S + FORGET_AFTER_S + 1
    assert throttle.failed("ada", "10.9.9.9") == (1, 0.0)  # forgotten: a fresh count
    throttle.succeeded("ada")
    for n in range(FREE_CLIENT_FAILURES):
        throttle.failed(f"user{n}", "10.1.1.1")
    assert throttle.wait_s("someone", "10.1.1.1") == 1.0  # one address, many names
    for n in range(MAX_TRACKED + 10):
        throttle.failed("x", f"client{n}")
    assert len(throttle._keys) <= MAX_TRACKED
