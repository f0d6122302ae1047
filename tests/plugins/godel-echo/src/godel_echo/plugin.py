"""godel-echo's hookimpls: one of each kind of thing a plugin can register."""

from godel import hookimpl


@hookimpl
def godel_register_agents(register):
    register("echo", "godel_echo.agent:echo", summary="answers with the prompt")


@hookimpl
def godel_register_parsers(register):
    register("echo", "godel_echo.parser:EchoParser", summary="'say: x' lines become agent.response")


@hookimpl
def godel_register_lint_rules(register):
    register("ECH001", "godel_echo.lint:NoShout", summary="prompts must not be all capitals")


@hookimpl
def godel_register_commands(register):
    register("echo", "godel_echo.cli:echo", summary="Print the words back (test plugin).")
