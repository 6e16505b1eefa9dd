"""Staff roles and what each may do: the need-to-know rule of the notice, section 5.

Four roles, each given only what its work needs:

- **dpo**, the data protection officer: everything, including assigning requests and
  managing staff accounts;
- **handler**, a case handler: takes in requests, and sees and decides only the requests
  assigned to them (their personal data included), never anyone else's;
- **engineer**: the data map, the systems and the programme; never a request or any
  personal data;
- **auditor**: reads the audit log and the register and verifies the chain; no personal data.

The table below is the whole policy: a permission not listed for a role is refused. Nothing
is inherited or implied, so that reading one line tells what a role may do, and adding a
permission grants it to nobody until a line says so.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DPO = "dpo"
    HANDLER = "handler"
    ENGINEER = "engineer"
    AUDITOR = "auditor"


class Permission(StrEnum):
    REQUESTS_VIEW_ALL = "requests.view_all"  # every request, with its personal data
    REQUESTS_VIEW_ASSIGNED = "requests.view_assigned"  # one's own requests, with theirs
    REQUESTS_DECIDE = "requests.decide"  # only on requests one may see (can_see_request)
    REQUESTS_INTAKE = "requests.intake"  # register a request received by post or phone
    REQUESTS_ASSIGN = "requests.assign"
    DATAMAP_VIEW = "datamap.view"  # the data map and its systems: structure, never rows
    PROGRAMME_VIEW = "programme.view"
    REGISTER_VIEW = "register.view"  # the Art. 30 register
    AUDIT_VIEW = "audit.view"  # the audit log, which holds no personal data in clear
    AUDIT_VERIFY = "audit.verify"
    USERS_MANAGE = "users.manage"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DPO: frozenset(Permission),
    Role.HANDLER: frozenset(
        {
            Permission.REQUESTS_VIEW_ASSIGNED,
            Permission.REQUESTS_DECIDE,
            Permission.REQUESTS_INTAKE,
        }
    ),
    Role.ENGINEER: frozenset({Permission.DATAMAP_VIEW, Permission.PROGRAMME_VIEW}),
    Role.AUDITOR: frozenset(
        {Permission.AUDIT_VIEW, Permission.AUDIT_VERIFY, Permission.REGISTER_VIEW}
    ),
}

ROLE_RULE = "one of " + ", ".join(role.value for role in Role)


def parse_role(text: str) -> Role:
    """The role named ``text``; :class:`ValueError` naming the roles if there is none."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValueError(f"{text!r} is not a role; a role is {ROLE_RULE}") from None


def allowed(role: Role | str, permission: Permission | str) -> bool:
    """Whether ``role`` has ``permission``; an unknown role or permission has nothing."""
    try:
        return Permission(permission) in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        # Fail closed: a role or permission this code does not know grants nothing.
        return False


def can_see_request(role: Role | str, username: str, assignee: str | None) -> bool:
    """Whether ``username`` (of ``role``) may see a request assigned to ``assignee``.

    Seeing a request means seeing its personal data, so this is the need-to-know rule: the
    DPO sees every request; a handler only those assigned to them (not unassigned ones,
    which the DPO assigns); no other role sees any.
    """
    if allowed(role, Permission.REQUESTS_VIEW_ALL):
        return True
    if not allowed(role, Permission.REQUESTS_VIEW_ASSIGNED):
        return False
    return assignee is not None and bool(username) and assignee == username
