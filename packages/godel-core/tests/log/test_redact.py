"""Redaction: built-in patterns, secret env vars, redact= patterns and callables, valid JSON always,
and the wiring into the audit log (blobs included), the transcript and runs."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from godel.log.eventlog import EventLog
from godel.log.events import compute_request_hash
from godel.log.redact import (
    ERROR_MARKER,
    MARKER,
    Redactor,
    build_redactor,
    check_patterns,
    is_secret_name,
    secret_env_values,
)
from godel.log.transcript import Transcript

ANTHROPIC = "sk-ant-api03-Q1w2E3r4T5y6U7i8O9p0AaSsDdFfGgHhJjKkLl_-zz"
OPENAI_PROJ = "sk-proj-Abc123Def456Ghi789Jkl012Mno345"
OPENAI_LEGACY = "sk-" + "aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xY2zA4bC6dE8fG0hJ2"
GITHUB = "ghp_Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1Ff0DdSsAaQq"
GITHUB_OAUTH = "gho_Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1Ff0DdSsAaQq"
GITHUB_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123"
AWS = "AKIAIOSFODNN7EXAMPLE"
SLACK = "xoxb-123456789012-abcdefABCDEF"
ENV_SECRET = "envsecret-4f8a9b2c7d"
BUILTIN_SECRETS = [
    ANTHROPIC,
    OPENAI_PROJ,
    OPENAI_LEGACY,
    GITHUB,
    GITHUB_OAUTH,
    GITHUB_PAT,
    AWS,
    SLACK,
]

NO_ENV: dict[str, str] = {}


def red(*patterns: Any, environ: dict[str, str] | None = None, builtin: bool = True) -> Redactor:
    return Redactor(patterns, builtin=builtin, environ=NO_ENV if environ is None else environ)


def line(value: Any, *, ascii_only: bool = True) -> str:
    return json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"))


# built-in patterns -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "kind"),
    [
        (ANTHROPIC, "anthropic_key"),
        (OPENAI_PROJ, "openai_key"),
        (OPENAI_LEGACY, "openai_key"),
        (GITHUB, "github_token"),
        (GITHUB_OAUTH, "github_token"),
        (GITHUB_PAT, "github_token"),
        (AWS, "aws_key"),
        (SLACK, "slack_token"),
        ("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPrivate\n-----END EC PRIVATE KEY-----", "pem"),
        (
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXsecretArmor\n=x1Y2\n"
            "-----END PGP PRIVATE KEY BLOCK-----",
            "pem",
        ),
    ],
)
def test_builtin_token_patterns(secret, kind):
    r = red()
    text = f"token: {secret} (end)"
    assert r.redact_text(text) == f"token: [REDACTED:{kind}] (end)"
    out = r.redact_json(line({"cmd": ["echo", secret], "n": 1}))
    assert json.loads(out) == {"cmd": ["echo", f"[REDACTED:{kind}]"], "n": 1}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "Authorization: Bearer eyJhbGciOi.JIUzI1NiJ9.sig-nature",
            "eyJhbGciOi.JIUzI1NiJ9.sig-nature",
        ),
        ("authorization=Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("AUTHORIZATION: token 0123456789abcdef", "0123456789abcdef"),
        ("x-api-key: k-1234567890", "k-1234567890"),
        ("X-Api-Key=k-1234567890", "k-1234567890"),
        ("X-API-Key: k-1234567890", "k-1234567890"),  # the probe missed these two spellings
        ('{"X-API-key": "k-1234567890"}', "k-1234567890"),
    ],
)
def test_header_values_are_redacted_and_the_header_name_kept(text, value):
    out = red().redact_text(text)
    assert out == text.replace(
        value, "[REDACTED:authorization]" if "uth" in text.lower() else "[REDACTED:api_key]"
    )


def test_authorization_in_json_form_and_json_inside_a_string():
    r = red()
    direct = json.loads(r.redact_json(line({"headers": {"authorization": "Bearer abc.def.ghi"}})))
    assert direct == {"headers": {"authorization": "Bearer [REDACTED:authorization]"}}
    nested = json.dumps({"Authorization": "Basic dXNlcjpwYXNz", "x-api-key": "abcd1234"})
    out = json.loads(r.redact_json(line({"stdout": nested})))
    assert json.loads(out["stdout"]) == {
        "Authorization": "Basic [REDACTED:authorization]",
        "x-api-key": "[REDACTED:api_key]",
    }


@pytest.mark.parametrize(
    "text",
    [
        "task-runner-configuration-file-v2-abcdefghijkl",  # "sk-" inside a kebab-case word
        "sk-short",
        "ghp_short",
        "AKIA123",
        "Authorization required",
        "xoxb-",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # a sha256
        "01M8639Z28BQHJPSRTQ2BNZX0A",  # a ULID
    ],
)
def test_ordinary_text_is_left_alone(text):
    r = red()
    assert r.redact_text(text) == text
    encoded = line({"v": text})
    assert r.redact_json(encoded) is encoded


def test_godel_redact_0_turns_the_builtins_off_but_not_the_workflows_patterns(monkeypatch):
    monkeypatch.setenv("GODEL_REDACT", "0")
    monkeypatch.setenv("MY_API_KEY", ENV_SECRET)
    assert build_redactor().active is False
    r = build_redactor([r"ACME-\d{4}"])
    assert (
        r.redact_text(f"{ANTHROPIC} {ENV_SECRET} ACME-1234") == f"{ANTHROPIC} {ENV_SECRET} {MARKER}"
    )
    monkeypatch.setenv("GODEL_REDACT", "1")
    assert build_redactor().redact_text(ANTHROPIC) == "[REDACTED:anthropic_key]"


# secret environment variables -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("OPENAI_API_KEY", True),
        ("GITHUB_TOKEN", True),
        ("MY_SECRET", True),
        ("DB_PASSWORD", True),
        ("PASSWORD_FILE", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("API_KEY", True),
        ("TOKEN", True),
        ("TOKENIZERS_PARALLELISM", False),
        ("PATH", False),
        ("HOME", False),
        ("SSH_AUTH_SOCK", False),
        ("GODEL_RUNS_DIR", False),
        ("KEYBOARD", False),
    ],
)
def test_which_environment_variable_names_are_secret(name, secret):
    assert is_secret_name(name) is secret


def test_env_secret_values_are_redacted_if_long_enough():
    environ = {
        "SERVICE_TOKEN": ENV_SECRET,
        "SHORT_TOKEN": "abc123",
        "EDITOR": "vim-is-not-a-secret",
    }
    assert [n for n, _ in secret_env_values(environ)] == ["SERVICE_TOKEN"]
    r = red(environ=environ)
    assert r.redact_text(f"echo {ENV_SECRET} abc123 vim-is-not-a-secret") == (
        "echo [REDACTED:env:SERVICE_TOKEN] abc123 vim-is-not-a-secret"
    )


@pytest.mark.parametrize(
    "value", ['pa"ss\\word-9', "pässwörd-é✓1", "tab\there-and-more", "new\nline-secret"]
)
def test_env_values_needing_json_escapes_are_found_in_both_encodings(value):
    r = red(environ={"DB_PASSWORD": value})
    for ascii_only in (True, False):
        out = r.redact_json(line({"stdout": f"x {value} y"}, ascii_only=ascii_only))
        assert json.loads(out) == {"stdout": "x [REDACTED:env:DB_PASSWORD] y"}


# the workflow's own patterns -----------------------------------------------------------------


def test_regex_strings_compiled_patterns_and_the_secret_group():
    r = red(
        r"ACME-\d{6}", re.compile(r"internal-host-[a-z]+", re.I), r"password=(?P<secret>[^\s&]+)"
    )
    text = "ACME-123456 Internal-Host-ALPHA login?user=bob&password=hunter2&x=1"
    assert r.redact_text(text) == f"{MARKER} {MARKER} login?user=bob&password={MARKER}&x=1"


def test_callables_see_each_string_and_run_before_the_regexes():
    seen: list[str] = []

    def upper_secret(text: str) -> str:
        seen.append(text)
        return text.replace("hunter2", "ACME-999999")

    r = red(upper_secret, r"ACME-\d{6}")
    value = {"a": "pw hunter2", "b": ["x", 3, None], "hunter2": True}
    assert r.redact_object(value) == {"a": f"pw {MARKER}", "b": ["x", 3, None], "hunter2": True}
    assert sorted(seen) == ["pw hunter2", "x"]  # values only: keys are structure


def test_a_failing_callable_never_lets_the_text_through():
    def boom(text: str) -> str:
        if "secret" in text:
            raise ValueError(text)  # the message holds the secret: it must not be written either
        return text

    def not_a_string(text: str) -> Any:
        return None

    failures: list[tuple[str, str]] = []
    r = red(boom, builtin=False)
    assert r.apply_callables({"k": "the secret", "o": "ok"}, failures) == {
        "k": ERROR_MARKER,
        "o": "ok",
    }
    assert failures == [("boom", "ValueError")]
    failures = []
    assert red(not_a_string, builtin=False).apply_callables("x", failures) == ERROR_MARKER
    assert failures == [("not_a_string", "TypeError")]


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        (42, TypeError),
        ("(unclosed", ValueError),
        ("", ValueError),
        (re.compile(b"x"), TypeError),
        (lambda a, b: a, TypeError),
        (lambda: "x", TypeError),
    ],
)
def test_invalid_redact_entries_are_rejected(entry, error):
    with pytest.raises(error, match=r"redact\[0\]"):
        check_patterns([entry])


def test_workflow_decorator_validates_redact():
    from godel import workflow

    with pytest.raises(TypeError, match=r"@workflow redact\[1\]"):
        workflow(redact=["ok", 3])
    with pytest.raises(ValueError, match="not a valid regular expression"):
        workflow(redact=["("])
    assert workflow(redact=[str.lower, "x+", re.compile("y")])


# JSON validity -------------------------------------------------------------------------------


def test_a_match_never_leaves_its_string_nor_splits_an_escape():
    # A pattern that runs on across quotes and escapes is cut to the string it started in.
    r = red(r"token=(?P<secret>.*)", builtin=False)
    out = r.redact_json(line({"a": 'token=abc\n"def"', "b": "keep", "c": "token=x"}))
    assert json.loads(out) == {"a": f"token={MARKER}", "b": "keep", "c": f"token={MARKER}"}
    # Matching the "n" of a \n escape takes the whole escape, never half of it.
    r = red(r"n[a-z]{7}", builtin=False)
    for ascii_only in (True, False):
        out = r.redact_json(line({"a": "x\nightlyxx", "b": "é\u00e9"}, ascii_only=ascii_only))
        assert json.loads(out)["b"] == "é\u00e9"
    # Numbers, true/false/null and keys are not text.
    r = red(r"\d{4,}|true|null|stdout", builtin=False)
    out = r.redact_json(
        line({"n": 123456, "t": True, "z": None, "s": "id 98765", "stdout": "stdout"})
    )
    assert json.loads(out) == {
        "n": 123456,
        "t": True,
        "z": None,
        "s": f"id {MARKER}",
        "stdout": MARKER,
    }
    spaced = json.dumps({"stdout": "x", "l": ["stdout", "a"]})  # ", " and ": " separators
    assert json.loads(r.redact_json(spaced)) == {"stdout": "x", "l": [MARKER, "a"]}


def test_after_and_before_limit_redaction_to_a_region():
    r = red(r"step_[a-z]+", builtin=False)
    text = '{"step_path":["step_one"],"request":{"x":"step_two"},"status":"step_three"}'
    out = r.redact_json(text, after=',"request":', before=',"status":"')
    assert json.loads(out) == {
        "step_path": ["step_one"],
        "request": {"x": MARKER},
        "status": "step_three",
    }


SECRET_POOL = [
    *BUILTIN_SECRETS,
    ENV_SECRET,
    'we"ird\\pass-1',
    "ACME-424242",
    "Authorization: Bearer tok.en-123",
]
SECRET_TEXT = [*BUILTIN_SECRETS, ENV_SECRET, 'we"ird\\pass-1', "ACME-424242", "tok.en-123"]

_plain = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_sep = st.sampled_from(
    [" ", "\n", "\t", "\\", '"', "=", ":", "/", "é", "\u2028", "\x00", "'", ",", ""]
)


@st.composite
def text_with_secrets(draw: Any) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        before = draw(_plain)
        # Separate the secret from letters and digits, as real secrets are (a token running on
        # into more token characters is redacted whole, which the final check also allows).
        parts += [before, draw(_sep), " ", draw(st.sampled_from(SECRET_POOL)), " ", draw(_sep)]
    parts.append(draw(_plain))
    return "".join(parts)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text_with_secrets(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return "str" if isinstance(value, str) else value


REDACTOR = red(r"ACME-\d{6}", environ={"MY_API_KEY": ENV_SECRET, "DB_PASSWORD": 'we"ird\\pass-1'})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values, ascii_only=st.booleans())
def test_property_redacted_lines_stay_valid_json_and_hold_no_secret(value, ascii_only):
    encoded = line({"event": {"seq": 1, "value": value}}, ascii_only=ascii_only)
    out = REDACTOR.redact_json(encoded)
    back = json.loads(out)  # still valid JSON
    assert back["event"]["seq"] == 1
    assert _shape(back) == _shape(json.loads(encoded))  # only string contents changed
    for secret in SECRET_TEXT:
        for s in _strings(back):
            assert secret not in s


# the audit log --------------------------------------------------------------------------------


def test_the_log_never_writes_a_secret_but_hashes_the_full_request(tmp_path):
    r = red(r"ACME-\d{6}", environ={"SERVICE_TOKEN": ENV_SECRET})
    log = EventLog.create(tmp_path, "R1", redactor=r)
    request = {"cmd": ["echo", ANTHROPIC, "ACME-123456"], "env": {"T": ENV_SECRET}}
    ev = log.start("run", request=request, step_path=("build",))
    log.finish(ev, {"stdout": f"{GITHUB}\n", "stderr": "", "returncode": 0})
    big = "x" * 5000 + f" {AWS} " + "y" * 100  # large: moved to the blob sidecar
    ev2 = log.record("run", request={"cmd": "cat big"}, response={"stdout": big})
    failed = log.start("run", request={"cmd": "false"})
    log.fail(failed, RuntimeError(f"boom {SLACK}"), traceback=f"Traceback: {SLACK}")
    log.close()
    assert ev.request_hash == compute_request_hash(request)  # of the request as it was
    assert ev.request["cmd"][1] == ANTHROPIC  # the in-memory event is untouched
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any("blobs" in p.parts for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in (ANTHROPIC, "ACME-123456", ENV_SECRET, GITHUB, AWS, SLACK):
            assert secret.encode() not in data, (path, secret)
    loaded = EventLog.load("R1", tmp_path)
    first = loaded.get(ev.event_id)
    assert first.request["cmd"] == ["echo", "[REDACTED:anthropic_key]", MARKER]
    assert first.request["env"] == {"T": "[REDACTED:env:SERVICE_TOKEN]"}
    assert first.response["stdout"] == "[REDACTED:github_token]\n"
    assert first.request_hash == compute_request_hash(request)
    assert (
        loaded.get(ev2.event_id).response["stdout"]
        == "x" * 5000 + " [REDACTED:aws_key] " + "y" * 100
    )
    assert loaded.get(failed.event_id).response["error"] == "boom [REDACTED:slack_token]"


def test_the_log_keeps_its_own_structure_out_of_redaction(tmp_path):
    # A pattern that matches step names, ops and ids must not corrupt the line's identity.
    r = red(r"deploy|run|R1|\d+", builtin=False)
    log = EventLog.create(tmp_path, "R1", redactor=r)
    ev = log.record("run", request={"x": "deploy"}, response={"y": "run 42"}, step_path=("deploy",))
    log.close()
    got = EventLog.load("R1", tmp_path).get(ev.event_id)
    assert (got.op, got.step_path, got.run_id) == ("run", ("deploy",), "R1")
    assert got.request == {"x": MARKER} and got.response == {"y": f"{MARKER} {MARKER}"}


@pytest.mark.parametrize("big", [False, True])
@pytest.mark.parametrize("how", ["regex", "callable"])
def test_the_identifiers_resume_reads_back_are_never_redacted(tmp_path, big, how):
    # A user's pattern matching digits redacted parts of an agent call's session id (a UUID)
    # and of a step's source hash: resume then resumed a session that did not exist.
    session = "b62d3456-e123-4567-91f7-7fa60fbba76a"
    rx = r"\d{3,}|deploy|new"
    pattern = rx if how == "regex" else (lambda text: re.sub(rx, "#", text))
    log = EventLog.create(tmp_path, "R1", redactor=red(pattern, builtin=False))
    pad = "x" * (6000 if big else 10)  # big: the blob sidecar's path
    request = {
        "prompt": f"call 12345 {pad}",
        "session_id": session,
        "session_mode": "new",
        "fork_of": session,
    }
    ev = log.record(
        "agent.call",
        request=request,
        response={"text": f"ok 12345 {pad}", "session_id": session, "cursor": "12345"},
    )
    step = log.record("step.enter", request={"name": "s", "source_hash": "0123456789abcdef"})
    root = log.record("WORKFLOW_STARTED", request={"function": "deploy", "args": ["deploy"]})
    log.close()
    loaded = EventLog.load("R1", tmp_path)
    got = loaded.get(ev.event_id)
    assert got.request["session_id"] == got.request["fork_of"] == session
    assert got.response["session_id"] == session and got.response["cursor"] == "12345"
    assert "12345" not in got.request["prompt"] and "12345" not in got.response["text"]
    assert got.request["session_mode"] == "new"
    assert loaded.get(step.event_id).request["source_hash"] == "0123456789abcdef"
    assert loaded.get(root.event_id).request["function"] == "deploy"
    assert loaded.get(root.event_id).request["args"] != ["deploy"]  # user data: redacted
    assert got.request_hash == compute_request_hash(request)


def test_a_failing_callable_in_the_log_writes_the_error_marker(tmp_path):
    def boom(text: str) -> str:
        raise RuntimeError("no")

    log = EventLog.create(tmp_path, "R1", redactor=red(boom, builtin=False))
    ev = log.record("print", request={"text": "the secret"}, response={"n": 1, "s": "secret 2"})
    log.close()
    assert "secret" not in (tmp_path / "R1.jsonl").read_text()
    got = EventLog.load("R1", tmp_path).get(ev.event_id)
    assert got.request == {"text": ERROR_MARKER} and got.response == {"n": 1, "s": ERROR_MARKER}


def test_logs_redact_with_the_builtins_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("GODEL_REDACT", raising=False)
    log = EventLog.create(tmp_path, "R1")
    log.record("print", request={"text": GITHUB})
    log.close()
    assert GITHUB not in (tmp_path / "R1.jsonl").read_text()


# the transcript ------------------------------------------------------------------------------


def test_the_transcript_redacts_fields_but_not_its_structure(tmp_path):
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R", redactor=red(r"step\w*", environ={"MY_TOKEN": ENV_SECRET})) as t:
        t.write(
            "stdout",
            step_path=("step_a",),
            stream_path=["L"],
            line=f"{ENV_SECRET} steps ✓ {ANTHROPIC}",
        )
    text = path.read_text(encoding="utf-8")
    assert ENV_SECRET not in text and ANTHROPIC not in text
    event = json.loads(text.splitlines()[1])["event"]
    assert event["step_path"] == ["step_a"] and event["op"] == "stdout"
    assert event["line"] == f"[REDACTED:env:MY_TOKEN] {MARKER} ✓ [REDACTED:anthropic_key]"


def test_a_failing_callable_replaces_the_transcript_event_with_a_sentinel(tmp_path):
    def fragile(text: str) -> str:
        raise KeyError(text)

    path = tmp_path / "t.jsonl"
    with Transcript(path, "R", redactor=red(fragile, builtin=False)) as t:
        assert t.write("stdout", step_path=("s",), stream_path=["L"], line="the secret") == 1
        assert t.write("stdout", line="more") == 2
    text = path.read_text()
    assert "secret" not in text and "more" not in text
    event = json.loads(text.splitlines()[1])["event"]
    assert {
        k: event[k] for k in ("seq", "op", "step_path", "stream_path", "redactor", "error_class")
    } == {
        "seq": 1,
        "op": "redactor.error",
        "step_path": ["s"],
        "stream_path": ["L"],
        "redactor": "fragile",
        "error_class": "KeyError",
    }
    assert "line" not in event


PEM_LINES = [
    "-----BEGIN RSA PRIVATE KEY-----",
    "MIIEpAIBAAKCAQEAmiddlelineOne",
    "MIIEsecondMiddleLineTwo",
    "-----END RSA PRIVATE KEY-----",
]


def test_an_armored_pgp_private_key_is_redacted_line_by_line_in_the_transcript(tmp_path):
    path = tmp_path / "t.jsonl"
    key = ["-----BEGIN PGP PRIVATE KEY BLOCK-----", "", "lQOYBGXsecretArmor", "=x1Y2"]
    with Transcript(path, "R", redactor=red()) as t:
        for text in [*key, "-----END PGP PRIVATE KEY BLOCK-----", "after"]:
            t.write("stdout", stream_path=["C"], line=text)
    text = path.read_text()
    assert "secretArmor" not in text and "x1Y2" not in text and '"after"' in text


@pytest.mark.parametrize("size", [1, 5, 64])
def test_a_secret_streamed_in_pieces_is_redacted_whole(tmp_path, size):
    # Models stream their answers a few characters at a time: a secret split over several
    # agent.response deltas matched no pattern piece by piece, and leaked.
    answer = f"use {ANTHROPIC} and ACME-123456 at postgres://u:hunter2pass@db/x\n" + "\n".join(
        PEM_LINES
    )
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R", redactor=red(r"ACME-\d{6}")) as t:
        for i in range(0, len(answer), size):
            t.write("agent.thought", stream_path=["A"], text=answer[i : i + size])
        for i in range(0, len(answer), size):
            t.write("agent.response", stream_path=["A"], text=answer[i : i + size])
        t.write("agent.result", stream_path=["A"], text="done")
    text = path.read_text()
    for secret in (ANTHROPIC[10:], "ACME", "hunter2pass", "lineOne", "LineTwo"):
        assert secret not in text
    events = [e["event"] for e in read(path)[1:]]
    ops = [e["op"] for e in events]
    # Whole lines, in order: the thought before the answer, then the result.
    assert [op for op, _ in itertools.groupby(ops)] == [
        "agent.thought",
        "agent.response",
        "agent.result",
    ]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    streamed = "".join(e["text"] for e in events if e["op"] == "agent.response")
    assert streamed.startswith("use [REDACTED:anthropic_key] and [REDACTED] at postgres://u:")
    assert streamed.endswith("[REDACTED:pem]")


def test_held_streamed_text_is_written_at_close_and_before_the_end_of_the_run(tmp_path):
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R", redactor=red()) as t:
        assert t.write("agent.response", stream_path=["A"], text="no line end ") == 0
        t.write("print", text="other streams do not flush it")
        t.write("agent.response", stream_path=["B"], text="held")
        t.write("WORKFLOW_FINISHED", status="FINISHED")
        t.write("agent.response", stream_path=["A"], text="at close")
    events = [e["event"] for e in read(path)[1:]]
    assert [(e["op"], e.get("text")) for e in events] == [
        ("print", "other streams do not flush it"),
        ("agent.response", "no line end "),
        ("agent.response", "held"),
        ("WORKFLOW_FINISHED", None),
        ("agent.response", "at close"),
    ]


def test_a_long_streamed_line_is_cut_at_a_space(tmp_path):
    path = tmp_path / "t.jsonl"
    words = [f"w{i:05d}" for i in range(3000)]  # 21 000 characters, no line end
    with Transcript(path, "R", redactor=red()) as t:
        for w in words:
            t.write("agent.response", stream_path=["A"], text=w + " ")
        written = [e["event"]["text"] for e in read(path)[1:]]
    assert written and all(len(x) <= 8200 and x.endswith(" ") for x in written)
    assert "".join(e["event"]["text"] for e in read(path)[1:]) == " ".join(words) + " "


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


# runs ----------------------------------------------------------------------------------------


def _all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_a_workflow_run_redacts_everything_it_writes_and_replays_by_hash(
    runs_dir, run_wf, monkeypatch, tmp_path
):
    from godel import det, run, step, workflow, write_text
    from godel import print as gprint
    from godel.engine.workflow import resume

    monkeypatch.setenv("DEPLOY_TOKEN", ENV_SECRET)
    monkeypatch.delenv("GODEL_REDACT", raising=False)
    calls: list[str] = []

    @step
    async def use(token: str) -> str:
        calls.append(token)
        out = await run(["echo", token, "ACME-777777"])
        await gprint("printed", ENV_SECRET)
        await write_text(tmp_path / "out.txt", f"wrote {token}")
        picked = det.choice([f"picked {token}"])
        return out.stdout + picked

    from godel import WorkflowFail

    stop = [True]  # the first run fails after its work: a finished run is not replayed

    @workflow(redact=[r"ACME-\d{6}"])
    async def wf(token: str) -> str:
        result = await use(GITHUB) + token
        if stop:
            stop.pop()
            raise WorkflowFail("stopped before the end")
        return result

    with pytest.raises(WorkflowFail) as info:
        run_wf(wf, "plain", transcript=True)
    run_id = info.value.run_id
    assert calls == [GITHUB]
    data = _all_bytes(runs_dir)
    for secret in (GITHUB, ENV_SECRET, "ACME-777777"):
        assert secret.encode() not in data
    assert (
        tmp_path / "out.txt"
    ).read_text() == f"wrote {GITHUB}"  # the user's own files are theirs

    # Resume (everything is cached): the step's request matches by hash, nothing runs again,
    # and recorded answers come back redacted.
    replayed = anyio_run(resume, wf, run_id, runs_dir=runs_dir)
    assert calls == [GITHUB, GITHUB]  # the step body runs again; its primitives replay
    # (det.choice records the index it picked, so its value comes from the live options)
    assert replayed == f"[REDACTED:github_token] [REDACTED]\npicked {GITHUB}plain"
    runs = [e for e in EventLog.load(run_id, runs_dir).events if e.op == "run"]
    assert len(runs) == 1


def anyio_run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    import functools

    import anyio

    return anyio.run(functools.partial(fn, *args, **kwargs))


def test_resume_refuses_arguments_that_were_redacted(runs_dir, run_wf):
    from godel import WorkflowFail, workflow
    from godel.engine.workflow import resume
    from godel.exceptions import ResumeError

    stop = [True]  # the first run fails after its work: a finished run is not replayed

    @workflow
    async def wf(token: str) -> int:
        if stop:
            stop.pop()
            raise WorkflowFail("stopped before the end")
        return len(token)

    with pytest.raises(WorkflowFail) as info:
        run_wf(wf, GITHUB)
    run_id = info.value.run_id
    with pytest.raises(ResumeError, match="redacted"):
        anyio_run(resume, wf, run_id, runs_dir=runs_dir)
    assert anyio_run(resume, wf, run_id, runs_dir=runs_dir, args=(GITHUB,)) == len(GITHUB)


def test_with_secrets_adds_new_secret_variables_and_keeps_the_old_ones() -> None:
    from godel.log.redact import Redactor

    base = Redactor(environ={"DEPLOY_TOKEN": "old-value-1234"})
    assert base.with_secrets({"PATH": "/usr/bin:/bin", "SHORT_TOKEN": "x"}) is base
    assert base.with_secrets({"DEPLOY_TOKEN": "old-value-1234"}) is base
    more = base.with_secrets({"DEPLOY_TOKEN": "new-value-5678", "GH_TOKEN": "gh-value-9012"})
    text = '{"a":"old-value-1234 new-value-5678 gh-value-9012"}'
    assert more.redact_json(text) == (
        '{"a":"[REDACTED:env:DEPLOY_TOKEN] [REDACTED:env:DEPLOY_TOKEN] [REDACTED:env:GH_TOKEN]"}'
    )
    assert more.with_secrets({"GH_TOKEN": "gh-value-9012"}) is more
    off = Redactor(builtin=False, environ={})
    assert off.with_secrets({"GH_TOKEN": "gh-value-9012"}) is off
