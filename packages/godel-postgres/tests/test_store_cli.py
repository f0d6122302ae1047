"""``godel store init URL`` and what a store URL that cannot be used says: one line each."""

from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.postgres


def godel(h, *args: str, env: dict[str, str] | None = None, cwd=None):
    return subprocess.run(
        [str(h.GODEL), *args], capture_output=True, text=True, env=h.clean_env(env), cwd=cwd
    )


def test_store_init_creates_then_keeps_the_schema(h, pg_url):
    first = godel(h, "store", "init", pg_url)
    assert first.returncode == 0, first.stderr
    assert first.stderr == f"[godel] created the godel schema in {pg_url} (schema version 1)\n"
    again = godel(h, "store", "init", pg_url)
    assert again.returncode == 0, again.stderr
    assert again.stderr == f"[godel] store ready: {pg_url} (schema version 1)\n"


def test_a_database_without_the_schema_says_how_to_make_it(h, pg_url, tmp_path):
    listed = godel(h, "runs", "list", "--store", pg_url, cwd=tmp_path)
    assert listed.returncode == 1
    assert listed.stderr == (
        f"[godel] {pg_url} has no godel schema yet; create it with: godel store init {pg_url}\n"
    )


def test_a_newer_schema_is_refused_clearly(h, store_url, tmp_path):
    import psycopg

    with psycopg.connect(store_url, autocommit=True) as conn:
        conn.execute("insert into godel_schema (version) values (99)")
    (tmp_path / "wf.py").write_text(h.WORKFLOW)
    for args in (["runs", "list"], ["run", "wf.py"], ["store", "init", store_url]):
        done = godel(h, *args, env={"GODEL_STORE": store_url}, cwd=tmp_path)
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr == (
            f"[godel] {store_url} has godel schema version 99, newer than this godel-postgres "
            "knows (1); upgrade godel-postgres on this machine\n"
        ), args


def test_a_server_that_does_not_answer_is_one_line(h, tmp_path):
    url = f"postgresql://godel@/nodb?host={tmp_path}"
    done = godel(h, "runs", "list", "--store", url, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"[godel] cannot connect to {url}: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_an_unknown_scheme_names_the_installed_ones(h, tmp_path):
    done = godel(h, "runs", "list", "--store", "mysql://db/x", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        "[godel] no store for URL scheme 'mysql' is installed "
        "(installed: file, postgres, postgresql)\n"
    )


def test_a_password_never_reaches_a_message(h, tmp_path):
    url = f"postgresql://godel:s3cret@/nodb?host={tmp_path}"
    done = godel(h, "runs", "list", "--store", url, cwd=tmp_path)
    assert done.returncode == 1
    assert "s3cret" not in done.stderr and "godel:***@" in done.stderr


@pytest.mark.parametrize(
    ("url_tail", "said"),
    [
        ("godel:s3cret%zz@/nodb?host={h}", 'invalid percent-encoded token: "***"'),
        ("godel:s3cret@/nodb?host={h}&bogus=1", 'invalid URI query parameter: "bogus"'),
    ],
)
def test_a_url_libpq_cannot_read_is_one_line_without_the_password(h, tmp_path, url_tail, said):
    url = "postgresql://" + url_tail.format(h=tmp_path)
    for args in (["runs", "list", "--store", url], ["store", "init", url]):
        done = godel(h, *args, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        assert "s3cret" not in done.stderr and "godel:***@" in done.stderr
        assert done.stderr.endswith(f": {said}\n"), done.stderr


def test_a_password_given_as_a_query_parameter_is_hidden_too(h, tmp_path):
    url = f"postgresql://godel@/nodb?host={tmp_path}&password=s3cret"
    done = godel(h, "runs", "list", "--store", url, cwd=tmp_path)
    assert done.returncode == 1
    assert "s3cret" not in done.stderr and "&password=***:" in done.stderr


def test_a_role_without_privileges_on_the_store_is_one_line(h, pg_url, tmp_path):
    import uuid

    import psycopg

    role = f"reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"create role {role} login")
    url = pg_url.replace("postgresql://godel@", f"postgresql://{role}@")
    init = godel(h, "store", "init", url, cwd=tmp_path)  # no CREATE on schema public
    assert init.returncode == 1
    assert init.stderr == f"[godel] cannot use {url}: permission denied for schema public\n"
    assert godel(h, "store", "init", pg_url, cwd=tmp_path).returncode == 0
    listed = godel(h, "runs", "list", "--store", url, cwd=tmp_path)  # no SELECT on its tables
    assert listed.returncode == 1
    assert listed.stderr == f"[godel] cannot use {url}: permission denied for table godel_schema\n"
