"""The Starlette application: routes, the run cache, the live streams.

``create_app(runs_dir, token=...)`` (a runs dir, or a ``godel.store`` store) is what ``godel ui``
serves and what tests drive with Starlette's ``TestClient``. Pages are rendered in a worker thread (they read logs); the live
streams are server-sent events that say *what changed*, and the page's script fetches the
fragments it shows again (at most about once a second), so a run writing thousands of events a
second costs the browser a few requests, not thousands.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from godel.cost import CostTotals
from godel.log import RUN_ID, CorruptLogError, IdLookupError, list_run_ids, resolve_id
from godel.store import is_store, store_name
from godel_web import actions, pages
from godel_web.html import error_page, event_url, run_url
from godel_web.model import RunModel
from godel_web.runs import RunIndex
from godel_web.security import TokenGuard, csrf_for, same_origin
from godel_web.transcript import items_for, stored_items_for

STATIC = Path(__file__).parent / "static"
_MODELS = 8  # runs kept in memory (the ones being looked at)
HEARTBEAT = 15.0  # seconds between keep-alive comments on a quiet stream


class Problem(Exception):
    """A request that names nothing we can show: its HTTP status and ``[godel]`` lines."""

    def __init__(self, status: int, *lines: str) -> None:
        super().__init__(lines[0] if lines else "")
        self.status = status
        self.lines = list(lines)


class State:
    """What the routes share: the runs dir, the run cache and the settings."""

    def __init__(
        self,
        runs_dir: Any,
        token: str,
        read_only: bool,
        poll: float,
        stopping: Callable[[], bool] = lambda: False,
    ) -> None:
        self.runs_dir = runs_dir  # a runs dir (Path), or a store (``--store``)
        self.where = str(runs_dir) if isinstance(runs_dir, Path) else store_name(runs_dir)
        self.stopping = stopping  # True once the server shuts down: live streams then end
        self.token = token
        self.csrf = csrf_for(token)
        self.read_only = read_only
        self.poll = poll
        self.index = RunIndex(runs_dir)
        self._models: OrderedDict[str, RunModel] = OrderedDict()
        self._lock = threading.Lock()

    def run_id(self, query: str) -> str:
        """The run a URL names: a full id, or a unique prefix or suffix (as the CLI takes)."""
        if not RUN_ID.fullmatch(query):
            raise Problem(
                400, f'invalid run id "{query}": a run id is 1 to 128 letters, digits, "-" or "_"'
            )
        if self.exists(query):
            return query
        ids = list_run_ids(self.runs_dir)
        try:
            return resolve_id(query, ids, what="run id")
        except IdLookupError as exc:
            if exc.candidates:
                raise Problem(400, exc.ambiguous(query)) from None  # the CLI's words
            raise Problem(404, f'No run matching "{query}" in {self.where}') from None

    def exists(self, run_id: str) -> bool:
        """Whether the run's log is there (now: a run can be deleted while it is shown)."""
        if is_store(self.runs_dir):
            return bool(self.runs_dir.exists(run_id))
        return (self.runs_dir / f"{run_id}.jsonl").is_file()

    def close(self) -> None:
        """Close the logs the cached runs hold open."""
        with self._lock:
            while self._models:
                self._models.popitem()[1].close()

    def model(self, run_id: str) -> RunModel:
        """The run's model, brought up to date."""
        with self._lock:
            model = self._models.get(run_id)
            if model is None:
                # a store's run is read through the store, from an offset, as a file is
                read_lines = (
                    partial(self.runs_dir.read_lines, run_id) if is_store(self.runs_dir) else None
                )
                model = RunModel(run_id, self.runs_dir, read_lines=read_lines)
                self._models[run_id] = model
                while len(self._models) > _MODELS:
                    self._models.popitem(last=False)[1].close()
            self._models.move_to_end(run_id)
        try:
            model.refresh()
        except CorruptLogError as exc:  # as godel show says it (a newer format, a bad line)
            with self._lock:
                self._models.pop(run_id, None)
            raise Problem(422, f"cannot read run {run_id}: {exc}") from None
        return model


def _state(request: Request) -> State:
    return request.app.state.godel  # type: ignore[no-any-return]


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"cache-control": "no-store"})


def _int(request: Request, name: str, default: int = 1) -> int:
    try:
        return int(request.query_params.get(name, default))
    except ValueError:
        return default


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    return {"status": q.get("status", ""), "workflow": q.get("workflow", ""), "q": q.get("q", "")}


# pages --------------------------------------------------------------------------------------
def runs_page(request: Request) -> Response:
    st = _state(request)
    rows = st.index.rows()
    filters = _filters(request)
    page = _int(request, "page")
    if request.query_params.get("fragment") == "runs":
        return _html(pages.runs_table(rows, filters, page))
    return _html(pages.runs_page(rows, filters, page, st.csrf, st.where))


