"""Secrets never reach the runs directory: `godel run` and `godel resume` in a subprocess.

A workflow puts an Anthropic key, a GitHub token, the value of a secret environment variable
and a `redact=` pattern's match through every way text reaches disk: a command line and its
output (small, and large enough for the blob sidecar), a failing command's stderr, captured
stdout, `print`, `write_text` content, a det value, a step argument and the run's own error.
Afterwards no file under runs/ holds any of them, and the run resumes from its cache.
"""

from __future__ import annotations

import json
from pathlib import Path

ANTHROPIC = "sk-ant-api03-Q1w2E3r4T5y6U7i8O9p0AaSsDdFfGgHhJjKkLl"
GITHUB = "ghp_Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1Ff0DdSsAaQq"
ENV_SECRET = "envsecret-4f8a9b2c7d1e"
CUSTOM = "ACME-7391046285"
SECRETS = (ANTHROPIC, GITHUB, ENV_SECRET, CUSTOM)

WORKFLOW = f"""
import os
import godel
from godel import CommandFailure, WorkflowFail, det, run, step, workflow, write_text

ANTHROPIC = {ANTHROPIC!r}
GITHUB = {GITHUB!r}
CUSTOM = {CUSTOM!r}


@step(capture_stdout=True)
async def use(token, n):
    print("captured", token, CUSTOM)
    await run(["echo", ANTHROPIC, token, CUSTOM])
    await run(["sh", "-c", 'echo "env: $DEPLOY_TOKEN"'])
    await run(["sh", "-c", 'head -c 6000 /dev/zero | tr "\\\\0" x; echo; echo big ' + ANTHROPIC])
    try:
        await run(["sh", "-c", "echo bad " + token + " >&2; exit 3"])
    except CommandFailure:
        pass
    await godel.print("printing", ANTHROPIC, CUSTOM)
    await write_text(os.path.join(os.environ["OUT_DIR"], "f.txt"), "content " + token + " " + CUSTOM)
    picked = det.choice([ANTHROPIC])
    return picked[:6] + str(n)


@workflow(redact=[r"ACME-\\d{{10}}"])
async def main():
    result = await use(GITHUB, 1)
    if os.environ.get("SECOND_ATTEMPT") != "1":
        raise WorkflowFail("first attempt fails with " + ANTHROPIC + " " + os.environ["DEPLOY_TOKEN"])
    await godel.print("result", result)
    return result
"""


def secret_hits(root: Path) -> list[tuple[str, str]]:
    hits = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hits += [(str(path.relative_to(root)), s) for s in SECRETS if s.encode() in data]
    return hits


def events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()[1:]]


