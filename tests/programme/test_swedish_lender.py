"""The bundled swedish-lender programme is the seed notice transcribed completely.

The seed (Almi's "Personuppgiftshantering", 2021-09-23) is split into sentences and list
items, and every one must appear word for word among the programme's Swedish texts. The
structural tests then check that what the notice promises is data, not only prose: every
category, source, legal basis, recipient kind, transfer condition, right and retention row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dataskydd.programme import Programme, load_template
from dataskydd.programme.duration import Period
from dataskydd.programme.schema import RecipientKind, SourceKind
from dataskydd.programme.vocab import LegalBasis, RetentionTrigger, Right, TransferMechanism

SEED = Path(__file__).parent.parent / "fixtures" / "seed" / "personuppgiftshantering.md"

# Page furniture of the PDF the seed was converted from, not text of the notice.
FOOTER = {"2021-09-23", "**almi**"}
TOC_HEADING = "**Personuppgiftshantering innehåller följande delar:**"

# The lead-ins of the two example lists of section 2. The notice renderer writes its own
# lead-in ("Exempel på behandling:") before every purpose's examples, so repeating these
# in the data would print two lead-ins in a row; the examples themselves are checked below.
RENDERER_LEAD_INS = {
    "Exempel på behandling för att fullgöra ett avtal:",
    "Exempel på behandling till följd av rättsliga förpliktelser:",
}


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_template("swedish-lender")


# -- the seed, as sentences ----------------------------------------------------------------------


def _clean(text: str) -> str:
    """Markdown and spacing removed: the words as a reader sees them."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = text.replace("**", "")
    text = re.sub(r"^\s*#+\s*", "", text, flags=re.M)  # headings
    text = re.sub(r"^\s*-\s+", "", text, flags=re.M)  # list items
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([.,:;])", r"\1", text)  # "företag ." -> "företag."


def _units() -> list[tuple[str, str]]:
    """(kind, text) for every heading, paragraph and list item of the seed, in order."""
    units: list[tuple[str, str]] = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped in FOOTER or stripped == TOC_HEADING:
            continue
        if re.match(r"^\d+\t", line):  # a table-of-contents entry: "1<TAB>Vilka ... 1"
            continue
        if stripped.startswith("#"):
            units.append(("heading", stripped))
        elif stripped.startswith("- "):
            units.append(("item", stripped))
        else:
            units.append(("paragraph", stripped))
    # The page break in section 11 cuts a sentence in two: "... på vår" / "hantering av ...".
    joined: list[tuple[str, str]] = []
    for kind, text in units:
        if (
            joined
            and kind == "paragraph"
            and joined[-1][0] == "paragraph"
            and text[0].islower()
            and not _clean(joined[-1][1]).endswith((".", ":", "!", "?"))
        ):
            joined[-1] = ("paragraph", f"{joined[-1][1]} {text}")
        else:
            joined.append((kind, text))
    return joined


def seed_sentences() -> list[str]:
    sentences: list[str] = []
    for kind, text in _units():
        text = _clean(text)
        if kind == "heading":
            text = re.sub(r"^\d+\s+", "", text)  # "1 Vilka personuppgifter ..." -> the title
        text = re.sub(r"^[a-f]\)\s+", "", text)  # "a) begära åtkomst ..." (section 7)
        sentences += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])", text) if s]
    return sentences


def test_the_seed_is_split_as_expected() -> None:
    sentences = seed_sentences()
    assert sentences[0] == "Personuppgiftshantering"
    assert "Vilka personuppgifter vi samlar in" in sentences
    assert not any("\t" in s or s.endswith("....") for s in sentences), "table of contents left in"
    assert "2021-09-23" not in sentences and "almi" not in sentences
    assert (
        "Du kan också lämna klagomål på vår hantering av personuppgifter genom att kontakta "
        "dataskyddsmyndigheten genom att maila till imy@imy.se eller skicka ett brev till "
        "Integritetsskyddsmyndigheten, Box 8114, 104 20 Stockholm."
    ) in sentences
    assert "begära radering." in sentences
    assert len(sentences) > 150


# -- the programme's Swedish texts --------------------------------------------------------------


