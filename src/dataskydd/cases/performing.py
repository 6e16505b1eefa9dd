"""What executing each kind of request does, and the answer it produces (sv or en).

Rights that read or change the connected systems (access, portability, erasure) run outside
the app store's transaction, each resumable on its own; rights that only change the app store
(restriction, objection, consent withdrawal) run inside the transaction that marks the
request answered, so they happen exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dataskydd.cases import withholding
from dataskydd.cases.kinds import CaseError, RequestKind
from dataskydd.cases.sealed import Opened
from dataskydd.cases.timeline import add_event
from dataskydd.consent import records as consent_records
from dataskydd.datamap.loader import read_datamap
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.schema import Programme
from dataskydd.retention import legal_holds
from dataskydd.rights import objection, restriction
from dataskydd.rights.access import build_answer
from dataskydd.rights.erasure import Ground
from dataskydd.rights.erasure_answer import letter as erasure_letter
from dataskydd.rights.erasure_plan import ErasurePlanner
from dataskydd.rights.erasure_run import execute as execute_erasure
from dataskydd.rights.erasure_run import record as record_erasure
from dataskydd.rights.formats.package import to_zip
from dataskydd.rights.portability import portable_data
from dataskydd.rights.portability_formats import portability_zip
from dataskydd.rights.rectification import RectificationError, RectificationPlanner
from dataskydd.rights.rectification_run import RectificationRefused
from dataskydd.rights.rectification_run import apply as apply_rectification
from dataskydd.rights.resolution import Resolution
from dataskydd.rights.service import Estate, find_person, open_estate
from dataskydd.store.case_tables import RequestEventRecord
from dataskydd.store.engine import session_scope

ESTATE_KINDS = frozenset(
    {RequestKind.ACCESS, RequestKind.PORTABILITY, RequestKind.ERASURE, RequestKind.RECTIFICATION}
)
STORE_KINDS = frozenset(
    {RequestKind.RESTRICTION, RequestKind.OBJECTION, RequestKind.CONSENT_WITHDRAWAL}
)
MARKDOWN = "text/markdown; charset=utf-8"

CONFIRMATIONS: dict[RequestKind, dict[str, str]] = {
    RequestKind.RESTRICTION: {
        "sv": "Vi har begränsat behandlingen av dina personuppgifter. Tills begränsningen hävs "
        "lagrar vi dem bara, och använder dem i övrigt endast med ditt samtycke, för att "
        "fastställa, göra gällande eller försvara rättsliga anspråk, för att skydda någon annans "
        "rättigheter eller av viktiga skäl av allmänintresse. Vi meddelar dig innan "
        "begränsningen hävs.",
        "en": "We have restricted the processing of your personal data. Until the restriction "
        "is lifted we only store it, and otherwise use it only with your consent, to establish, "
        "exercise or defend legal claims, to protect another person's rights or for important "
        "reasons of public interest. We will tell you before the restriction is lifted.",
    },
    RequestKind.OBJECTION: {
        "sv": "Vi har tagit emot din invändning och slutat behandla dina personuppgifter för "
        "det ändamål du invände mot. Invänder du mot direktmarknadsföring slutar vi alltid, och "
        "vi ser till att du inte heller får marknadsföring via köpta adresslistor.",
        "en": "We have received your objection and stopped processing your personal data for "
        "the purpose you objected to. An objection to direct marketing always stops it, and we "
        "make sure that you are not reached through purchased address lists either.",
    },
    RequestKind.CONSENT_WITHDRAWAL: {
        "sv": "Du har återkallat ditt samtycke. Vi behandlar inte längre dina personuppgifter "
        "för det ändamålet. Behandling som skett innan du återkallade samtycket påverkas inte.",
        "en": "You have withdrawn your consent. We no longer process your personal data for "
        "that purpose. Processing that took place before the withdrawal is not affected.",
    },
    RequestKind.COMPLAINT: {
        "sv": "Dataskyddsombudet har tagit emot och besvarat ditt meddelande. Du har också "
        "rätt att lämna klagomål till Integritetsskyddsmyndigheten (IMY), imy@imy.se, "
        "Box 8114, 104 20 Stockholm.",
        "en": "The data protection officer has received and answered your message. You also "
        "have the right to complain to the Swedish Authority for Privacy Protection (IMY), "
        "imy@imy.se, Box 8114, 104 20 Stockholm.",
    },
    RequestKind.RECTIFICATION: {
        "sv": "Vi har rättat dina personuppgifter i de system där de finns. Uppgifter i fritext "
        "och i system som inte kan ändras automatiskt rättar en handläggare för hand.",
        "en": "We have corrected your personal data in the systems that hold it. Data in free "
        "text and in systems that cannot be changed automatically is corrected by a handler.",
    },
}
TITLE = {"sv": "Svar på din begäran", "en": "Answer to your request"}


@dataclass(frozen=True)
class Performed:
    filename: str
    media_type: str
    content: bytes
    summary: str  # for the timeline: counts and kinds, never values


def confirmation(kind: RequestKind, reference: str, language: str) -> Performed:
    text = f"# {TITLE[language]} {reference}\n\n{CONFIRMATIONS[kind][language]}\n"
    return Performed(
        f"svar-{reference}.md", MARKDOWN, text.encode("utf-8"), f"{kind.value} confirmed"
    )


def perform(
    engine: Engine,
    *,
    request_id: str,
    reference: str,
    kind: RequestKind,
    opened: Opened,
    language: str,
    decided_by: str,
    programme: Programme,
    datamap_dir: Path | None,
) -> Performed:
    """Carry out a request that reads or changes the connected systems (or only answers)."""
    if kind not in ESTATE_KINDS:
        return confirmation(kind, reference, language)
    if datamap_dir is None:
        raise CaseError("no data map is configured: set DATASKYDD_DATAMAP")
    loaded = read_datamap(datamap_dir, programme)
    with open_estate(loaded.datamap, loaded.directory) as estate:
        resolution = find_person(estate, opened.identities)
        if not resolution.complete:
            raise CaseError("a system could not be asked; the request is tried again later")
        if kind is RequestKind.ACCESS:
            answer = build_answer(resolution, loaded.datamap, programme)
            withholding.apply(answer, opened.withheld)
            data = to_zip(answer, language, datamap=loaded.datamap)  # type: ignore[arg-type]
            return Performed(
                f"svar-{reference}.zip", "application/zip", data, f"{len(answer.items)} items"
            )
        if kind is RequestKind.PORTABILITY:
            tables = portable_data(resolution, loaded.datamap, programme)
            return Performed(
                f"data-{reference}.zip",
                "application/zip",
                portability_zip(tables),
                f"{len(tables)} tables",
            )
        if kind is RequestKind.RECTIFICATION:
            return _rectify(
                engine, estate, resolution, opened, reference, language, decided_by, programme
            )
        grounds = [Ground(g) for g in opened.payload.get("grounds") or ["consent_withdrawn"]]
        run_id = _recorded_run(engine, request_id)
        with session_scope(engine) as session:
            found = [(i.kind, i.value) for i in resolution.identities]
            holds = legal_holds.active_holds(session, [*opened.identities, *found])
        plan = ErasurePlanner(programme, estate).plan(resolution, grounds, legal_holds=holds)
        if run_id is None:
            run_id = record_erasure(engine, [plan], loaded.datamap, decided_by, programme=programme)
            with session_scope(engine, write=True) as session:
                add_event(session, request_id, decided_by, "erasure_run", run_id)
        result = execute_erasure(engine, estate, run_id, actor=decided_by)
        if result.status != "verified":
            raise CaseError(f"erasure run {run_id} did not verify")
        text = erasure_letter(plan, programme, loaded.datamap, language)  # type: ignore[arg-type]
        return Performed(
            f"svar-{reference}.md", MARKDOWN, text.encode("utf-8"), f"erasure run {run_id}"
        )


def _rectify(
    engine: Engine,
    estate: Estate,
    resolution: Resolution,
    opened: Opened,
    reference: str,
    language: str,
    decided_by: str,
    programme: Programme,
) -> Performed:
    """Apply the correction the person asked for; what a person must do becomes a task."""
    planner = RectificationPlanner(programme, estate)
    try:
        target = planner.target(
            opened.payload.get("category") or "", opened.payload.get("new_value") or ""
        )
    except RectificationError as error:
        raise CaseError(f"details.{error.field}: {error.reason}") from None
    plan = planner.plan(resolution, target)
    try:
        result = apply_rectification(engine, estate, plan, decided_by=decided_by)
    except RectificationRefused as error:
        raise CaseError(str(error)) from None
    if not result.ok:
        raise CaseError(f"rectification {result.rectification_id} did not complete")
    answer = confirmation(RequestKind.RECTIFICATION, reference, language)
    counts = plan.counts()
    summary = f"{counts['update']} corrected, {len(result.tasks)} task(s)"
    return Performed(answer.filename, answer.media_type, answer.content, summary)


def _recorded_run(engine: Engine, request_id: str) -> str | None:
    """The erasure run an earlier attempt recorded, so that a retry resumes it."""
    with session_scope(engine) as session:
        return session.scalars(
            select(RequestEventRecord.note).where(
                RequestEventRecord.request_id == request_id,
                RequestEventRecord.event == "erasure_run",
            )
        ).first()


def perform_in_store(
    session: Session,
    *,
    kind: RequestKind,
    opened: Opened,
    decided_by: str,
    programme: Programme,
) -> str:
    """Record a restriction, objection or withdrawal; returns the timeline's summary."""
    identities: Sequence[tuple[IdentityKind, str]] = opened.identities
    payload = opened.payload
    if kind is RequestKind.RESTRICTION:
        restriction.restrict(
            session,
            identities,
            payload.get("reason") or "accuracy_contested",
            categories=[payload["category"]] if payload.get("category") else (),
            actor=decided_by,
            programme=programme,
        )
        return "restricted"
    if kind is RequestKind.OBJECTION:
        if payload.get("direct_marketing") or not payload.get("purpose"):
            objection.object_to_direct_marketing(session, programme, identities, decided_by)
            return "objected to direct marketing"
        objection.object_to(session, programme, identities, payload["purpose"], actor=decided_by)
        return f"objected to {payload['purpose']}"
    if kind is RequestKind.CONSENT_WITHDRAWAL:
        purposes = (
            [payload["purpose"]]
            if payload.get("purpose")
            else [
                p.key for p in programme.purposes if consent_records.consent_based(programme, p.key)
            ]
        )
        withdrawn = sum(
            len(consent_records.withdraw(session, identities, p, decided_by)) for p in purposes
        )
        return f"{withdrawn} consent(s) withdrawn"
    return "answered"
