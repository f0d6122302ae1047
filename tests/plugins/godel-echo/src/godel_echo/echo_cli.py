"""``python -m godel_echo.echo_cli``: a tiny agent CLI with sessions, for tests and as an example.

Reads the prompt on stdin and answers with it, as JSON lines: ``{"type": "delta", "text": ...}``
while "thinking", then ``{"type": "result", "text": ..., "session_id": ..., "usage": ...}``.
Sessions are files under ``$ECHO_HOME`` (default ``~/.godel-echo``): ``--session-id ID``
starts one, ``--resume ID`` continues one (error if missing), ``--fork-of ID --session-id NEW
[--resume-at N]`` copies the first N turns of ID into NEW.

A prompt line may start with a directive (for tests): ``!sleep S`` (print nothing for S
seconds first), ``!fail MSG`` (the result reports an error), ``!exit N`` (exit N without a
result), ``!json TEXT`` (answer TEXT), ``!history`` (answer with the session's earlier prompts,
joined by `` | ``). A following ``!then TEXT`` line makes TEXT the answer to the session's next
turn, whatever it asks. Every invocation appends its argv and prompt to
``$ECHO_HOME/invocations.jsonl`` so that tests can count what really ran.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def _home() -> Path:
    return Path(os.environ.get("ECHO_HOME") or Path.home() / ".godel-echo")


def _load(session: str) -> dict | None:
    path = _home() / f"{session}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _save(session: str, state: dict) -> None:
    (_home() / f"{session}.json").write_text(json.dumps(state))


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="echo-agent")
    ap.add_argument("--session-id")
    ap.add_argument("--resume")
    ap.add_argument("--fork-of")
    ap.add_argument("--resume-at", type=int)
    ap.add_argument("--model", default="echo-1")
    ap.add_argument("--tag", action="append", default=[])  # for extra_args= (logged in argv)
    args = ap.parse_args(argv)
    prompt = sys.stdin.read()
    _home().mkdir(parents=True, exist_ok=True)
    with open(_home() / "invocations.jsonl", "a") as f:
        record = {"argv": sys.argv[1:], "prompt": prompt, "echo_env": os.environ.get("ECHO_ENV")}
        f.write(json.dumps(record) + "\n")
    if args.resume:
        session, state = args.resume, _load(args.resume)
        if state is None:
            print(f"No conversation found with session ID: {args.resume}", file=sys.stderr)
            return 1
    elif args.fork_of:
        source = _load(args.fork_of)
        if source is None:
            print(f"No conversation found with session ID: {args.fork_of}", file=sys.stderr)
            return 1
        keep = source["turns"][: args.resume_at] if args.resume_at is not None else source["turns"]
        session, state = args.session_id, {"turns": keep, "next": None}
    else:
        session, state = args.session_id, {"turns": [], "next": None}
        if _load(session) is not None:
            print(f"Session ID {session} is already in use", file=sys.stderr)
            return 1
    _emit({"type": "init", "session_id": session, "model": args.model})
    turns = state["turns"]
    lines = prompt.splitlines()
    directive = next((ln for ln in lines if ln.startswith("!") and not ln.startswith("!then ")), "")
    then = next((ln[6:] for ln in lines if ln.startswith("!then ")), None)
    text = prompt if state.get("next") is None else state["next"]
    if directive.startswith("!sleep "):
        time.sleep(float(directive.split()[1]))
    elif directive.startswith("!exit "):
        print("echo-agent: exiting as asked", file=sys.stderr)
        return int(directive.split()[1])
    elif directive.startswith("!fail "):
        _emit({"type": "result", "is_error": True, "error": directive[6:], "session_id": session})
        return 1
    elif directive.startswith("!json "):
        text = directive[6:]
    elif directive == "!history":
        text = " | ".join(turns)
    turns.append(prompt)
    _save(session, {"turns": turns, "next": then})
    for i in range(0, len(text), 64):
        _emit({"type": "delta", "text": text[i : i + 64]})
    _emit(
        {
            "type": "result",
            "text": text,
            "session_id": session,
            "turn": len(turns),
            "usage": {"input_tokens": len(prompt.split()), "output_tokens": len(text.split())},
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