def _swedish(node: Any) -> Iterator[str]:
    """Every Swedish text in the dumped programme; a labelled entry also as 'label: description',
    the way the notice renders a category group ("Kontaktuppgifter: postadress, ...")."""
    if isinstance(node, dict):
        label, description = node.get("label"), node.get("description")
        if isinstance(label, dict) and isinstance(description, dict):
            yield f"{label['sv']}: {description['sv']}"
        for key, value in node.items():
            if key == "sv" and isinstance(value, str):
                yield value
            else:
                yield from _swedish(value)
    elif isinstance(node, list):
        for item in node:
            yield from _swedish(item)


def _variants(sentence: str) -> set[str]:
    """The sentence as written, and as it stands as a title or list item: another initial
    letter case, no final full stop ("a) begära radering." is the title "Begära radering")."""
    forms = {sentence, sentence.rstrip(".")}
    return forms | {f[:1].swapcase() + f[1:] for f in forms}


def test_every_sentence_of_the_seed_is_in_the_programme(programme: Programme) -> None:
    haystack = "\n".join(_clean(text) for text in _swedish(programme.model_dump(mode="json")))
    missing = [
        sentence
        for sentence in seed_sentences()
        if sentence not in RENDERER_LEAD_INS
        and not any(form in haystack for form in _variants(sentence))
    ]
    assert not missing, "sentences of the seed missing from the programme:\n" + "\n".join(missing)


def test_the_template_loads_without_errors(programme: Programme) -> None:
    assert programme.programme.key == "swedish-lender"
    assert programme.notice.version == "2021-09-23"
    assert programme.notice.effective_date == date(2021, 9, 23)
    assert programme.notice.significant_change is False
    assert programme.notice.title.sv == "Personuppgiftshantering"
    assert programme.notice.title.en == "Processing of personal data"


# -- who ----------------------------------------------------------------------------------------


def test_the_group_parent_and_subsidiaries_are_the_controllers(programme: Programme) -> None:
    organisation = programme.organisation
    parents = [c for c in organisation.controllers if c.role == "parent"]
    assert [c.name for c in parents] == ["Almi Företagspartner AB"]
    subsidiaries = {c.name for c in organisation.controllers if c.role == "subsidiary"}
    assert {
        "Almi Företagspartner Stockholm Sörmland AB",
        "Almi Företagspartner Väst AB",
        "Almi Företagspartner Skåne AB",
    } <= subsidiaries
    assert all(c.parent == parents[0].key for c in organisation.controllers if c.role == "subsidiary")
    assert "moderbolaget Almi Företagspartner AB eller något av dotterbolagen" in (
        organisation.controller_rule.sv
    )


def test_dpo_and_imy_contact_details_are_exact(programme: Programme) -> None:
    dpo = programme.organisation.dpo
    assert dpo.email == "dataskyddsombud@almi.se"
    assert dpo.postal_address.lines() == [
        "Almi Företagspartner AB", "Dataskyddsombud", "Box 70396", "107 24 Stockholm",
    ]
    imy = programme.organisation.authority
    assert imy.email == "imy@imy.se"
    assert imy.name.sv == "Integritetsskyddsmyndigheten"
    assert imy.postal_address.lines() == ["Integritetsskyddsmyndigheten", "Box 8114", "104 20 Stockholm"]
    assert imy.website == "https://www.imy.se"
    contact = next(s for s in programme.notice.sections if s.key == "contact")
    assert "contact" in contact.include


def test_every_kind_of_person_the_notice_names_is_a_data_subject(programme: Programme) -> None:
    subjects = {s.key for s in programme.data_subjects}
    assert {
        "customer", "prospect", "customer-employee", "beneficial-owner",
        "authorised-representative", "board-member", "partner", "job-applicant",
        "website-visitor", "enquirer",
    } <= subjects


# -- what ---------------------------------------------------------------------------------------


