"""Redaction: secrets are replaced by ``[REDACTED:kind]`` before a line reaches disk.

Every line of the audit log (``runs/<run_id>.jsonl``, its blob sidecar included) and of the
transcript (``runs/<run_id>/transcript.jsonl``) passes through one ``Redactor``. What it looks for:

- built-in patterns (on unless ``GODEL_REDACT=0``): Anthropic keys (``sk-ant-...``), OpenAI keys
  (``sk-proj-...``, ``sk-svcacct-...``, ``sk-admin-...``, legacy ``sk-`` + 32 or more mixed-case
  letters and digits), GitHub tokens (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``,
  ``github_pat_``), AWS access key ids (``AKIA...``, ``ASIA...``), Slack tokens (``xox[abprs]-``),
  the value of an ``Authorization`` header (``Bearer``/``Basic``/``token`` ...; as a header line,
  as JSON ``"authorization": "Bearer ..."``, or JSON inside a string) and of ``x-api-key``;
- the literal values of environment variables whose names look secret (``*_API_KEY``,
  ``*_TOKEN``, ``*_SECRET``, ``*PASSWORD*`` ...) and that are at least 8 characters long, read
  when the redactor is built (at the start of a run);
- the workflow's own ``@workflow(redact=[...])`` entries: regular expressions (strings or
  compiled patterns; the whole match is replaced, or only the group named ``secret`` when the
  pattern has one) and callables ``str -> str`` (called on every string value, before the
  regexes).

How it stays cheap and safe. Patterns are matched against the *encoded* JSON text of a line.
The built-in ones are found through a few literal scans ("probes") and one compiled
alternation tried only where a probe hit, so a line without a secret costs a few µs. A match
is used only where it lies inside a JSON string value, is clipped to that string, and never
splits an escape sequence; the marker contains no quote or backslash, so a redacted line is
always valid JSON. Object keys, numbers, ``true``/``false``/``null`` and the line's own
structure (ids, hashes, times, op, step paths) are never touched, so a pattern cannot break
what replay reads. Because patterns see the encoded text, a newline inside a value is the two
characters ``\\n`` and (in the audit log) a non-ASCII character is a ``\\uXXXX`` escape.

A callable that raises (or returns something other than a string) never lets the text through:
in the audit log the string it was given is replaced by ``[REDACTED:redactor.error]``; in the
transcript the whole event is replaced by a ``redactor.error`` event naming the callable and the
exception class (no message, no payload).
"""

from __future__ import annotations

import bisect
import inspect
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from godel.config.keys import FALSE_WORDS, redact_env_names

__all__ = [
    "BUILTIN_PATTERNS",
    "ERROR_MARKER",
    "MARKER",
    "MIN_ENV_SECRET_LENGTH",
    "PEM_BEGIN",
    "PEM_END",
    "REDACTED_PREFIX",
    "REDACT_ENV",
    "Redactor",
    "build_redactor",
    "check_patterns",
    "default_redactor",
    "is_secret_name",
    "secret_env_values",
    "secret_pieces",
]

REDACT_ENV = "GODEL_REDACT"
MARKER = "[REDACTED]"
REDACTED_PREFIX = "[REDACTED"  # every marker starts with it
ERROR_MARKER = "[REDACTED:redactor.error]"
MIN_ENV_SECRET_LENGTH = 8


# A header value: never a quote or a backslash, so it cannot run past the end of a JSON string.
_V = r"""[^\s"'\\,;<>]"""
# Between a header name and its value: optional (escaped) quotes, a colon or equals sign.
_SEP = r"""(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?\s*"""

