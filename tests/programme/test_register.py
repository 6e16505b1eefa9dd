"""The Art. 30(1) register: what each row promises a reader (and the supervisory authority)."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from dataskydd import clock
from dataskydd.programme import Programme, load_programme, load_template
from dataskydd.programme.register import (
    COLUMNS,
    LABELS,
    RECIPIENT_KINDS,
    SECURITY_KINDS,
    UnknownController,
    build_register,
)
from dataskydd.programme.schema import RecipientKind, SecurityKind

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal" / "programme.yaml"


def _synthetic(n: int, tmp_path: Path) -> Programme:
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return load_programme(module.write_programme(tmp_path / f"synthetic-{n}", n))


def _load(data: dict[str, Any], tmp_path: Path) -> Programme:
    path = tmp_path / "programme.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_programme(path)


def _minimal() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


STATUTE = {
    "name": {"sv": "Penningtvättslagen", "en": "Anti-Money Laundering Act"},
    "reference": "SFS 2017:630 5 kap. 3 §",
}


@pytest.fixture
def lender(tmp_path: Path) -> Programme:
    """The minimal programme, plus what a lender has: AML retention, a transfer, a subsidiary."""
    data = _minimal()
    data["organisation"]["controllers"].append(
        {
            "key": "dotter",
            "name": "Dotter AB",
            "role": "subsidiary",
            "parent": "exempel",
            "org_number": "556000-0001",
        }
    )
    data["organisation"]["dpo"]["phone"] = "08-123 45 67"
    data["retention"] += [
        {
            "key": "aml",
            "covers": {"sv": "Kundkännedom", "en": "Customer due diligence"},
            "categories": ["identification"],
            "trigger": "relationship_ended",
            "minimum": "P5Y",
            "statute": STATUTE,
        },
        {
            "key": "loan-offers",
            "covers": {"sv": "Låneerbjudanden", "en": "Loan offers"},
            "trigger": "offer_lapsed",
            "maximum": "P3M",
        },
        {
            "key": "both",
            "covers": {"sv": "Båda", "en": "Both"},
            "trigger": "collected",
            "minimum": "P1Y",
            "maximum": "P2Y",
            "action": "anonymise",
        },
    ]
    data["categories"].append(
        {
            "key": "offences",
            "label": {"sv": "Brottsuppgifter", "en": "Offence data"},
            "criminal": True,
            "dpv": "dpv-pd:CriminalOffense",
            "fideslang": "user.criminal_history",
        }
    )
    data["purposes"].append(
        {
            "key": "aml",
            "title": {"sv": "Penningtvätt", "en": "Anti-money laundering"},
            "description": {"sv": "Vi följer lagen.", "en": "We follow the law."},
            "legal_bases": ["legal_obligation"],
            "art10_authority": "SFS 2017:630",
            "profiling": True,
        }
    )
    data["recipients"] += [
        {
            "key": "cloud",
            "label": {"sv": "Molnleverantör", "en": "Cloud provider"},
            "kind": "processor",
            "dpa_reference": "DPA-2024-007",
            "country": "US",
        },
        {"key": "police", "label": {"sv": "Polisen", "en": "The police"}, "kind": "authority"},
    ]
    data["transfers"] = [
        {
            "key": "cloud-us",
            "label": {"sv": "Molntjänst", "en": "Cloud service"},
            "recipient": "cloud",
            "countries": ["US"],
            "mechanism": "standard_contractual_clauses",
        },
        {
            "key": "consented",
            "label": {"sv": "På begäran", "en": "On request"},
            "recipient": "cloud",
            "countries": ["IN"],
            "mechanism": "derogation",
            "derogation": "explicit_consent",
        },
    ]
    data["activities"].append(
        {
            "key": "aml-screening",
            "name": {"sv": "Kundkännedom", "en": "Customer due diligence"},
            "controllers": ["dotter"],
            "purposes": ["aml", "contract"],
            "data_subjects": ["customer"],
            "categories": ["identification.national_id", "offences"],
            "sources": ["data_subject"],
            "recipients": ["police", "cloud", "it-supplier"],
            "transfers": ["cloud-us", "consented"],
            "retention": ["aml", "loan-offers", "both"],
            "security_measures": ["access-control"],
        }
    )
    return _load(data, tmp_path)


def _cell(row: Any, column: str) -> tuple[str, ...]:
    index = [key for key, _ in COLUMNS].index(column)
    cells: tuple[str, ...] = row.cells[index]
    return cells


def test_one_row_per_activity_in_programme_order(lender: Programme) -> None:
    register = build_register(lender)
    assert [row.key for row in register.rows] == [a.key for a in lender.activities]
    assert all(len(row.cells) == len(register.columns) == len(COLUMNS) for row in register.rows)


def test_every_activitys_row_names_the_dpo(tmp_path: Path) -> None:
    programme = _synthetic(40, tmp_path)
    for language, word in (("sv", "Dataskyddsombud"), ("en", "Data protection officer")):
        register = build_register(programme, language)
        for row in register.rows:
            assert f"{word}: dpo@example.se" in _cell(row, "controllers")


def test_each_row_names_its_controllers(lender: Programme) -> None:
    row = build_register(lender, "en").rows[1]
    assert _cell(row, "controllers")[0] == "Dotter AB (556000-0001, subsidiary)"


def test_an_aml_rule_reads_at_least_5_years_with_its_trigger_and_statute(lender: Programme) -> None:
    en = _cell(build_register(lender, "en").rows[1], "retention")
    sv = _cell(build_register(lender, "sv").rows[1], "retention")
    assert en[0] == (
        "Customer due diligence: at least 5 years after the business relationship ended "
        "(Anti-Money Laundering Act, SFS 2017:630 5 kap. 3 §)"
    )
    assert sv[0].startswith("Kundkännedom: minst 5 år efter avslutad affärsförbindelse")


def test_a_maximum_reads_up_to_and_both_bounds_read_together(lender: Programme) -> None:
    en = _cell(build_register(lender, "en").rows[1], "retention")
    assert en[1] == "Loan offers: up to 3 months after the offer lapsed"
    assert en[2] == "Both: at least 1 year, up to 2 years from collection, then anonymised"
    rule = build_register(lender, "en").rows[1].retention[0]
    assert (rule.minimum, rule.maximum, rule.trigger) == ("P5Y", None, "relationship_ended")


def test_each_purpose_names_its_legal_basis_and_article(lender: Programme) -> None:
    purposes = _cell(build_register(lender, "en").rows[1], "purposes")
    assert purposes == (
        "Anti-money laundering: Legal obligation (Art. 6(1)(c)) — Art. 10 authority: SFS 2017:630",
        "Contract: Performance of a contract (Art. 6(1)(b))",
    )
    swedish = _cell(build_register(lender, "sv").rows[0], "purposes")
    assert swedish == ("Avtal: Fullgörande av avtal (Art. 6(1)(b))",)


def test_national_id_and_criminal_data_are_flagged(lender: Programme) -> None:
    row = build_register(lender, "en").rows[1]
    assert _cell(row, "categories") == (
        "Personal identity number [national ID]",
        "Offence data [criminal offences, Art. 10]",
    )
    assert [(c.national_id, c.criminal) for c in row.categories] == [(True, False), (False, True)]


def test_recipients_are_listed_by_kind_and_processors_name_their_dpa(lender: Programme) -> None:
    row = build_register(lender, "en").rows[1]
    assert _cell(row, "recipients") == (
        "Public authority: The police",
        "Processor: Cloud provider (DPA DPA-2024-007, US)",
        "Processor: IT supplier (DPA DPA-2021-001)",
    )


def test_transfers_name_country_mechanism_and_article(lender: Programme) -> None:
    rows = build_register(lender, "en").rows
    assert _cell(rows[0], "transfers") == ("No transfer to a third country",)
    assert _cell(rows[1], "transfers") == (
        "Cloud service (Cloud provider) → US: Standard contractual clauses (Art. 46(2)(c))",
        "On request (Cloud provider) → IN: Derogation for a specific situation (Art. 49(1)(a))",
    )


def test_security_measures_sources_and_profiling_are_shown(lender: Programme) -> None:
    rows = build_register(lender, "sv").rows
    assert _cell(rows[0], "security") == ("Teknisk: Behörighetsstyrning",)
    assert _cell(rows[0], "sources") == ("Direkt från dig",)
    # The AML purpose profiles, so the activity that serves it does.
    assert (_cell(rows[0], "profiling"), _cell(rows[1], "profiling")) == (("Nej",), ("Ja",))


def test_the_header_names_group_controllers_dpo_date_and_notice_version(lender: Programme) -> None:
    with clock.frozen_at("2025-03-14"):
        header = build_register(lender, "en").header
    assert header.generated.isoformat() == "2025-03-14"
    assert (header.programme_key, header.notice_version) == ("minimal", "1")
    assert header.group_name == "Exempel AB"
    assert [c.key for c in header.controllers] == ["exempel", "dotter"]
    assert header.dpo == (
        "dpo@example.se",
        "08-123 45 67",
        "Exempel AB, Dataskyddsombud, Box 1, 111 11 Stockholm",
    )


def test_a_register_for_one_controller_has_only_its_activities(lender: Programme) -> None:
    register = build_register(lender, "en", controller="dotter")
    assert [row.key for row in register.rows] == ["aml-screening"]
    assert [c.key for c in register.header.controllers] == ["dotter"]
    assert register.header.controller == "dotter"


def test_an_unknown_controller_is_an_error_naming_the_known_ones(lender: Programme) -> None:
    with pytest.raises(UnknownController, match=r"no controller 'nope'.*exempel, dotter"):
        build_register(lender, controller="nope")


def test_every_heading_and_label_exists_in_swedish_and_english(lender: Programme) -> None:
    sv, en = build_register(lender, "sv"), build_register(lender, "en")
    assert all(a != b for a, b in zip(sv.columns, en.columns, strict=True))
    assert sv.header.title != en.header.title
    for table in (LABELS, RECIPIENT_KINDS, SECURITY_KINDS):
        for text in table.values():
            assert text.sv.strip() and text.en.strip()
    assert set(RECIPIENT_KINDS) == set(RecipientKind)
    assert set(SECURITY_KINDS) == set(SecurityKind)


# -- the bundled programme ----------------------------------------------------------------


def test_the_bundled_register_names_the_dpo_on_every_row() -> None:
    programme = load_template()
    register = build_register(programme, "sv")
    assert len(register.rows) == len(programme.activities)
    email = programme.organisation.dpo.email
    assert all(f"Dataskyddsombud: {email}" in _cell(row, "controllers") for row in register.rows)


def test_the_bundled_aml_rule_reads_at_least_5_years_after_the_relationship() -> None:
    row = next(r for r in build_register(load_template(), "en").rows if r.key == "aml-monitoring")
    aml = next(line for line in row.retention if line.key == "aml")
    assert "at least 5 years after the business relationship ended" in aml.text
    swedish = next(r for r in build_register(load_template(), "sv").rows if r.key == row.key)
    assert any(
        "minst 5 år efter avslutad affärsförbindelse" in t for t in _cell(swedish, "retention")
    )


def test_the_bundled_loan_offer_rule_reads_up_to_3_months() -> None:
    texts = [
        line.text for row in build_register(load_template(), "en").rows for line in row.retention
    ]
    assert "Loan offers: up to 3 months after the offer lapsed" in texts