def test_all_six_category_groups_of_section_1_with_their_examples(programme: Programme) -> None:
    categories = {c.key: c for c in programme.categories}
    groups = {
        "identification": "Identifieringsuppgifter",
        "contact": "Kontaktuppgifter",
        "financial": "Ekonomisk information",
        "legal_tax": "Uppgifter som krävs enligt lag och för beskattning",
        "profile": "Profiluppgifter",
        "relationship": "Information om kundrelationen med Almi",
    }
    for key, label in groups.items():
        assert categories[key].label.sv == label
    for child in (
        "identification.national_id", "identification.name", "identification.passport_copy",
        "identification.driving_licence_copy", "identification.login_id",
        "contact.postal_address", "contact.phone", "contact.email",
        "financial.contract_type", "financial.assets", "financial.debts",
        "financial.guarantees", "financial.shareholdings", "financial.company_connections",
        "legal_tax.assets_debts", "legal_tax.tax_residence", "legal_tax.foreign_tin",
        "legal_tax.kyc", "profile.marital_status", "profile.occupation", "relationship.history",
    ):
        assert child in categories, child
    assert categories["identification.national_id"].national_id
    assert [c.key for c in programme.categories if c.national_id] == ["identification.national_id"]


def test_recruitment_data_marks_criminal_and_special_categories(programme: Programme) -> None:
    categories = {c.key: c for c in programme.categories}
    assert categories["recruitment.criminal_record"].criminal
    assert categories["recruitment.sensitive"].special
    for key in ("merits", "test_results", "references", "credit_report", "public_sources"):
        assert f"recruitment.{key}" in categories


def test_every_category_has_both_labels_and_interoperable_terms(programme: Programme) -> None:
    for category in programme.categories:
        assert category.label.sv and category.label.en
        assert category.dpv.startswith(("dpv-pd:", "dpv:")), category.key
        assert category.fideslang == "user" or category.fideslang.startswith("user."), category.key
    by_key = {c.key: c for c in programme.categories}
    assert by_key["identification.name"].dpv == "dpv-pd:Name"
    assert by_key["contact.email"].fideslang == "user.contact.email"
    assert by_key["profile.marital_status"].dpv == "dpv-pd:MaritalStatus"
    assert by_key["recruitment.criminal_record"].fideslang == "user.criminal_history"


def test_every_source_of_section_1_is_its_own_entry(programme: Programme) -> None:
    sources = {s.key: s for s in programme.sources}
    kinds = {
        "data-subject": SourceKind.DATA_SUBJECT,
        "credit-bureaus": SourceKind.CREDIT_BUREAU,
        "population-register": SourceKind.PUBLIC_REGISTER,
        "tax-agency-register": SourceKind.PUBLIC_REGISTER,
        "companies-register": SourceKind.PUBLIC_REGISTER,
        "law-enforcement-registers": SourceKind.PUBLIC_REGISTER,
        "sanctions-eu": SourceKind.SANCTIONS_LIST,
        "sanctions-un": SourceKind.SANCTIONS_LIST,
        "sanctions-ofac": SourceKind.SANCTIONS_LIST,
        "commercial-providers": SourceKind.COMMERCIAL_PROVIDER,
        "group-companies": SourceKind.GROUP_COMPANY,
        "partners": SourceKind.PARTNER,
        "purchased-contacts": SourceKind.PURCHASED_LIST,
        "referees": SourceKind.REFERENCE,
        "public-sources": SourceKind.PUBLIC_SOURCE,
    }
    for key, kind in kinds.items():
        assert sources[key].kind == kind, key
        assert sources[key].categories, f"{key} supplies no categories"
    assert "OFAC" in sources["sanctions-ofac"].label.sv
    assert "legal_tax.offences" in sources["law-enforcement-registers"].categories
    assert "financial.credit_information" in sources["credit-bureaus"].categories


# -- why ----------------------------------------------------------------------------------------


def _examples(programme: Programme, key: str) -> list[str]:
    return [e.sv for e in programme.purpose(key).examples]


def test_contract_with_its_three_examples(programme: Programme) -> None:
    contract = programme.purpose("contract")
    assert contract.legal_bases == [LegalBasis.CONTRACT]
    assert contract.title.sv.endswith("(fullgörande av avtal)")
    assert _examples(programme, "contract") == [
        "Behandling för att registrera dig som kund",
        "Behandling i samband med kundservice eller tjänsteleverans under avtalsperioden",
        "Behandling för att fastställa, göra gällande eller försvara rättsliga anspråk samt inkasso.",
    ]