# (kind, pattern). A group named ``secret`` marks the part to replace. None may consume a quote
# or a backslash except inside a group that is not replaced.
BUILTIN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("anthropic_key", r"sk-ant-[A-Za-z0-9_-]{20,}"),
    ("openai_key", r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}"),
    # Legacy keys: 48 random letters and digits. Requiring both cases and a digit keeps
    # kebab-case words ("task-...") out.
    (
        "openai_key",
        r"sk-(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{32,}",
    ),
    ("github_token", r"gh[pousr]_[A-Za-z0-9]{30,}"),
    ("github_token", r"github_pat_[A-Za-z0-9_]{30,}"),
    ("aws_key", r"(?:AKIA|ASIA)[0-9A-Z]{16}"),
    ("slack_token", r"xox[abprs]-[A-Za-z0-9-]{10,}"),
    (
        "authorization",
        rf"(?i:authorization){_SEP}(?:(?i:bearer|basic|token|digest)\s+)?(?P<secret>{_V}{{4,}})",
    ),
    ("api_key", rf"(?i:x-api-key){_SEP}(?P<secret>{_V}{{4,}})"),
    # A PEM private key (or an armored PGP one: "PRIVATE KEY BLOCK"), from its BEGIN line to
    # its END line (newlines are ``\\n`` escapes in the encoded text), or to the end of the
    # string when the END line never came.
    (
        "pem",
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:[^\"]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[^\"]*)",
    ),
    # The password of a URL (``postgres://user:PASSWORD@host``); the match starts at "://".
    ("url_password", r"(?<=[A-Za-z0-9])://[^:/\s\"@\\]+:(?P<secret>[^@/\s\"\\]+)@"),
)
PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")

# Environment variable names whose values are secrets (``STRIPE_KEY``, ``AWS_CREDENTIALS``,
# ``DATABASE_URL``, ``SENTRY_DSN``...).
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|SECRET_KEY|SECRET_ACCESS_KEY|PRIVATE_KEY|AUTH_TOKEN"
    r"|ACCESS_TOKEN|CREDENTIALS?|DSN|DATABASE_URL|DB_URL|CONNECTION_STRING)$"
    r"|PASSWORD|PASSWD|PASSPHRASE",
)

# A JSON string token.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_encode_ascii = json.JSONEncoder(separators=(",", ":")).encode
_encode_utf8 = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def is_secret_name(name: str) -> bool:
    """True for environment variable names such as ``OPENAI_API_KEY``, ``GH_TOKEN``, ``DB_PASSWORD``."""
    return _SECRET_NAME.search(name.upper()) is not None


