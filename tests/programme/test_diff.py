"""Comparing programme versions: which changes people must be told about, and which not."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from dataskydd.programme import Programme
from dataskydd.programme.diff import ProgrammeDiff, diff_programmes

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal" / "programme.yaml"
BASE: dict[str, Any] = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
OLD = Programme.model_validate(BASE)


def changed(edit: Callable[[dict[str, Any]], object]) -> ProgrammeDiff:
    """The diff from the minimal programme to a copy that ``edit`` changed."""
    data = copy.deepcopy(BASE)
    edit(data)
    return diff_programmes(OLD, Programme.model_validate(data))


def _purpose(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for p in data["purposes"] if p["key"] == key)


def _messages(diff: ProgrammeDiff) -> list[str]:
    return [r.message for r in diff.reasons]


def test_the_same_programme_has_no_changes() -> None:
    diff = diff_programmes(OLD, Programme.model_validate(copy.deepcopy(BASE)))
    assert diff.unchanged and not diff.significant
    assert diff.verdict == "no changes"


def test_a_reworded_label_is_not_significant() -> None:
    diff = changed(lambda d: _purpose(d, "contract")["title"].update(en="Our agreement"))
    assert not diff.significant
    [section] = diff.sections
    assert section.section == "purposes"
    [entry] = section.changed
    assert entry.key == "contract"
    assert [(f.field, f.old, f.new) for f in entry.fields] == [
        ("title.en", "Contract", "Our agreement")
    ]


def test_a_new_notice_version_and_date_are_not_significant() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["notice"].update(version="2", effective_date="2025-01-01")
        d["purposes"][0]["description"]["sv"] = "Vi fullgör vårt avtal med dig."

    diff = changed(edit)
    assert not diff.significant and diff.flag_agrees
    assert {s.section for s in diff.sections} == {"notice", "purposes"}


def test_a_new_purpose_is_significant() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["purposes"].append(
            {
                "key": "analytics",
                "title": {"sv": "Analys", "en": "Analytics"},
                "description": {"sv": "Vi analyserar.", "en": "We analyse."},
                "legal_bases": ["consent"],
            }
        )

    diff = changed(edit)
    assert diff.significant
    assert diff.sections[0].added == ("analytics",)
    assert _messages(diff) == ["new purpose 'analytics' (Analytics)"]


def test_a_changed_legal_basis_is_significant() -> None:
    diff = changed(lambda d: _purpose(d, "marketing").update(legal_bases=["consent"]))
    assert _messages(diff) == [
        "purpose 'marketing': legal basis changed from legitimate_interest to consent"
    ]


def test_a_new_special_category_of_data_is_significant_and_says_so() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["categories"].append(
            {
                "key": "health",
                "label": {"sv": "Hälsa", "en": "Health"},
                "special": True,
                "dpv": "dpv-pd:Health",
                "fideslang": "user.health_and_medical",
            }
        )

    assert _messages(changed(edit)) == ["new data category 'health' (special category, Art. 9)"]


def test_a_category_newly_marked_national_id_is_significant() -> None:
    diff = changed(lambda d: d["categories"][2].update(national_id=True))
    assert _messages(diff) == ["data category 'contact' is now a national identity number"]


def test_a_new_recipient_is_a_significant_change() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["recipients"].append(
            {
                "key": "bureau",
                "label": {"sv": "UC", "en": "UC"},
                "kind": "credit_bureau",
            }
        )

    assert _messages(changed(edit)) == ["new recipient 'bureau' (credit_bureau)"]


def test_a_recipient_changing_kind_is_significant() -> None:
    diff = changed(lambda d: d["recipients"][0].update(kind="group_company"))
    assert _messages(diff) == ["recipient 'it-supplier' changed kind: processor → group_company"]


def test_a_new_transfer_and_a_changed_mechanism_are_significant() -> None:
    transfer = {
        "key": "us",
        "label": {"sv": "USA", "en": "USA"},
        "recipient": "it-supplier",
        "countries": ["US"],
        "mechanism": "adequacy",
    }

    def add(d: dict[str, Any]) -> None:
        d["transfers"] = [transfer]

    assert _messages(changed(add)) == ["new transfer to a third country 'us' (US, adequacy)"]

    before = Programme.model_validate({**copy.deepcopy(BASE), "transfers": [transfer]})
    after = Programme.model_validate(
        {
            **copy.deepcopy(BASE),
            "transfers": [{**transfer, "mechanism": "standard_contractual_clauses"}],
        }
    )
    assert _messages(diff_programmes(before, after)) == [
        "transfer 'us': mechanism changed from adequacy to standard_contractual_clauses"
    ]


def test_a_longer_retention_is_significant_and_a_shorter_one_is_not() -> None:
    longer = changed(lambda d: d["retention"][0].update(maximum="P12Y"))
    assert _messages(longer) == [
        "retention rule 'contract-evidence': maximum lengthened from P10Y to P12Y"
    ]
    shorter = changed(lambda d: d["retention"][0].update(maximum="P7Y"))
    assert not shorter.significant
    assert shorter.sections[0].changed[0].fields[0].field == "maximum"


def test_a_minimum_added_to_a_retention_rule_is_significant() -> None:
    diff = changed(lambda d: d["retention"][0].update(minimum="P5Y"))
    assert _messages(diff) == ["retention rule 'contract-evidence': a minimum of P5Y was added"]


def test_profiling_and_automated_decisions_newly_used_are_significant() -> None:
    def edit(d: dict[str, Any]) -> None:
        _purpose(d, "marketing")["profiling"] = True
        d["automated_decisions"].update(
            used=True, logic={"sv": "Poäng avgör.", "en": "A score decides."}
        )

    assert _messages(changed(edit)) == [
        "purpose 'marketing' now involves profiling",
        "automated decisions (Art. 22) are now used",
    ]


def test_any_change_to_a_right_needs_review() -> None:
    diff = changed(lambda d: d["rights"][2]["text"].update(en="You may ask us to erase data."))
    assert diff.significant
    assert _messages(diff) == [
        "the text of the right 'erasure' changed; review whether it narrows the right"
    ]


def test_a_changed_dpo_contact_or_controller_is_significant() -> None:
    dpo = changed(lambda d: d["organisation"]["dpo"].update(email="privacy@example.se"))
    assert _messages(dpo) == ["the DPO's contact details changed"]
    controller = changed(lambda d: d["organisation"]["controllers"][0].update(name="Nytt AB"))
    assert _messages(controller) == ["controller 'exempel' changed: Exempel AB → Nytt AB"]


def test_an_activity_that_now_discloses_to_another_recipient_is_significant() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["recipients"].append(
            {"key": "bank", "label": {"sv": "Bank", "en": "Bank"}, "kind": "bank"}
        )
        d["activities"][0]["recipients"].append("bank")

    assert _messages(changed(edit)) == [
        "new recipient 'bank' (bank)",
        "activity 'customer-administration' now discloses to: bank",
    ]


def test_removing_a_purpose_is_listed_but_not_significant() -> None:
    diff = changed(lambda d: d.update(purposes=[_purpose(d, "contract")]))
    assert diff.sections[0].removed == ("marketing",)
    assert not diff.significant


def test_a_significant_change_flagged_not_significant_is_called_out() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["notice"]["version"] = "2"
        _purpose(d, "marketing")["legal_bases"] = ["consent"]

    diff = changed(edit)
    assert not diff.flag_agrees
    assert diff.verdict == (
        "the new version (2) is flagged not significant, but these changes are: "
        "purpose 'marketing': legal basis changed from legitimate_interest to consent"
    )


def test_a_significant_change_flagged_significant_agrees() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["notice"].update(version="2", significant_change=True)
        _purpose(d, "marketing")["legal_bases"] = ["consent"]

    diff = changed(edit)
    assert diff.significant and diff.flag_agrees


def test_a_flag_without_a_significant_change_is_noted() -> None:
    diff = changed(lambda d: d["notice"].update(version="2", significant_change=True))
    assert not diff.flag_agrees
    assert "flagged significant, but no change needs it" in diff.verdict


def test_a_changed_programme_under_the_same_version_is_warned_about() -> None:
    diff = changed(lambda d: d["recipients"][0]["label"].update(en="IT partner"))
    assert diff.warnings == ("the programme changed but the notice version is still 1",)


@pytest.mark.parametrize("significant", [False, True])
def test_the_diff_serialises_to_json(significant: bool) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["notice"]["version"] = "2"
        if significant:
            d["retention"][0]["minimum"] = "P1Y"

    data = json.loads(json.dumps(changed(edit).to_dict()))
    assert data["significant"] is significant
    assert data["sections"][-1]["section"] == "notice"
    assert data["sections"][-1]["changed"][0]["fields"] == [
        {"field": "version", "old": "1", "new": "2"}
    ]