def test_legal_obligation_with_its_seven_examples(programme: Programme) -> None:
    obligation = programme.purpose("legal-obligation")
    assert obligation.legal_bases == [LegalBasis.LEGAL_OBLIGATION]
    assert obligation.title.sv.endswith("(rättslig förpliktelse)")
    examples = _examples(programme, "legal-obligation")
    assert len(examples) == 7
    assert examples[0] == "Kundkännedom"
    assert "Sanktionsbevakning" in examples and "Bokföringslagstiftning" in examples
    assert obligation.art10_authority  # offence data from law-enforcement registers


def test_legitimate_interest_purposes_each_have_a_balancing_test(programme: Programme) -> None:
    legitimate = [p for p in programme.purposes if LegalBasis.LEGITIMATE_INTEREST in p.legal_bases]
    assert {p.key for p in legitimate} >= {
        "marketing-analysis", "fraud-monitoring", "social-media", "statistics",
    }
    for purpose in legitimate:
        assert purpose.balancing_test is not None, purpose.key
        assert len(purpose.balancing_test.sv) > 200 and len(purpose.balancing_test.en) > 200
    assert programme.purpose("marketing-analysis").profiling
    assert programme.purpose("fraud-monitoring").profiling
    assert "Kundanalyser i marknadsföringssyfte" in _examples(programme, "marketing-analysis")


def test_consent_and_explicit_consent_with_their_examples(programme: Programme) -> None:
    consent = programme.purpose("consent")
    assert set(consent.legal_bases) == {LegalBasis.CONSENT, LegalBasis.EXPLICIT_CONSENT}
    assert _examples(programme, "consent") == [
        "Behandling av uppgifter vid marknadsföringssyfte",
        "Viss behandling av särskilda kategorier av personuppgifter",
    ]
    enquiries = programme.purpose("enquiries")
    assert enquiries.legal_bases == [LegalBasis.CONSENT]
    assert "chatten eller i kontaktformulär" in enquiries.description.sv


def test_recruitment_rests_on_explicit_consent_with_art10_authority(programme: Programme) -> None:
    recruitment = programme.purpose("recruitment")
    assert set(recruitment.legal_bases) == {LegalBasis.CONSENT, LegalBasis.EXPLICIT_CONSENT}
    assert recruitment.art10_authority and "2018:219" in recruitment.art10_authority
    assert "recruitment.criminal_record" in recruitment.categories
    assert "recruitment.sensitive" in recruitment.categories
    claims = programme.purpose("recruitment-legal-claims")
    assert LegalBasis.LEGAL_CLAIMS in claims.legal_bases
    assert "recruitment.sensitive" in claims.categories
    activity = next(a for a in programme.activities if a.key == "recruitment")
    assert set(activity.purposes) == {"recruitment", "recruitment-legal-claims"}


def test_no_automated_decisions(programme: Programme) -> None:
    assert programme.automated_decisions.used is False
    assert programme.automated_decisions.statement.sv == "Almi genomför inga automatiserade beslut."


def test_section_2_lists_the_purposes_in_the_notices_order(programme: Programme) -> None:
    section = next(s for s in programme.notice.sections if s.key == "purposes")
    assert section.include == ["purposes"]
    assert section.purposes[:2] == ["contract", "legal-obligation"]
    assert section.purposes.index("marketing-analysis") < section.purposes.index("consent")


# -- to whom and where --------------------------------------------------------------------------


def test_recipients_of_each_kind_the_notice_names(programme: Programme) -> None:
    recipients = {r.key: r for r in programme.recipients}
    for key in ("skatteverket", "polismyndigheten", "kronofogdemyndigheten", "supervisory-authorities"):
        assert recipients[key].kind == RecipientKind.AUTHORITY, key
    assert recipients["group-companies"].kind == RecipientKind.GROUP_COMPANY
    assert recipients["it-operations"].kind == RecipientKind.PROCESSOR
    assert recipients["it-operations"].dpa_reference
    assert recipients["credit-bureaus"].kind == RecipientKind.CREDIT_BUREAU
    assert recipients["other-lenders"].kind == RecipientKind.LENDER
    assert recipients["banks"].kind == RecipientKind.BANK
    assert recipients["eid-providers"].kind == RecipientKind.EID_PROVIDER
    research = [r for r in programme.recipients if r.kind == RecipientKind.RESEARCH]
    assert research and all(r.anonymised_only for r in research)
    assert {r.kind for r in programme.recipients} == set(RecipientKind)