def secret_env_values(
    environ: Mapping[str, str] | None = None, names: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """``(name, value)`` of the variables whose name looks secret (or is one of ``names``, or of
    ``$GODEL_REDACT``'s) and whose value is long enough."""
    env = os.environ if environ is None else environ
    extra = {*names, *redact_env_names(env.get(REDACT_ENV, ""))}
    out = []
    for name, value in env.items():
        if len(value) >= MIN_ENV_SECRET_LENGTH and value.strip():
            if name in extra or is_secret_name(name):
                out.append((name, value))
    out.sort()
    return out


def secret_pieces(value: str) -> list[str]:
    """The parts of a secret value to look for: the whole, and each line of a multi-line value
    long enough to be a secret on its own (a transcript records output one line at a time)."""
    pieces = [value]
    if "\n" in value or "\r" in value:
        pieces += [
            ln
            for ln in value.splitlines()
            if len(ln.strip()) >= MIN_ENV_SECRET_LENGTH and ln != value
        ]
    return pieces


def _callable_name(fn: Any) -> str:
    return getattr(fn, "__name__", None) or type(fn).__name__


def check_patterns(patterns: Iterable[Any] | None, *, what: str = "@workflow redact") -> list[Any]:
    """Validate ``redact=`` entries; return them as a list (``re.Pattern`` for strings).

    Raises ``TypeError`` for an entry that is neither a string, a ``str`` pattern nor a
    callable taking one argument, and ``ValueError`` for a string that is not a valid regex.
    """
    if patterns is None:
        return []
    if isinstance(patterns, str | re.Pattern) or callable(patterns):
        patterns = [patterns]
    out: list[Any] = []
    for i, entry in enumerate(patterns):
        if isinstance(entry, str):
            if not entry:
                raise ValueError(f"{what}[{i}] is an empty pattern")
            try:
                entry = re.compile(entry)
            except re.error as exc:
                raise ValueError(f"{what}[{i}] is not a valid regular expression: {exc}") from None
        elif isinstance(entry, re.Pattern):
            if not isinstance(entry.pattern, str):
                raise TypeError(f"{what}[{i}] must be a str pattern, not a bytes pattern")
        elif callable(entry):
            _check_arity(entry, f"{what}[{i}]")
        else:
            raise TypeError(
                f"{what}[{i}] must be a regex string, a compiled pattern or a callable, got {type(entry).__name__!r}"
            )
        out.append(entry)
    return out


def _check_arity(fn: Callable[..., Any], where: str) -> None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # builtins without a signature: trust them
    try:
        sig.bind("text")
    except TypeError:
        raise TypeError(
            f"{where} must take exactly one argument (the text), got {fn!r}{sig}"
        ) from None


class _Pass:
    """One compiled regex and, per outer group, what it replaces."""

    __slots__ = ("groups", "rx", "search")

    def __init__(self, rx: re.Pattern[str], groups: dict[int | None, tuple[str, int]]) -> None:
        self.rx = rx
        self.search = rx.search
        # outer group index (m.lastindex) -> (marker, index of the group to replace, 0 = whole);
        # key None: the pattern has no outer groups (a user pattern kept on its own).
        self.groups = groups

    def replacement(self, m: re.Match[str]) -> tuple[int, int, str]:
        groups = self.groups
        marker, group = groups[None] if None in groups else groups.get(m.lastindex, (MARKER, 0))
        if group and m.start(group) >= 0:
            s, e = m.span(group)
        else:
            s, e = m.span()
        return s, e, marker


# Probes: cheap searches that find where a built-in secret may start, so that a line without
# one costs a few scans. CPython's regex engine scans fast only for a literal prefix (an
# alternation of literals is tried at every position, about 10x slower), so each probe has one,
# and each is skipped outright when the text lacks one of its guards (``in`` with one character
# is a memchr; "gh" is checked only where there is an underscore, and keeps those of keys such
# as "source_hash" from costing a search). (guards, probe, offsets from the probe's match to the
# candidate starts).
_PROBES: tuple[tuple[tuple[str, str], re.Pattern[str], tuple[int, ...]], ...] = (
    (
        ("-", ""),
        # Header names are case-insensitive: "x-api-key", "X-Api-Key", "X-API-Key"...
        re.compile(r"-(?:(?<=sk-)|(?<=xox[abprs]-)|(?<=[xX]-)(?=[Aa][Pp][Ii]-[Kk][Ee][Yy]))"),
        (-2, -4, -1),
    ),
    (("_", "gh"), re.compile(r"_(?:(?<=gh[pousr]_)|(?<=github_)(?=pat_))"), (-3, -6)),
    (("A", ""), re.compile(r"A[KS]IA"), (0,)),
    (("z", ""), re.compile("uthoriz"), (-1,)),
    (("Z", ""), re.compile("UTHORIZ"), (-1,)),
    (("-----BEGIN", ""), re.compile("-----BEGIN"), (0,)),
    (("://", "@"), re.compile("://"), (0,)),
)


class Redactor:
    """Replaces secrets in the JSON text of log and transcript lines (see the module docstring).

    ``patterns``: the workflow's ``redact=`` entries. ``builtin``: use the built-in patterns and
    the secret environment variables of ``environ`` (default ``os.environ``), those named by
    ``env_names`` included.
    """

    def __init__(
        self,
        patterns: Iterable[Any] = (),
        *,
        builtin: bool = True,
        environ: Mapping[str, str] | None = None,
        env_names: Iterable[str] = (),
        secrets: Iterable[tuple[str, str]] = (),
    ) -> None:
        entries = check_patterns(list(patterns))
        env_names = tuple(env_names)
        self._made = (entries, environ, env_names, tuple(secrets))  # for with_secrets
        self.callables: tuple[Callable[[str], str], ...] = tuple(
            e for e in entries if not isinstance(e, re.Pattern)
        )
        regexes = [e for e in entries if isinstance(e, re.Pattern)]
        self.builtin = builtin
        self.env_names: tuple[str, ...] = ()
        probes: list[tuple[tuple[str, str], re.Pattern[str], tuple[int, ...]]] = []
        # The built-in alternation is compiled when a probe first finds something: compiling it
        # (6M instructions, about a millisecond) was part of every run's start, and most runs
        # never record a secret.
        self._alternatives: list[tuple[str, str]] = []
        self._builtin: _Pass | None = None
        self._secrets: frozenset[tuple[str, str]] = frozenset()
        if builtin:
            alternatives: list[tuple[str, str]] = []
            env = sorted({*secret_env_values(environ, env_names), *secrets})
            self._secrets = frozenset(env)
            self.env_names = tuple(dict.fromkeys(name for name, _ in env))
            for name, value in env:
                forms = sorted(
                    {
                        form
                        for piece in secret_pieces(value)
                        for form in (_encode_ascii(piece)[1:-1], _encode_utf8(piece)[1:-1])
                    },
                    key=len,
                    reverse=True,
                )
                label = _LABEL_UNSAFE.sub("_", name)
                alternatives.append(
                    (f"[REDACTED:env:{label}]", "|".join(re.escape(f) for f in forms))
                )
                probes.extend(((f[0], ""), re.compile(re.escape(f)), (0,)) for f in forms)
            alternatives.extend((f"[REDACTED:{kind}]", src) for kind, src in BUILTIN_PATTERNS)
            probes.extend(_PROBES)
            self._alternatives = alternatives
        self._probes = tuple(probes)
        # The workflow's own patterns are searched one by one: combined into one alternation
        # they would lose the engine's literal-prefix scan (measured: 3 typical patterns cost
        # 6 us apart and 31 us combined per 500-byte line).
        self._user = tuple(
            _Pass(rx, {None: (MARKER, rx.groupindex.get("secret", 0))}) for rx in regexes
        )
        # The fast path: (guard, guard, search); "" is in every string, so user patterns always search.
        self._fast = tuple((g1, g2, probe.search) for (g1, g2), probe, _ in self._probes) + tuple(
            ("", "", p.search) for p in self._user
        )
        self.has_regex = bool(self._fast)
        self.active = self.has_regex or bool(self.callables)
        self._warned: set[str] = set()

    def with_secrets(self, env: Mapping[str, str]) -> Redactor:
        """This redactor, and also the secret-looking variables of ``env`` it does not cover yet
        (a command's ``run(env=...)``, an agent's ``env``); itself when there are none.

        Without the built-ins (``GODEL_REDACT=0``) variables are not redacted, so neither are
        these."""
        if not self.builtin:
            return self
        entries, environ, names, secrets = self._made
        new = [pair for pair in secret_env_values(env, names) if pair not in self._secrets]
        if not new:
            return self
        return Redactor(
            entries, builtin=True, environ=environ, env_names=names, secrets=(*secrets, *new)
        )

    def __repr__(self) -> str:
        return (
            f"<Redactor builtin={self.builtin} env={len(self.env_names)} patterns={len(self._user)} "
            f"callables={len(self.callables)}>"
        )

    # regexes on encoded JSON -------------------------------------------------------------------
    def redact_json(self, text: str, *, after: str | None = None, before: str | None = None) -> str:
        """``text`` (valid JSON) with every secret inside its strings replaced by a marker.

        Returns ``text`` itself (the same object) when nothing was found. ``after``/``before``
        limit redaction to the part of ``text`` after the first occurrence / before the last
        occurrence of that literal (used to leave a line's own structure alone).
        """
        lo = 0
        hi = len(text)
        if after is not None:
            k = text.find(after)
            if k >= 0:  # not found: redact it all
                lo = k + len(after)
        if before is not None:
            k = text.rfind(before, lo)
            if k >= 0:
                hi = k
        # The fast path works on a copy of the region: `in` costs a fraction of a str.find call.
        region = text if lo == 0 and hi == len(text) else text[lo:hi]
        if '"' not in region:
            return text  # no string, nothing to redact
        for g1, g2, search in self._fast:
            if g1 in region and g2 in region and search(region) is not None:
                return self._substitute(text, lo, hi)
        return text

    def _substitute(self, text: str, lo: int, hi: int) -> str:
        strings: list[tuple[int, int]] = []
        ends: list[int] = []
        for m in _STRING.finditer(text):
            strings.append(m.span())
            ends.append(m.end())
        spans: list[tuple[int, int, str]] = []

        def take(m: re.Match[str], p: _Pass) -> int:
            """Record the replacement for ``m``; return where to look next."""
            s, e, marker = p.replacement(m)
            nxt = max(m.end(), m.start() + 1)
            s = max(s, lo)
            e = min(e, hi)
            span = _inside_string(text, strings, ends, s, e) if s < e else None
            if span is not None:
                spans.append((span[0], span[1], marker))
                # A match clipped to one string may have run over others: look at them too.
                return min(nxt, max(span[1], m.start() + 1))
            # Matched outside any string: whatever strings it ran over still count.
            k = bisect.bisect_right(ends, m.start())
            if k < len(strings) and strings[k][0] > m.start():
                return min(nxt, strings[k][0])
            return nxt

        builtin = self._builtin
        if builtin is None and self._alternatives:
            builtin = self._builtin = _combine(self._alternatives)
        if builtin is not None:
            starts: set[int] = set()
            for (g1, g2), probe, offsets in self._probes:
                if text.find(g1, lo, hi) < 0 or text.find(g2, lo, hi) < 0:
                    continue
                for pm in probe.finditer(text, lo, hi):
                    starts.update(pm.start() + off for off in offsets)
            match = builtin.rx.match
            covered = -1
            for st in sorted(starts):
                if st < covered or st < 0:
                    continue
                m = match(text, st)
                if m is not None:
                    covered = take(m, builtin)
        for p in self._user:
            pos = lo
            search = p.search
            while pos < hi:
                m = search(text, pos)
                if m is None or m.start() >= hi:
                    break
                pos = take(m, p)
        if not spans:
            return text
        spans.sort()
        out: list[str] = []
        last = 0
        cur_s, cur_e, cur_marker = spans[0]
        for s, e, marker in spans[1:]:
            if s <= cur_e:  # overlapping or touching: one marker
                cur_e = max(cur_e, e)
                continue
            out.append(text[last:cur_s])
            out.append(cur_marker)
            last = cur_e
            cur_s, cur_e, cur_marker = s, e, marker
        out.append(text[last:cur_s])
        out.append(cur_marker)
        out.append(text[cur_e:])
        return "".join(out)

    def redact_text(self, text: str) -> str:
        """A plain string with its secrets replaced (callables applied first)."""
        if self.callables:
            text = self._call(text, [])
        if not self.has_regex:
            return text
        encoded = _encode_utf8(text)
        redacted = self.redact_json(encoded)
        return text if redacted is encoded else json.loads(redacted)

    def redact_object(self, value: Any, failures: list[tuple[str, str]] | None = None) -> Any:
        """A JSON value with callables applied to its strings and regexes to its encoding.

        Returns ``value`` itself when nothing changed.
        """
        if self.callables:
            value = self.apply_callables(value, failures if failures is not None else [])
        if not self.has_regex:
            return value
        encoded = _encode_ascii(value)
        redacted = self.redact_json(encoded)
        return value if redacted is encoded else json.loads(redacted)

    # callables on raw strings -----------------------------------------------------------------
    def apply_callables(self, value: Any, failures: list[tuple[str, str]]) -> Any:
        """``value`` with every string value (not the keys) passed through the callables, in order.

        A callable that raises or returns a non-string replaces that string with
        ``ERROR_MARKER``; ``(callable name, exception class)`` is appended to ``failures``.
        """
        if not self.callables:
            return value
        if isinstance(value, str):
            return self._call(value, failures)
        if isinstance(value, dict):
            return {k: self.apply_callables(v, failures) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.apply_callables(v, failures) for v in value]
        return value

    def _call(self, text: str, failures: list[tuple[str, str]]) -> str:
        for fn in self.callables:
            try:
                result = fn(text)
                if not isinstance(result, str):
                    raise TypeError(f"returned {type(result).__name__}, not str")
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                name = _callable_name(fn)
                failures.append((name, type(exc).__name__))
                if name not in self._warned:
                    self._warned.add(name)
                    _logger().warning(
                        "redactor %s raised %s; the text it was given was replaced by %s",
                        name,
                        type(exc).__name__,
                        ERROR_MARKER,
                    )
                return ERROR_MARKER
            text = result
        return text


def _inside_string(
    text: str, strings: list[tuple[int, int]], ends: list[int], s: int, e: int
) -> tuple[int, int] | None:
    """``[s, e)`` cut to the inside of the first JSON string it touches, on escape boundaries."""
    k = bisect.bisect_right(ends, s)
    if k >= len(strings):
        return None
    a, b = strings[k]
    j = b
    while j < len(text) and text[j] in " \t\r\n":
        j += 1
    if j < len(text) and text[j] == ":":
        return None  # an object key: structure (godel's own field names among them), not text
    a += 1  # inside the quotes
    b -= 1
    if s < a:
        s = a
    if e > b:
        e = b
    if s >= e:
        return None
    j = _escape_around(text, a, s)
    if j is not None:
        s = j
    j = _escape_around(text, a, e)
    if j is not None:
        e = j + (6 if text[j + 1] == "u" else 2)
    return s, e


def _escape_around(text: str, a: int, pos: int) -> int | None:
    """Start of the escape sequence that ``pos`` falls strictly inside, if any (string starts at ``a``)."""
    for j in range(pos - 1, max(a, pos - 6) - 1, -1):
        if text[j] != "\\":
            continue
        # j starts an escape only if the backslashes just before it pair up among themselves.
        run = 0
        i = j - 1
        while i >= a and text[i] == "\\":
            run += 1
            i -= 1
        if run % 2:
            continue  # text[j] is the escaped character of a "\\\\" pair
        length = 6 if text[j + 1] == "u" else 2
        return j if pos < j + length else None
    return None


def _combine(alternatives: Sequence[tuple[str, str]]) -> _Pass:
    """One alternation of ``(marker, pattern)``; a group named ``secret`` marks what to replace."""
    parts = []
    for i, (_marker, source) in enumerate(alternatives):
        parts.append(f"(?P<_r{i}>{source.replace('(?P<secret>', f'(?P<_r{i}_secret>')})")
    rx = re.compile("|".join(parts))
    index = rx.groupindex
    groups: dict[int | None, tuple[str, int]] = {
        index[f"_r{i}"]: (marker, index.get(f"_r{i}_secret", 0))
        for i, (marker, _src) in enumerate(alternatives)
    }
    return _Pass(rx, groups)


# Built once per distinct environment: building scans os.environ and compiles the alternation.
_default_lock = threading.Lock()
_default_cache: dict[tuple[Any, ...], Redactor] = {}


def builtins_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """False when ``GODEL_REDACT`` is ``0`` (or ``false``/``no``/``off``)."""
    env = os.environ if environ is None else environ
    return env.get(REDACT_ENV, "").strip().lower() not in FALSE_WORDS


def default_redactor(environ: Mapping[str, str] | None = None) -> Redactor:
    """The redactor for a run without ``redact=`` patterns (see ``build_redactor``)."""
    return build_redactor(None, environ)


def build_redactor(
    patterns: Iterable[Any] | None = None, environ: Mapping[str, str] | None = None
) -> Redactor:
    """The redactor of a run: its ``redact=`` patterns, the configuration's ``redact`` patterns
    and variable names (``godel.config``; not when an ``environ`` is given), plus the built-ins
    unless ``GODEL_REDACT=0``. Redactors of plain string patterns are shared while the
    environment is unchanged: building one scans the environment and compiles an alternation."""
    names: tuple[str, ...] = ()
    entries = list(patterns or ())
    env: Mapping[str, str] = os.environ if environ is None else environ
    if environ is None:
        from godel.config.load import load_config

        config = load_config().config
        entries += config.redact["patterns"]
        names = tuple(config.redact["env"])
        if config.env:  # every command and agent gets them: their secrets are the run's
            env = {**os.environ, **config.env}
    on = builtins_enabled(env)
    if not all(isinstance(e, str) for e in entries):
        return Redactor(entries, builtin=on, environ=env, env_names=names)
    key = (on, tuple(entries), tuple(secret_env_values(env, names)) if on else ())
    with _default_lock:
        red = _default_cache.get(key)
        if red is None:
            if len(_default_cache) > 16:
                _default_cache.clear()
            red = _default_cache[key] = Redactor(entries, builtin=on, environ=env, env_names=names)
        return red


def _logger() -> Any:
    # logging is imported only when there is something to warn about: not on every start.
    import logging

    return logging.getLogger("godel.log.redact")
