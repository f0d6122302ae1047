"""The environment that makes each agent CLI run offline against a fake model server.

Found by running claude 2.1.197, copilot 1.0.102 and codex 0.169.0 behind a logging proxy: with
these variables (and, for codex, the config file written into its home) none contacts anything
but the server.
"""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

FAKE_API_KEY = "sk-ant-fake-model-key"
COPILOT_MODEL = "claude-sonnet-4.6"  # in copilot's model catalog: no "unknown model" warning
APIS = ("anthropic", "openai")
CODEX_PROVIDER = "godel-fake-model"
CODEX_KEY_VARIABLE = "FAKE_MODEL_API_KEY"


def anthropic_env(
    base_url: str, home: str | os.PathLike[str], *, max_retries: int | None = 0
) -> dict[str, str]:
    """Variables for ``claude``; see :meth:`FakeModelServer.anthropic_env`."""
    env = {
        "HOME": os.fspath(home),
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": FAKE_API_KEY,
        # Without it claude also calls api.anthropic.com (metrics, feature flags).
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        # claude refuses --dangerously-skip-permissions as root unless it is told it is sandboxed.
        "IS_SANDBOX": "1",
    }
    if max_retries is not None:
        env["CLAUDE_CODE_MAX_RETRIES"] = str(max_retries)
    return env


def copilot_env(
    base_url: str,
    home: str | os.PathLike[str],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    api: str = "anthropic",
) -> dict[str, str]:
    """Variables for ``copilot``; see :meth:`FakeModelServer.copilot_env`."""
    if api not in APIS:
        raise ValueError(f"api must be 'anthropic' or 'openai', not {api!r}")
    return {
        "HOME": os.fspath(home),
        "XDG_CACHE_HOME": os.fspath(cache_dir if cache_dir is not None else default_cache_dir()),
        "COPILOT_OFFLINE": "true",
        "COPILOT_AUTO_UPDATE": "false",
        "COPILOT_PROVIDER_TYPE": api,
        # The OpenAI client appends /chat/completions to the base URL; Anthropic's adds /v1/messages.
        "COPILOT_PROVIDER_BASE_URL": base_url if api == "anthropic" else f"{base_url}/v1",
        "COPILOT_PROVIDER_API_KEY": FAKE_API_KEY,
        "COPILOT_MODEL": COPILOT_MODEL,
        "NO_COLOR": "1",
    }


def default_cache_dir() -> Path:
    """The cache shared by copilot runs by default: one per user, in the temp directory."""
    user = str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()
    return Path(tempfile.gettempdir()) / f"godel-fake-model-cache-{user}"


def codex_env(
    base_url: str, home: str | os.PathLike[str], *, max_retries: int = 0
) -> dict[str, str]:
    """Variables for ``codex``, and its config file; see :meth:`FakeModelServer.codex_env`."""
    codex_home = Path(home) / ".codex"
    codex_home.mkdir(parents=True, exist_ok=True)
    (codex_home / "config.toml").write_text(codex_config(base_url, max_retries=max_retries))
    return {
        "HOME": os.fspath(home),
        "CODEX_HOME": os.fspath(codex_home),
        CODEX_KEY_VARIABLE: FAKE_API_KEY,
        "NO_COLOR": "1",
    }


def codex_config(base_url: str, *, max_retries: int = 0) -> str:
    """The ``config.toml`` that makes codex use the server as its model provider (Responses API)."""
    return f"""\
# Written by godel.testing.fake_model: codex answers from the fake model server, offline.
model_provider = "{CODEX_PROVIDER}"
check_for_update_on_startup = false

[model_providers.{CODEX_PROVIDER}]
name = "godel fake model"
base_url = "{base_url}/v1"
wire_api = "responses"
env_key = "{CODEX_KEY_VARIABLE}"
request_max_retries = {max_retries}
stream_max_retries = {max_retries}

[analytics]
enabled = false

# Plugin and app discovery would look up github.com and chatgpt.com.
[features]
plugins = false
remote_plugin = false
apps = false
"""