def test_the_three_transfer_conditions(programme: Programme) -> None:
    policy = programme.transfer_policy
    assert policy is not None
    conditions = [line for line in policy.statement.sv.splitlines() if line.startswith("- ")]
    assert len(conditions) == 3
    assert conditions[0].startswith("- EU-kommissionen har beslutat")
    assert "standardavtalsklausuler" in conditions[1] and "Binding Corporate Rules" in conditions[1]
    assert conditions[2].startswith("- det rör sig om ett undantag i en särskild situation")
    assert set(policy.allowed_mechanisms) == set(TransferMechanism)
    transfer = programme.transfer("it-support-third-country")
    assert transfer.recipient == "it-operations"
    assert transfer.countries == []  # the notice names no country
    assert transfer.mechanism == TransferMechanism.STANDARD_CONTRACTUAL_CLAUSES
    assert "utanför EES" in programme.recipient("it-operations").description.sv  # type: ignore[union-attr]


def test_security_measures_of_every_kind_and_need_to_know(programme: Programme) -> None:
    kinds = {m.kind for m in programme.security_measures}
    assert kinds == {"administrative", "technical", "organisational", "physical"}
    assert "behovsprincipen" in programme.security_measure("need-to-know").label.sv.lower()
    for activity in programme.activities:
        assert activity.security_measures, activity.key


# -- rights and cookies -------------------------------------------------------------------------


def test_all_six_rights_with_the_six_erasure_grounds(programme: Programme) -> None:
    assert [r.key for r in programme.rights] == [
        Right.ACCESS, Right.RECTIFICATION, Right.ERASURE, Right.RESTRICTION,
        Right.OBJECTION, Right.PORTABILITY,
    ]
    erasure = programme.right(Right.ERASURE)
    assert [g.key for g in erasure.grounds] == [
        "consent_withdrawn", "objection", "direct_marketing_objection", "unlawful", "minor",
        "information_society_service",
    ]
    assert any("lagstiftningen för finanssektorn" in lim.sv for lim in erasure.limitations)
    restriction = programme.right(Right.RESTRICTION)
    assert "legal_claims" in {g.key for g in restriction.grounds}
    assert programme.right(Right.OBJECTION).text.sv == (
        "Du kan alltid invända mot behandlingen av personuppgifter om dig för direkt marknadsföring."
    )
    assert "maskinläsbart format" in programme.right(Right.PORTABILITY).text.sv
    rights = next(s for s in programme.notice.sections if s.key == "rights")
    assert rights.after is not None and "bedöms från fall till fall" in rights.after.sv


def test_cookies_statement_and_categories(programme: Programme) -> None:
    cookies = programme.cookies
    assert cookies is not None
    assert cookies.statement.sv.startswith("Vi samlar in, behandlar och analyserar uppgifter")
    by_key = {c.key: c for c in cookies.categories}
    assert set(by_key) == {"necessary", "functional", "analytics", "marketing"}
    assert [k for k, c in by_key.items() if c.necessary] == ["necessary"]
    assert "säker onlinemiljö" in by_key["necessary"].description.sv


# -- how long -----------------------------------------------------------------------------------


SEVEN_ROWS = {
    # key: (trigger, minimum, maximum)
    "aml": (RetentionTrigger.RELATIONSHIP_ENDED, "P5Y", None),
    "bookkeeping": (RetentionTrigger.FISCAL_YEAR_ENDED, "P7Y", "P10Y"),
    "specific-products": (RetentionTrigger.CONTRACT_ENDED, None, "P7Y"),
    "loan-offers": (RetentionTrigger.OFFER_LAPSED, None, "P3M"),
    "contract-evidence": (RetentionTrigger.RELATIONSHIP_ENDED, None, "P10Y"),
    "chat": (RetentionTrigger.COLLECTED, None, "P12M"),
    "contact-forms": (RetentionTrigger.COLLECTED, None, "P12M"),
}


def _iso(period: Period | None) -> str | None:
    return period.iso() if period else None