def runs_json(request: Request) -> Response:
    st = _state(request)
    out = []
    for row in st.index.rows():
        item = row.summary.to_dict()
        item["cost_usd"] = _usd(row.summary.cost)
        out.append(item)
    return JSONResponse({"runs_dir": st.where, "runs": out})


def run_page(request: Request) -> Response:
    st = _state(request)
    run_id = st.run_id(request.path_params["run_id"])
    if run_id != request.path_params["run_id"]:
        return RedirectResponse(run_url(run_id), status_code=307)
    model = st.model(run_id)
    with model.lock:
        return _html(pages.run_page(model, _int(request, "page"), st.read_only, st.csrf))


def run_fragment(request: Request) -> Response:
    st = _state(request)
    model = st.model(st.run_id(request.path_params["run_id"]))
    part = request.path_params["part"]
    with model.lock:
        if part == "header":
            return _html(pages.run_header(model, model.summary(), st.read_only, st.csrf))
        if part == "tree":
            return _html(pages.tree_fragment(model, _int(request, "page")))
        if part == "timeline":
            return _html(pages.timeline_fragment(model))
    raise Problem(404, f"no such part of a run page: {part}")


def _usd(totals: CostTotals | None) -> float | None:
    """Dollars the run's priced agent calls cost (None when none is priced)."""
    return totals.spent_usd if totals is not None and totals.priced else None


def _live(model: RunModel) -> dict[str, Any]:
    summary = model.summary()
    return {
        "run_id": model.run_id,
        "status": summary.status.value,
        "version": model.version,
        "events": len(model.events),
        "lines": model.lines,
        "cost_usd": _usd(summary.cost),
        "duration": summary.duration(),
        "attempts": summary.attempts,
    }


def run_json(request: Request) -> Response:
    st = _state(request)
    model = st.model(st.run_id(request.path_params["run_id"]))
    with model.lock:
        data = _live(model)
        data["summary"] = model.summary().to_dict()
        data["tree_rows"] = len(model.rows())
        data["timeline_bars"] = len(model.timeline().bars)
    return JSONResponse(data)


def event_page(request: Request) -> Response:
    st = _state(request)
    run_id = st.run_id(request.path_params["run_id"])
    model = st.model(run_id)
    query = request.path_params["event_id"]
    with model.lock:
        ev = model.events.get(query)
        if ev is None:
            if not RUN_ID.fullmatch(query):
                raise Problem(400, f'invalid event id "{query}"')
            try:
                found = resolve_id(query, list(model.events), what="event id")
            except IdLookupError as exc:
                if exc.candidates:
                    raise Problem(400, f'Ambiguous event id "{query}": {exc}') from None
                raise Problem(
                    404, f'Event ID not found: "{query}" in run {run_id} (see: godel show {run_id})'
                ) from None
            return RedirectResponse(event_url(run_id, found), status_code=307)
        mark = next((r.mark for r in model.rows() if r.entry.event_id == ev.event_id), "")
    if is_store(st.runs_dir):
        items, cut = stored_items_for(st.runs_dir, run_id, list(ev.stream_path))
    else:
        items, cut = items_for(st.runs_dir / run_id, list(ev.stream_path))
    with model.lock:
        return _html(pages.event_page(model, ev, mark, items, cut, st.read_only, st.csrf))


# actions ------------------------------------------------------------------------------------
async def _checked_form(request: Request) -> dict[str, str]:
    """The POSTed form, once the action is allowed: not read-only, our own origin, and the
    CSRF value the pages embed."""
    st = _state(request)
    if st.read_only:
        raise Problem(403, "this server is read-only (godel ui --read-only)")
    own = request.headers.get("host", "")
    if not same_origin(request.headers, own):
        raise Problem(403, "cross-origin request refused")
    # A urlencoded body (what the pages send) parsed here: no multipart parser needed.
    raw = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    form = {k: v[0] for k, v in raw.items()}
    given = request.headers.get("x-csrf-token") or form.get("csrf", "")
    if not hmac.compare_digest(given.encode(), st.csrf.encode()):
        raise Problem(403, "missing or wrong CSRF token: reload the page")
    return form


def _outcome(request: Request, run_id: str, outcome: actions.Outcome) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(
            {"ok": outcome.ok, "lines": [f"[godel] {line}" for line in outcome.lines]},
            status_code=outcome.status,
        )
    st = _state(request)
    text = "".join(f"<p>[godel] {pages.e(line)}</p>" for line in outcome.lines)
    body = (
        f'<section class="card{"" if outcome.ok else " error"}">{text}'
        f'<p><a href="{run_url(run_id)}">back to the run</a></p></section>'
    )
    return _html(pages.layout("action", body, csrf=st.csrf), outcome.status)


