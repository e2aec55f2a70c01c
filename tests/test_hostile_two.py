"""The second hostile round (issue 38): nothing lost, nothing leaked, nothing misleading.

Each test is one case of the probe, as it was tried, and fails on the code before the fix.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import CORPUS
from tests.fakes import KeywordJudge
from tests.stub_llm import StubLLM

SEED_A = CORPUS / "2022-04-06-esocialnews-fully-withdrawn.md"
SEED_B = CORPUS / "2022-03-29-yahoo-pentagon-casts-doubt.md"
ID_A = "esocialnews-2022-04-06-fully-withdrawn"
ID_B = "yahoo-2022-03-29-pentagon-casts-doubt"


def run(*args: object):  # type: ignore[no-untyped-def]
    from checker.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def one_line_error(result, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and all(f in lines[0] for f in fragments), result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    copied = tmp_path / "corpus"
    shutil.copytree(CORPUS, copied)
    return copied


@pytest.fixture
def keyword_judge(monkeypatch: pytest.MonkeyPatch) -> KeywordJudge:
    from checker.pipelines.judging import Judging

    judge = KeywordJudge()
    monkeypatch.setattr("checker.pipelines.judging.build", lambda *a, **k: Judging("nli", _Sentences(), judge, None, None, None, {}))
    return judge


class _Sentences:
    """The offline extractor without the model: claims are the checkable clauses."""

    name = "sentences:test"
    asks_llm = False

    def extract(self, article):  # type: ignore[no-untyped-def]
        from checker.claims.offline_claims import SentenceExtractor

        return SentenceExtractor().extract(article)


# -- data loss and secrets --------------------------------------------------------------------


def test_report_out_onto_a_source_article_named_by_its_folder_is_refused(fake_embeddings, keyword_judge, corpus) -> None:
    target = corpus / "2022-01-25-rt-us-backtracks.md"
    before = target.read_bytes()
    # Before anything is indexed, and after: the file is an input article either way.
    one_line_error(run("report", corpus, "-o", target), "is one of the input articles")
    assert run("ingest", corpus).exit_code == 0
    one_line_error(run("report", corpus, "-o", target), "is one of the input articles")
    assert target.read_bytes() == before


def test_compare_by_ids_out_onto_an_indexed_file_is_refused(fake_embeddings, keyword_judge, corpus) -> None:
    assert run("ingest", corpus).exit_code == 0
    for target in (corpus / SEED_A.name, corpus / "2022-02-25-independent-kirby-setbacks.md"):
        before = target.read_bytes()
        one_line_error(run("compare", ID_A, ID_B, "-o", target), "source file of the indexed article")
        assert target.read_bytes() == before


def test_a_new_report_beside_the_store_data_is_allowed_but_never_over_it(fake_embeddings, keyword_judge, tmp_path) -> None:
    store = tmp_path / "store"
    assert run("ingest", CORPUS, "--store", store).exit_code == 0
    assert run("report", CORPUS, "--store", store, "-o", store / "out.html").exit_code == 0
    one_line_error(run("report", CORPUS, "--store", store, "-o", store / "results.sqlite3"), "checker's own data in the store")
    one_line_error(run("report", CORPUS, "--store", store, "-o", store / "writer.lock"), "checker's own data in the store")


def test_credentials_in_base_url_never_reach_the_run_record(fake_embeddings, tmp_path) -> None:
    """Run as a real process: the run record is made from the command line itself."""
    a = tmp_path / "a.md"
    a.write_text("---\noutlet: A\npublished: 2022-04-06\n---\nRussian forces have withdrawn from the area around Kyiv, officials said.\n")
    with StubLLM() as stub:
        url = stub.base_url.replace("http://", "http://user:hunter2pw@")
        done = subprocess.run(
            [sys.executable, "-c", "from checker.cli import main; main()", "compare", str(a), str(SEED_B), "--base-url", url, "-o", "c.json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env={k: v for k, v in os.environ.items() if not k.startswith("CHECKER_")},
        )
    assert done.returncode == 0, done.stderr
    db = tmp_path / ".checker" / "results.sqlite3"
    commands = [row[0] for row in sqlite3.connect(db).execute("SELECT command FROM runs")]
    assert commands and all("hunter2pw" not in c for c in commands) and "***@127.0.0.1" in commands[0]
    assert b"hunter2pw" not in db.read_bytes()
    # Modes on purpose: the results database is its owner's alone; an output is any file of the user's.
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "c.json").stat().st_mode) == 0o666 & ~umask


def test_an_old_run_record_with_a_password_is_redacted_when_the_store_opens(tmp_path) -> None:
    from checker.storage.sqlite_results import SQLiteResults

    db = tmp_path / "results.sqlite3"
    old = sqlite3.connect(db)
    old.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT NOT NULL, started REAL NOT NULL, finished REAL, usage TEXT)")
    old.execute("INSERT INTO runs (command, started) VALUES ('compare a b --base-url http://u:hunter2pw@host/v1 --api-key sk-abcdefghijklmnop', 0)")
    old.commit()
    old.close()
    SQLiteResults(db).close()
    (command,) = sqlite3.connect(db).execute("SELECT command FROM runs").fetchone()
    assert "hunter2pw" not in command and "sk-abcdefghijklmnop" not in command and "***@host" in command


# -- inputs that hang or garble ---------------------------------------------------------------


@pytest.mark.timeout(60)
def test_a_named_pipe_is_skipped_with_a_line_never_read(fake_embeddings, tmp_path) -> None:
    pipe = tmp_path / "fifo.md"
    os.mkfifo(pipe)
    result = run("ingest", pipe)
    assert result.exit_code == 2 and "a named pipe, not a regular file" in result.stderr
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / "fifo.md")
    shutil.copy(SEED_B, folder)
    result = run("ingest", folder)
    assert result.exit_code == 0 and "1 added" in result.stdout
    assert "fifo.md: a named pipe, not a regular file; skipped" in result.stderr


def test_mixed_utf8_and_latin1_is_read_as_written_and_said(fake_embeddings, tmp_path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(
        "Les troupes russes se sont retirées de la région de Kyiv, selon le Pentagone.\n\n".encode()
        + "Le pont a été détruit pendant la nuit, selon la mairie.\n".encode("latin-1")
    )
    result = run("ingest", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "mixed encodings" in result.stderr and "mixed.txt" in result.stderr
    (listed,) = json.loads(run("search", "pont détruit", "-k", "5", "-f", "json").stdout)[:1]
    text = " ".join(hit["text"] for hit in json.loads(run("search", "troupes", "-k", "5", "-f", "json").stdout))
    assert "retirées" in text and "été détruit" in text and "Ã" not in text and listed["text"]


def test_a_publication_date_in_the_future_is_refused_naming_the_file_and_field(fake_embeddings, tmp_path) -> None:
    path = tmp_path / "future.md"
    path.write_text("---\noutlet: Tomorrow News\npublished: 2099-01-01\n---\nRussian forces have fully withdrawn from Kyiv, officials said.\n")
    result = run("ingest", path)
    assert result.exit_code == 2
    assert "future.md: the field 'published' (2099-01-01) is in the future" in result.stderr


def test_markup_inside_a_sentence_is_not_what_the_judges_read(fake_embeddings, tmp_path) -> None:
    from checker.articles.loading import load_file

    path = tmp_path / "tricky.md"
    path.write_text(
        "---\noutlet: X\npublished: 2022-03-29\n---\n"
        "The bridge was not <script>document.write('destroyed')</script>destroyed and remains fully intact.\n"
    )
    (article,) = load_file(path, 10**6).articles
    assert article.text.strip() == "The bridge was not destroyed and remains fully intact."


# -- answers that mislead ---------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["?", "...", "Kyiv", "Have Russian forces withdrawn from Kyiv?"])
def test_a_claim_with_no_checkable_statement_is_refused(fake_embeddings, keyword_judge, claim: str) -> None:
    result = run("check", claim, CORPUS)
    assert result.exit_code == 2 and "Give a statement of fact" in result.stderr
    assert keyword_judge.calls == []


def test_check_with_paths_judges_only_those_articles(fake_embeddings, keyword_judge) -> None:
    assert run("ingest", CORPUS).exit_code == 0
    result = run("check", "Russian forces have fully withdrawn from Kyiv", SEED_B, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == "checker.check/1"
    assert [a["article_id"] for a in data["articles"]] == [ID_B]


def test_a_check_already_made_costs_no_call(fake_embeddings, keyword_judge) -> None:
    """check runs through the stage compare and report share: its verdicts are stored."""
    assert run("check", "Russian forces have fully withdrawn from Kyiv", CORPUS).exit_code == 0
    asked = len(keyword_judge.calls)
    assert asked > 0 and run("check", "Russian forces have fully withdrawn from Kyiv", CORPUS).exit_code == 0
    assert len(keyword_judge.calls) == asked


def test_a_mistyped_folder_is_an_error_not_a_warning(fake_embeddings, keyword_judge, tmp_path) -> None:
    one_line_error(run("report", CORPUS, tmp_path / "new-articles"), "new-articles: no such file or folder")


def test_an_unknown_config_key_is_named_with_its_close_match(fake_embeddings, tmp_path) -> None:
    Path("checker.toml").write_text('[checker]\nchunk-size = 600\nmodle = "x"\n')
    result = run("articles")
    assert "unknown key 'chunk-size' is ignored; did you mean 'chunk_size'?" in result.stderr
    assert "unknown key 'modle' is ignored; did you mean 'model'?" in result.stderr


def test_an_id_clash_hint_is_not_about_file_types(fake_embeddings, tmp_path) -> None:
    one = tmp_path / "one.md"
    one.write_text("---\nid: same\noutlet: A\n---\nRussian forces have withdrawn from Kyiv, officials said on Tuesday.\n")
    assert run("ingest", one).exit_code == 0
    two = tmp_path / "two.md"
    two.write_text("---\nid: same\noutlet: B\n---\nThe bridge over the river remains fully intact, the mayor said.\n")
    result = run("ingest", two)
    assert result.exit_code == 2 and "already belongs to another article" in result.stderr
    assert ".jsonl" not in result.stderr.splitlines()[-1]


def test_eval_writes_nothing_unless_asked_and_prints_no_raw_dicts(tmp_path, monkeypatch) -> None:
    from checker.evaluation import evals

    monkeypatch.setenv("CHECKER_EVAL_RESULTS", str(tmp_path / "results"))
    monkeypatch.setattr("checker.pipelines.judging.build", lambda *a, **k: _judging_by_keywords())
    result = run("eval", "claim_passage")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "results").exists() and "wrote" not in result.stderr
    assert "{" not in result.stdout and "injection" in result.stdout
    assert evals.SCOREBOARD.exists()


def _judging_by_keywords():  # type: ignore[no-untyped-def]
    from checker.pipelines.judging import Judging

    return Judging("nli", _Sentences(), KeywordJudge(), None, None, None, {})


# -- the model a local server serves, priced as what it is ------------------------------------


class _Models:
    """A loopback server answering /v1/models as llama.cpp does (one model) or a router (two)."""

    def __init__(self, names: list[str]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        body = json.dumps({"object": "list", "data": [{"id": n, "object": "model"} for n in names]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200 if self.path == "/v1/models" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _model(base_url: str | None, model: str | None = None, key: str | None = None):  # type: ignore[no-untyped-def]
    from checker.llm.chat import make_model

    return make_model(model, base_url, key, temperature=0, timeout=5, max_retries=0, method="auto")


def test_a_base_url_without_a_model_asks_the_server_what_it_serves() -> None:
    from checker.errors import ConfigError

    one, two = _Models(["qwen2.5-coder-1.5b"]), _Models(["a", "b"])
    try:
        assert _model(one.base_url).model == "qwen2.5-coder-1.5b"
        assert _model(one.base_url, model="mine").model == "mine"  # a named model is sent as named
        with pytest.raises(ConfigError, match="serves 2 models"):
            _model(two.base_url)
    finally:
        one.close()
        two.close()
    assert _model(None, key="sk-test").model == "gpt-4o-mini"  # OpenAI's default only for OpenAI


def test_a_local_model_is_free_and_another_providers_model_unknown_never_openais_price() -> None:
    from checker.llm.prices import estimate_cost

    assert estimate_cost("gpt-4o-mini", 1_000_000, 0, "https://api.openai.com/v1") == pytest.approx(0.15)
    assert estimate_cost("gpt-4o-mini", 1_000_000, 0, "http://127.0.0.1:8080/v1") == 0.0
    assert estimate_cost("gpt-4o-mini", 1_000_000, 0, "https://llm.example.org/v1") is None


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ("the LLM call failed: RateLimitError: Error code: 429", "limiting the request rate"),
        ("the LLM call failed: InternalServerError: Error code: 500", "failed (5xx)"),
        ("the LLM call failed: timed out: Request timed out.", "answered too slowly"),
        ("no valid answer after 3 attempts (answer: Field required)", "invalid or cut off"),
        ("the LLM call failed: connection lost: Connection error.", "Is the LLM server running"),
    ],
)
def test_each_llm_fault_gets_the_hint_that_fits_it(error: str, hint: str) -> None:
    from checker.llm.asking import fault_hint

    assert hint in fault_hint(error, "http://127.0.0.1:8080/v1")
    if "connection" not in error:
        assert "Is the LLM server running" not in fault_hint(error, "http://127.0.0.1:8080/v1")


# -- the offline judge says what it cannot read -----------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("claim", "evidence", "language"),
    [
        ("Russian forces have fully withdrawn from Kyiv.", "俄罗斯军队已经从基辅全面撤出。", "Chinese"),
        (
            "Russian forces have fully withdrawn from Kyiv.",
            "Les forces russes se sont entièrement retirées de Kiev, a déclaré le Pentagone.",
            "French",
        ),
        (
            "Les forces russes se sont entièrement retirées de Kiev, a déclaré le Pentagone.",
            "Russian forces have fully withdrawn from Kyiv.",
            "French",
        ),
    ],
)
def test_the_offline_judge_marks_what_it_cannot_read_unscored(claim: str, evidence: str, language: str) -> None:
    from checker.judges.nli import NLIJudge
    from checker.schemas import Claim, Evidence
    from tests.fakes import article

    other = article(evidence, None)
    said = Claim(id="c", article_id="a", text=claim, speaker="A", kind="event", start=0, end=len(claim), source_text=claim)
    passage = Evidence(chunk_id="b:0", text=evidence, start=0, end=len(evidence), score=1.0)
    verdict = NLIJudge().judge(said, article(claim, None, "a"), other, [passage])
    assert verdict.label == "unscored" and "reads English only" in (verdict.error or "") and language in (verdict.error or "")