@pytest.mark.parametrize("key", SEVEN_ROWS)
def test_the_seven_retention_rows_of_section_9(programme: Programme, key: str) -> None:
    rule = programme.retention_rule(key)
    trigger, minimum, maximum = SEVEN_ROWS[key]
    assert (rule.trigger, _iso(rule.minimum), _iso(rule.maximum)) == (trigger, minimum, maximum)
    assert rule.wording is not None, "the notice's own words for the row"


def test_at_least_five_years_is_a_minimum_not_a_maximum(programme: Programme) -> None:
    aml = programme.retention_rule("aml")
    assert aml.minimum == Period(years=5) and aml.maximum is None
    assert aml.wording is not None and "minst fem år" in aml.wording.sv
    single = programme.retention_rule("aml-single-transaction")
    assert single.trigger == RetentionTrigger.TRANSACTION_COMPLETED
    assert single.minimum == Period(years=5) and single.maximum is None
    assert aml.statute is not None and aml.statute.reference == "SFS 2017:630 5 kap. 3 §"
    assert programme.retention_rule("bookkeeping").statute.reference.startswith("SFS 1999:1078")  # type: ignore[union-attr]
    assert programme.retention_rule("contract-evidence").statute.reference == "SFS 1981:130 2 §"  # type: ignore[union-attr]


def test_recruitment_retention_by_outcome(programme: Programme) -> None:
    rejected = programme.retention_rule("recruitment-rejected")
    assert rejected.trigger == RetentionTrigger.APPLICATION_DECIDED
    assert rejected.maximum == Period(years=2) and rejected.action == "delete"
    assert rejected.note is not None and "ingen tid" in rejected.note.sv
    assert rejected.statute is not None and "2008:567" in rejected.statute.reference
    hired = programme.retention_rule("recruitment-hired")
    assert hired.condition is not None and "personalakten" in hired.condition.sv


def test_every_activity_has_a_controller_purpose_and_retention(programme: Programme) -> None:
    keys = {a.key for a in programme.activities}
    assert {
        "customer-onboarding", "loan-application", "loan-administration",
        "collateral-management", "aml-monitoring", "bookkeeping", "authority-reporting",
        "risk-management", "debt-collection", "marketing-customers", "marketing-purchased",
        "customer-analysis", "social-media", "anonymised-statistics", "website-chat",
        "contact-forms", "cookies-web-analytics", "recruitment", "eid-login", "payouts",
    } <= keys
    group = {c.key for c in programme.organisation.controllers}
    onboarding = next(a for a in programme.activities if a.key == "customer-onboarding")
    assert set(onboarding.controllers) == group


# -- the notice -----------------------------------------------------------------------------------


def test_the_notice_has_the_eleven_sections_in_order(programme: Programme) -> None:
    titles = [s.title.sv for s in programme.notice.sections]
    assert titles == [
        "Vilka personuppgifter vi samlar in",
        "Hur vi kan komma att använda dina personuppgifter och på vilken laglig grund",
        "Rekrytering",
        "Automatiserat beslutsfattande",
        "Vem vi kan komma att lämna ut dina personuppgifter till",
        "Hur vi skyddar dina personuppgifter",
        "Dina rättigheter i fråga om dataskydd",
        "Cookies (kakor)",
        "Hur länge vi behandlar dina personuppgifter",
        "Hur förändringar görs i Almis dataskyddspolicy och policy för cookies",
        "Kontakta oss eller dataskyddsmyndigheten",
    ]
    includes = {s.key: s.include for s in programme.notice.sections}
    # The sources are the seed's own prose after the categories, so they are not listed twice.
    assert includes["personal-data"] == ["categories"]
    assert includes["automated-decisions"] == ["automated_decisions"]
    assert includes["disclosure"] == ["recipients", "transfers"]
    assert includes["security"] == ["security"]
    assert includes["rights"] == ["rights"]
    assert "cookies" in includes["cookies"]
    assert includes["retention"] == ["retention"]
    assert includes["contact"] == ["contact"]


def test_the_change_policy_section(programme: Programme) -> None:
    changes = next(s for s in programme.notice.sections if s.key == "changes")
    assert changes.include == []
    assert changes.body is not None
    assert "Om förändringarna är betydande meddelar vi detta på ett tydligt sätt" in changes.body.sv