async def pause_action(request: Request) -> Response:
    st = _state(request)
    await _checked_form(request)
    run_id = st.run_id(request.path_params["run_id"])
    outcome = await anyio.to_thread.run_sync(actions.pause, run_id, st.runs_dir)
    return _outcome(request, run_id, outcome)


async def rewind_action(request: Request) -> Response:
    st = _state(request)
    form = await _checked_form(request)
    run_id = st.run_id(request.path_params["run_id"])
    target = form.get("to", "").strip()
    if not target:
        raise Problem(400, "No event IDs provided (give to=EVENT_ID)")
    if not RUN_ID.fullmatch(target):
        raise Problem(400, f'invalid event id "{target}"')

    def go() -> actions.Outcome:
        return actions.rewind(
            run_id,
            st.runs_dir,
            target,
            reason=form.get("reason", "") or "web rewind",
            cut=form.get("cut") == "1",
            assume_idempotent=form.get("assume_idempotent") == "1",
        )

    outcome = await anyio.to_thread.run_sync(go)
    return _outcome(request, run_id, outcome)


# live streams -------------------------------------------------------------------------------
def _sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, separators=(',', ':'))}\n\n"


async def run_stream(request: Request) -> Response:
    st = _state(request)
    run_id = st.run_id(request.path_params["run_id"])
    # An unreadable log is a 422 before the stream starts, so the page's EventSource stops
    # instead of reconnecting to a stream that ends at once.
    await anyio.to_thread.run_sync(st.model, run_id)

    async def events() -> AsyncIterator[str]:
        last: tuple[Any, ...] | None = None
        quiet = 0.0
        while not st.stopping():
            # A log that turns unreadable or goes away ends the stream whole (the response has
            # begun: an exception would tear it); the page's reconnect then gets the 404 or 422.
            try:
                model = await anyio.to_thread.run_sync(st.model, run_id)
            except Problem:
                return
            with model.lock:
                data = _live(model)
            if not data["lines"] and not await anyio.to_thread.run_sync(st.exists, run_id):
                return
            key = (data["version"], data["status"])
            if key != last:
                last, quiet = key, 0.0
                yield _sse(data)
            elif quiet >= HEARTBEAT:
                quiet = 0.0
                yield ": keep-alive\n\n"
            await anyio.sleep(st.poll)
            quiet += st.poll

    return _stream(events())


async def runs_stream(request: Request) -> Response:
    st = _state(request)

    async def events() -> AsyncIterator[str]:
        last: tuple[Any, ...] | None = None
        quiet = 0.0
        while not st.stopping():
            sig = await anyio.to_thread.run_sync(st.index.signature)
            if sig != last:
                last, quiet = sig, 0.0
                yield _sse({"runs": len(sig)})
            elif quiet >= HEARTBEAT:
                quiet = 0.0
                yield ": keep-alive\n\n"
            await anyio.sleep(max(st.poll, 0.5))
            quiet += max(st.poll, 0.5)

    return _stream(events())


def _stream(body: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


# errors -------------------------------------------------------------------------------------
async def problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    if "application/json" in request.headers.get("accept", "") or request.url.path.startswith(
        "/api/"
    ):
        return JSONResponse(
            {"ok": False, "lines": [f"[godel] {line}" for line in exc.lines]},
            status_code=exc.status,
        )
    return _html(error_page(exc.status, exc.lines, _state(request).csrf), exc.status)


async def not_found(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("404 Not Found\n", status_code=404)


def create_app(
    runs_dir: str | Path | Any,
    *,
    token: str,
    read_only: bool = False,
    allowed_hosts: Iterable[str] | None = None,
    poll: float = 0.25,
    stopping: Callable[[], bool] | None = None,
) -> Any:
    """The ASGI application for ``runs_dir`` (a runs dir, or a store): every request needs
    ``token`` (see security). ``stopping()`` says the server is shutting down: the live streams
    end within a poll, so an open page does not hold the shutdown up."""
    location = runs_dir if is_store(runs_dir) else Path(runs_dir)
    st = State(location, token, read_only, poll, stopping or (lambda: False))
    routes = [
        Route("/", runs_page),
        Route("/api/runs", runs_json),
        Route("/api/runs/{run_id}", run_json),
        Route("/stream/runs", runs_stream),
        Route("/runs/{run_id}", run_page),
        Route("/runs/{run_id}/stream", run_stream),
        Route("/runs/{run_id}/pause", pause_action, methods=["POST"]),
        Route("/runs/{run_id}/rewind", rewind_action, methods=["POST"]),
        Route("/runs/{run_id}/events/{event_id}", event_page),
        Route("/runs/{run_id}/{part}", run_fragment),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            st.close()

    app = Starlette(
        routes=routes, exception_handlers={Problem: problem, 404: not_found}, lifespan=lifespan
    )
    app.state.godel = st
    return TokenGuard(app, token, allowed_hosts)
