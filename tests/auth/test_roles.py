"""Roles and need-to-know (notice section 5): every role against every permission."""

from __future__ import annotations

import pytest

from dataskydd.auth.roles import Permission, Role, allowed, can_see_request, parse_role

P = Permission
# The whole policy, written out independently of the code: True where a role may.
EXPECTED: dict[Role, set[Permission]] = {
    Role.DPO: set(Permission),
    Role.HANDLER: {P.REQUESTS_VIEW_ASSIGNED, P.REQUESTS_DECIDE, P.REQUESTS_INTAKE},
    Role.ENGINEER: {P.DATAMAP_VIEW, P.PROGRAMME_VIEW},
    Role.AUDITOR: {P.AUDIT_VIEW, P.AUDIT_VERIFY, P.REGISTER_VIEW},
}


@pytest.mark.parametrize("permission", list(Permission), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_role_against_every_permission(role: Role, permission: Permission) -> None:
    assert allowed(role, permission) is (permission in EXPECTED[role])
    assert allowed(role.value, permission.value) is (permission in EXPECTED[role])


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.AUDITOR])
def test_roles_without_personal_data_see_no_request_at_all(role: Role) -> None:
    assert not allowed(role, P.REQUESTS_VIEW_ALL)
    assert not allowed(role, P.REQUESTS_VIEW_ASSIGNED)
    assert not can_see_request(role, "erik", "erik")
    assert not can_see_request(role, "erik", None)


def test_a_handler_sees_only_the_requests_assigned_to_them() -> None:
    assert can_see_request(Role.HANDLER, "anna", "anna")
    assert not can_see_request(Role.HANDLER, "anna", "bengt")
    assert not can_see_request(Role.HANDLER, "anna", None)  # unassigned: the DPO assigns
    assert not can_see_request(Role.HANDLER, "", "")
    assert not can_see_request(Role.HANDLER, "anna", "Anna ")  # exact names only


def test_the_dpo_sees_every_request() -> None:
    for assignee in ("anna", None, "dpo"):
        assert can_see_request(Role.DPO, "dpo", assignee)


def test_unknown_roles_and_permissions_grant_nothing() -> None:
    assert not allowed("admin", P.REQUESTS_VIEW_ALL)
    assert not allowed(Role.DPO, "requests.delete_everything")
    assert not can_see_request("root", "root", "root")


def test_a_role_is_parsed_case_insensitively_and_a_wrong_one_names_the_roles() -> None:
    assert parse_role(" Handler ") is Role.HANDLER
    with pytest.raises(ValueError, match="'admin' is not a role; a role is one of dpo, handler"):
        parse_role("admin")
