"""The portal web app: personal-link pages for heads of OPD, employees and BKD operators.

Every request names a link (``/l/<token>``, or its short form ``/s/<code>`` from a printed
letter, which leads to it); the link decides the period, scope, purpose and
person, never the form. Actions go through review.service (portal.actions) and every
view, submission and refusal is written to audit_event with the link id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.types import Message

from kinerja.db.audit import record_event
from kinerja.db.links import claim_link, get_link, release_link
from kinerja.db.models import Evidence
from kinerja.db.refusals import count_refusal
from kinerja.db.session import make_engine, session_scope
from kinerja.domain import utcnow
from kinerja.portal import actions
from kinerja.portal.csrf import check_csrf, make_csrf
from kinerja.portal.format import helpers
from kinerja.portal.pages import (
    ALL_SCOPES,
    PAGES,
    Form,
    Page,
    holder_refusal,
    names_of,
    parse_defence,
    parse_selection,
    parse_verdict,
    recorded,
    refusal_from,
    refusal_page,
    selection_confirm_page,
)
from kinerja.portal.people import DECIDER
from kinerja.review.deciders import decider_of
from kinerja.review.evidence import Limits, Upload, evidence_root, read_stored
from kinerja.review.links import LinkClaims, LinkRefused, resolve_short, verify
from kinerja.review.secret import portal_key
from kinerja.review.service import PausedRuns
from kinerja.review.validate import duplicate_nips
from kinerja.settings import Settings, get_settings
from kinerja.templates import environment

FORM_SLACK = 256 * 1024  # bytes of text fields and multipart framing beside the files
# A form without files: every reason and a 5,000-character defence fit in it several times.
FORM_MAX_BYTES = 64 * 1024
ANSWER_FIELDS = ("choice_", "verdict_")  # one per NIP answered: a NIP sent twice is refused
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    # The token is in the URL: never hand it to another site in a Referer header.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class Portal:
    """The request handlers, bound to one engine, one settings object and the paused runs."""

    def __init__(
        self, engine: Engine | None, settings: Settings, runs: PausedRuns | None = None
    ) -> None:
        self._engine = engine
        self.settings = settings
        self.runs = runs  # None: answers are recorded, the deadline sweeper wakes the runs
        self._secret: bytes | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = portal_key(self.settings)
        return self._secret

    def render(self, page: Page) -> HTMLResponse:
        html = environment().get_template(page.template).render(**helpers(), **page.context)
        return HTMLResponse(html, status_code=page.status)

    def _refused(self, session: Session, exc: LinkRefused, ip: str, method: str) -> HTMLResponse:
        link = get_link(session, exc.link_id) if exc.link_id else None
        if link is None:
            # No link of ours: anyone can send these, so they are counted per minute and
            # source (bounded) rather than written as one audit row each.
            count_refusal(session, source=ip, reason=f"{method} {exc.reason}", at=utcnow())
            return self.render(refusal_from(session, exc))
        record_event(
            session,
            actor=link.person_nip if link is not None else "anonim",
            action="link_refused",
            period=link.period if link is not None else None,
            scope_code=link.scope_code if link is not None else None,
            link_id=exc.link_id,
            detail={"reason": exc.reason, "why": exc.detail, "ip": ip, "method": method},
        )
        return self.render(refusal_from(session, exc))

    def _audit(
        self,
        session: Session,
        claims: LinkClaims,
        action: str,
        actor: str | None = None,
        **detail: Any,
    ) -> None:
        record_event(
            session,
            actor=actor or claims.person_nip,
            action=action,
            period=claims.period,
            scope_code=claims.scope_code,
            link_id=claims.link_id,
            detail=detail,
        )

    def _holder(
        self, session: Session, claims: LinkClaims, ip: str, method: str
    ) -> HTMLResponse | None:
        """A refusal page when a selection or verdict link is not held by the scope's head."""
        reason = holder_refusal(session, claims)
        if reason is None:
            return None
        self._audit(session, claims, "link_refused", reason=reason, ip=ip, method=method)
        return self.render(refusal_page(session, reason, claims.link_id))

    # --- GET ----------------------------------------------------------------------------------

    def view(self, token: str, ip: str) -> HTMLResponse:
        with session_scope(self.engine) as session:
            try:
                claims = verify(session, token, settings=self.settings)
            except LinkRefused as exc:
                return self._refused(session, exc, ip, "GET")
            if refusal := self._holder(session, claims, ip, "GET"):
                return refusal
            page = PAGES[claims.purpose](
                session, claims, Form(make_csrf(self.secret, claims.link_id), token=token)
            )
            self._audit(session, claims, f"view_{claims.purpose}", ip=ip)
            return self.render(page)

    def short(self, code: str, ip: str) -> Response:
        """A short code from paper leads to its link's page (checked there as any link)."""
        with session_scope(self.engine) as session:
            try:
                token = resolve_short(session, code, settings=self.settings)
            except LinkRefused as exc:
                return self._refused(session, exc, ip, "GET")
        return RedirectResponse(f"/l/{token}", status_code=303)

    # --- POST ---------------------------------------------------------------------------------

    def evidence(self, token: str, evidence_id: int, ip: str) -> Response:
        """A defence file, only through the decider's verdict link or BKD's overview link."""
        with session_scope(self.engine) as session:
            try:
                claims = verify(session, token, settings=self.settings)
            except LinkRefused as exc:
                return self._refused(session, exc, ip, "GET")
            if refusal := self._holder(session, claims, ip, "GET"):
                return refusal
            row = session.get(Evidence, evidence_id)
            allowed = (
                row is not None
                and claims.purpose in ("verdict", "overview")
                and row.period == claims.period
                and claims.scope_code in (row.scope_code, ALL_SCOPES)
            )
            if row is None or not allowed:
                self._audit(session, claims, "evidence_refused", ip=ip, evidence_id=evidence_id)
                return self.render(refusal_page(session, "evidence"))
            try:
                data = read_stored(evidence_root(self.settings), row.stored_as, row.sha256)
            except (OSError, ValueError) as exc:  # missing, or no longer what was received
                self._audit(
                    session, claims, "evidence_unreadable", ip=ip, evidence_id=row.id,
                    why=f"{type(exc).__name__}: {exc}",
                )  # fmt: skip
                return self.render(refusal_page(session, "evidence_unreadable"))
            self._audit(
                session, claims, "view_evidence", ip=ip, evidence_id=row.id, nip=row.nip,
                sha256=row.sha256,
            )  # fmt: skip
            return Response(
                data,
                media_type=row.media_type,
                headers={"Content-Disposition": f'attachment; filename="{row.filename}"'},
            )

    def check_post(self, token: str, ip: str) -> tuple[LinkClaims | None, HTMLResponse | None]:
        """The link's claims before its body is read, or the refusal page (nothing is read)."""
        with session_scope(self.engine) as session:
            try:
                return verify(session, token, settings=self.settings), None
            except LinkRefused as exc:
                return None, self._refused(session, exc, ip, "POST")

    def too_large(self, token: str, ip: str) -> HTMLResponse:
        """A submission larger than the evidence limits allow, refused before it is read."""
        with session_scope(self.engine) as session:
            try:
                claims = verify(session, token, settings=self.settings)
            except LinkRefused as exc:
                return self._refused(session, exc, ip, "POST")
            self._audit(session, claims, "submit_refused", ip=ip, why="too large")
            return self.render(refusal_page(session, "too_large"))

    def submit(
        self,
        token: str,
        fields: dict[str, str],
        ip: str,
        files: list[Upload] | None = None,
        names: list[str] | None = None,
    ) -> HTMLResponse:
        with session_scope(self.engine) as session:
            try:
                claims = verify(session, token, settings=self.settings)
            except LinkRefused as exc:
                return self._refused(session, exc, ip, "POST")
            if refusal := self._holder(session, claims, ip, "POST"):
                return refusal
            if not check_csrf(self.secret, claims.link_id, fields.get("csrf")):
                self._audit(session, claims, "csrf_refused", ip=ip)
                return self.render(refusal_page(session, "csrf"))
            if claims.purpose == "overview":
                self._audit(session, claims, "submit_refused", ip=ip, why="read-only page")
                return self.render(refusal_page(session, "method"))
            parsed, errors = self._parse(session, claims, fields, files or [])
            # A NIP (or any field) sent twice is refused, never collapsed: the first answer
            # would be lost without anyone knowing.
            answered = [k.split("_", 1)[1] for k in names or [] if k.startswith(ANSWER_FIELDS)]
            repeated = sorted(k for k, n in Counter(names or []).items() if n > 1)
            if twice := duplicate_nips(answered):
                errors["_form"] = "; ".join(twice)
            elif repeated:
                errors["_form"] = "Isian berikut dikirim lebih dari sekali: " + ", ".join(repeated)
            if errors:
                self._audit(session, claims, "submit_invalid", ip=ip, errors=errors)
                form = Form(make_csrf(self.secret, claims.link_id), errors, fields, token)
                page = PAGES[claims.purpose](session, claims, form)
                return self.render(page)
            if claims.purpose == "selection" and fields.get("step") != "confirm":
                # A selection is sent once: the head sees it by name first, then confirms
                # (or goes back to the form with what they wrote).
                form = Form(make_csrf(self.secret, claims.link_id), {}, fields, token)
                if fields.get("step") == "edit":
                    return self.render(PAGES["selection"](session, claims, form))
                return self.render(selection_confirm_page(session, claims, form, parsed))
            # The link's person acts: for selection and verdict links they were just checked
            # to be the scope's head, for defence links the service checks they were selected.
            actor = claims.person_nip
            action = f"submit_{claims.purpose}"
            if not claim_link(session, claims.link_id, action, utcnow()):
                self._audit(session, claims, "link_refused", ip=ip, reason="used", why="race")
                return self.render(refusal_page(session, "used", claims.link_id))
        # The claim is committed before the service runs: it writes through its own connection,
        # and a second request with the same link must already see the link as used.
        try:
            summary = self._act(claims, actor, parsed)
        except actions.ActionRefused as exc:
            return self._undo(claims, actor, action, ip, "state", exc.problems)
        except Exception as exc:
            why = f"{type(exc).__name__}: {exc}"
            with session_scope(self.engine) as session:
                # The service commits before it resumes the run: if the decision is in, a
                # failed resume is the sweeper's job and the person must not be asked again.
                done = recorded(session, claims, parsed)
            if not done:
                return self._undo(claims, actor, action, ip, "error", [why])
            summary = self._summary(claims, parsed) | {"resume_error": why}
        with session_scope(self.engine) as session:
            self._audit(session, claims, action, actor=actor, ip=ip, **summary)
            page = Page(
                "portal/done.html",
                200,
                {
                    "purpose": claims.purpose,
                    "summary": summary,
                    "period": claims.period,
                    "decider": decider_of(session, claims.scope_code).title
                    if claims.scope_code != ALL_SCOPES
                    else DECIDER,
                    "names": names_of(session, _nips_in(summary)),
                },
            )
            return self.render(page)

    def _undo(
        self,
        claims: LinkClaims,
        actor: str,
        action: str,
        ip: str,
        reason: str,
        problems: list[str],
    ) -> HTMLResponse:
        with session_scope(self.engine) as session:
            release_link(session, claims.link_id, action)
            self._audit(session, claims, "submit_refused", actor=actor, ip=ip, problems=problems)
            page = refusal_page(session, reason, claims.link_id)
            page.context["problems"] = problems if reason == "state" else []
            return self.render(page)

    def _parse(
        self, session: Session, claims: LinkClaims, fields: dict[str, str], files: list[Upload]
    ) -> tuple[Any, dict[str, str]]:
        if claims.purpose == "selection":
            return parse_selection(session, claims, fields)
        if claims.purpose == "defence":
            return parse_defence(session, claims, fields, files)
        return parse_verdict(session, claims, fields)

    def _summary(self, claims: LinkClaims, parsed: Any) -> dict[str, Any]:
        """What the audit trail and the done page keep about an action."""
        if claims.purpose == "selection":
            return {
                "selected": sorted(n for n, (sel, _) in parsed.items() if sel),
                "not_selected": sorted(n for n, (sel, _) in parsed.items() if not sel),
            }
        if claims.purpose == "defence":
            return {
                "nip": claims.person_nip,
                "chars": len(parsed.text),
                "files": len([f for f in parsed.files if f.data]),
                "objections": len(parsed.objections),
            }
        return {
            "verdicts": {n: "accepted" if v.accepted else "rejected" for n, v in parsed.items()}
        }

    def _act(self, claims: LinkClaims, actor: str, parsed: Any) -> dict[str, Any]:
        """Call the review service; returns what the audit trail keeps about the action."""
        if claims.purpose == "selection":
            actions.submit_selection(
                self.engine, claims.period, claims.scope_code, actor, parsed, self.runs
            )
            return self._summary(claims, parsed)
        if claims.purpose == "defence":
            actions.submit_defence(
                self.engine, claims.period, claims.scope_code, claims.person_nip, actor,
                parsed.text, parsed.files, parsed.objections, self.runs,
            )  # fmt: skip
            return self._summary(claims, parsed)
        done: dict[str, str] = {}
        for nip, verdict in parsed.items():
            accepted = verdict.accepted
            try:
                actions.submit_verdict(
                    self.engine, claims.period, claims.scope_code, nip, actor, accepted,
                    verdict.reason, verdict.rulings, self.runs,
                )  # fmt: skip
            except actions.ActionRefused:
                if not done:
                    raise
                # Earlier verdicts are recorded: keep the link used and report what failed.
                done[nip] = "refused"
                continue
            done[nip] = "accepted" if accepted else "rejected"
        return {"verdicts": done}