def test_no_secret_reaches_the_runs_directory_and_the_run_resumes(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = {"DEPLOY_TOKEN": ENV_SECRET, "OUT_DIR": str(out_dir)}

    first = godel_run("run", "wf.py", env=env)
    assert first.returncode == 1, first.stderr
    runs = tmp_path / "runs"
    (log,) = runs.glob("*.jsonl")
    run_id = log.stem
    assert list((runs / run_id / "blobs").iterdir()), "the large output went to the blob sidecar"
    assert (runs / run_id / "transcript.jsonl").is_file()
    assert secret_hits(runs) == []
    assert GITHUB in (out_dir / "f.txt").read_text()  # the workflow's own files are its business

    lines = events(log)
    by_op = {}
    for ev in lines:
        by_op.setdefault(ev["op"], []).append(ev)
    echo = next(
        ev
        for ev in by_op["run"]
        if ev["request"]["cmd"][0] == "echo" and ev["status"] == "FINISHED"
    )
    assert echo["request"]["cmd"] == [
        "echo",
        "[REDACTED:anthropic_key]",
        "[REDACTED:github_token]",
        "[REDACTED]",
    ]
    env_echo = next(
        ev for ev in by_op["run"] if "DEPLOY_TOKEN" in str(ev["request"]["cmd"]) and ev["response"]
    )
    assert env_echo["response"]["stdout"] == "env: [REDACTED:env:DEPLOY_TOKEN]\n"
    failed = next(ev for ev in by_op["run"] if ev["status"] == "FAILED")
    assert failed["response"]["stderr"] == "bad [REDACTED:github_token]\n"
    step_enter = by_op["step.enter"][0]
    assert step_enter["request"]["args"] == ["[REDACTED:github_token]", 1]
    root = [ev for ev in by_op["WORKFLOW_STARTED"] if ev["status"] == "FAILED"][-1]
    assert "[REDACTED:anthropic_key] [REDACTED:env:DEPLOY_TOKEN]" in root["response"]["error"]
    assert "[REDACTED:anthropic_key]" in root["response"]["traceback"]
    transcript = (runs / run_id / "transcript.jsonl").read_text()
    assert "captured [REDACTED:github_token] [REDACTED]" in transcript

    # Resume: the step's request (with the real token) matches the redacted record by hash, so
    # every recorded effect replays; only the failed command runs again.
    second = godel_run("resume", run_id, env={**env, "SECOND_ATTEMPT": "1"})
    assert second.returncode == 0, second.stderr
    assert secret_hits(runs) == []
    after = events(log)
    resume = next(ev for ev in after if ev["op"] == "RESUME")
    assert resume["response"]["cached_events"] >= 7
    new = after[len(lines) :]
    assert not [ev for ev in new if ev["op"] == "run" and ev["request"]["cmd"][0] == "echo"]
    assert not [ev for ev in new if ev["op"] in ("write_text", "det.choice")]
    printed = {ev["event_id"]: ev["request"]["text"] for ev in new if ev["op"] == "print"}
    assert list(printed.values()) == ["result sk-ant1\n"]
    assert "[godel] resumed run completed" in second.stderr


PEM_BODY = [
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    "q9w8e7r6t5y4u3i2o1p0ZaXsCdVfBgNhMjK9l8k7j6h5g4f3d2s1",
]
PEM = "\n".join(["-----BEGIN PRIVATE KEY-----", *PEM_BODY, "-----END PRIVATE KEY-----"])
CREDENTIALS = {
    "DATABASE_URL": "postgres://app:pg-pass-2931@db.internal/app",
    "GCP_CREDENTIALS": "gcp-credentials-8841",
    "STRIPE_KEY": "sk_live_stripe_5521",
    "MY_OWN_THING": "own-secret-7712",  # named by GODEL_REDACT
}

PEM_WORKFLOW = """
import os
from godel import run, step, workflow

@step(capture_stdout=True)
async def leak():
    await run(["sh", "-c", 'printf "%s\\\\n" "$PEM_SECRET"'])
    await run(["cat", os.environ["PEM_FILE"]])
    print(open(os.environ["PEM_FILE"]).read())
    await run(["sh", "-c", 'echo "$DATABASE_URL $GCP_CREDENTIALS $STRIPE_KEY $MY_OWN_THING"'])
    await run(["echo", "mysql://root:" + "url-pass-4410" + "@localhost/db"])

@workflow
async def main():
    await leak()
"""


def test_multi_line_secrets_and_credentials_are_redacted_everywhere(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(PEM_WORKFLOW)
    key_file = tmp_path / "key.pem"
    key_file.write_text(PEM.replace("PRIVATE KEY", "RSA PRIVATE KEY") + "\n")
    env = {
        "PEM_SECRET": PEM,
        "PEM_FILE": str(key_file),
        "GODEL_REDACT": "MY_OWN_THING",
        **CREDENTIALS,
    }
    done = godel_run("run", "wf.py", "--no-strict", env=env)
    assert done.returncode == 0, done.stderr
    runs = tmp_path / "runs"
    leaked = [
        (str(path.relative_to(runs)), secret)
        for path in runs.rglob("*")
        if path.is_file()
        for secret in [*PEM_BODY, *CREDENTIALS.values(), "pg-pass-2931", "url-pass-4410"]
        if secret.encode() in path.read_bytes()
    ]
    assert leaked == []
    transcript = (next(runs.glob("*/transcript.jsonl"))).read_text()
    assert "[REDACTED:env:PEM_SECRET]" in transcript and "[REDACTED:pem]" in transcript
    assert "[REDACTED:env:MY_OWN_THING]" in transcript and "[REDACTED:url_password]" in transcript


GIVEN = "given-Lw0qPz8XnB3vR6tY"
CONFIGURED = "configured-Kk83hdHHq0zzPq12"


def test_secrets_given_to_commands_through_env_are_redacted(godel_run, tmp_path):
    """A command's ``run(env={...})`` and the configuration's ``env`` bring secrets that are in
    no environment when the run starts: both are caught from the call on."""
    (tmp_path / ".godel").mkdir()
    (tmp_path / ".godel" / "settings.json").write_text(
        json.dumps({"runs_dir": "runs", "env": {"SVC_API_KEY": CONFIGURED}})
    )
    (tmp_path / "wf.py").write_text(
        "from godel import run, step, workflow\n\n\n"
        "@step\nasync def echo():\n"
        f"    given = await run(['sh', '-c', 'echo $DEPLOY_TOKEN'], env={{'DEPLOY_TOKEN': {GIVEN!r}}})\n"
        "    configured = await run(['sh', '-c', 'echo $SVC_API_KEY'])\n"
        "    return given.stdout + configured.stdout\n\n\n"
        "@workflow\nasync def main():\n    return await echo()\n"
    )
    done = godel_run("run", "wf.py", env={"HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    runs = tmp_path / "runs"
    (log,) = runs.glob("*.jsonl")
    files = [p for p in runs.rglob("*") if p.is_file()]
    assert any(p.name == "transcript.jsonl" for p in files)
    assert not [p for p in files if GIVEN.encode() in p.read_bytes()]
    assert not [p for p in files if CONFIGURED.encode() in p.read_bytes()]
    given = next(
        ev
        for ev in events(log)
        if ev["op"] == "run" and (ev["request"]["env"] or {}) and ev["response"]
    )
    assert given["request"]["env"] == {"DEPLOY_TOKEN": "[REDACTED:env:DEPLOY_TOKEN]"}
    assert given["response"]["stdout"] == "[REDACTED:env:DEPLOY_TOKEN]\n"
    result = next(ev for ev in events(log) if ev["op"] == "step.enter" and ev["response"])
    assert result["response"]["result"] == (
        "[REDACTED:env:DEPLOY_TOKEN]\n[REDACTED:env:SVC_API_KEY]\n"
    )
