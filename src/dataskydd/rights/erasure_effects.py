"""What an executed erasure leaves in force: kept data restricted, marketing suppressed.

Data kept under a retention rule, an active contract or a legal hold is restricted
(Art. 18, notice section 7 d): every purpose but what keeps it is denied by the permission
check. An erasure on the ground of an objection to direct marketing also records that
objection, and puts every identity of the person on the suppression list, so that the next
purchased contact list drops them (Art. 21(3)).

The effects are written in the transaction that records the decision (``erasure_run.record``),
before anything is erased: a run that dies and is resumed has them already, and they can
never be applied twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dataskydd.programme.schema import Programme
from dataskydd.rights.erasure import ErasurePlan, Ground
from dataskydd.rights.objection import object_to_direct_marketing
from dataskydd.rights.restriction import RestrictionReason, restrict


@dataclass(frozen=True)
class Effects:
    restriction_id: int | None
    suppressed: int  # identities newly added to the suppression list


def apply_effects(session: Session, programme: Programme, plan: ErasurePlan, actor: str) -> Effects:
    """Restrict what the erasure keeps; suppress the person after a direct-marketing objection."""
    identities = sorted((i.kind, i.value) for i in plan.identities)
    restriction_id = None
    suppressed = 0
    kept = plan.kept_categories()
    if kept:
        restriction = restrict(
            session,
            identities,
            RestrictionReason.RETAINED_AFTER_ERASURE,
            categories=kept,
            note="kept after erasure under the rules named in the answer",
            actor=actor,
        )
        restriction_id = restriction.id
    if Ground.DIRECT_MARKETING_OBJECTION in plan.grounds:
        suppressed = object_to_direct_marketing(session, programme, identities, actor).suppressed
    return Effects(restriction_id, suppressed)