def create_app(
    engine: Engine | None = None,
    settings: Settings | None = None,
    runs: PausedRuns | None = None,
) -> FastAPI:
    """The portal app; the engine is built from settings on first use when not given.

    `runs` wakes a review's paused run after an answer is recorded (kinerja.runs.paused, given
    by `kinerja portal serve`); without it the deadline sweeper wakes them.
    """
    portal = Portal(engine, settings or get_settings(), runs)
    app = FastAPI(title="Portal Kinerja", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return portal.render(Page("portal/index.html"))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/static/portal.css")
    def stylesheet() -> Response:
        css = resources.files("kinerja.portal").joinpath("static/portal.css")
        return Response(css.read_text(encoding="utf-8"), media_type="text/css")

    @app.get("/l/{token}", response_class=HTMLResponse)
    async def view_link(token: str, request: Request) -> HTMLResponse:
        return await run_in_threadpool(portal.view, token, _ip(request))

    @app.get("/s/{code}")
    async def short_link(code: str, request: Request) -> Response:
        return await run_in_threadpool(portal.short, code, _ip(request))

    @app.get("/l/{token}/bukti/{evidence_id}")
    async def evidence_file(token: str, evidence_id: int, request: Request) -> Response:
        return await run_in_threadpool(portal.evidence, token, evidence_id, _ip(request))

    @app.post("/l/{token}", response_class=HTMLResponse)
    async def submit_link(token: str, request: Request) -> HTMLResponse:
        ip = _ip(request)
        # The link is checked before a byte of the body is read: an anonymous post costs a
        # signature check and a counter, whatever it sends.
        claims, refusal = await run_in_threadpool(portal.check_post, token, ip)
        if refusal is not None or claims is None:
            return refusal or portal.render(refusal_page(None, "invalid"))
        limits = Limits.from_settings(portal.settings)
        multipart = request.headers.get("content-type", "").startswith("multipart/")
        cap = (
            limits.max_total_bytes + FORM_SLACK
            if claims.purpose == "defence" and multipart
            else FORM_MAX_BYTES
        )
        try:
            declared = int(request.headers.get("content-length") or 0)
        except ValueError:
            declared = cap + 1
        body = await _read_capped(request, cap) if declared <= cap else None
        if body is None:  # past the cap, declared or streamed: refused, the rest is not read
            return await run_in_threadpool(portal.too_large, token, ip)
        try:
            form = await Request(request.scope, _replay(body)).form(max_files=limits.max_files)
        except (MultiPartException, HTTPException):  # more files than allowed (400 in Starlette)
            return await run_in_threadpool(portal.too_large, token, ip)
        names = [k for k, v in form.multi_items() if isinstance(v, str)]
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        files = []
        for _, value in form.multi_items():
            if isinstance(value, UploadFile) and (value.filename or value.size):
                data = await value.read(limits.max_file_bytes + 1)
                files.append(Upload(value.filename or "", data))
        return await run_in_threadpool(portal.submit, token, fields, ip, files, names)

    return app


def _nips_in(summary: dict[str, Any]) -> list[str]:
    """The people a result page names: those selected or not, or whose defence was decided."""
    nips = [*summary.get("selected", []), *summary.get("not_selected", [])]
    return nips + list(summary.get("verdicts", {}))


async def _read_capped(request: Request, cap: int) -> bytes | None:
    """The body, or None as soon as it passes `cap` bytes (the rest is never read)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            return None
    return bytes(body)


def _replay(body: bytes) -> Callable[[], Awaitable[Message]]:
    """An ASGI receive that hands the already-read body to the form parser."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _ip(request: Request) -> str:
    return request.client.host if request.client else "-"
