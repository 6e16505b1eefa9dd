"""The notice rendered from the programme: every included part, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataskydd.programme import Programme, load_programme
from dataskydd.programme.notice import (
    article,
    render_markdown,
    render_sections,
    retention_period,
)
from dataskydd.programme.schema import (
    AutomatedDecisions,
    CookieCategory,
    Cookies,
    NoticeSection,
    Recipient,
    RecipientKind,
    RetentionRule,
    SecurityKind,
    SecurityMeasure,
    Source,
    SourceKind,
    Transfer,
    TransferPolicy,
)
from dataskydd.programme.text import LocalText
from dataskydd.programme.vocab import Derogation, RetentionTrigger, TransferMechanism

MINIMAL = Path(__file__).parent.parent / "fixtures" / "minimal"


@pytest.fixture(scope="module")
def minimal() -> Programme:
    return load_programme(MINIMAL)


def text(sv: str, en: str) -> LocalText:
    return LocalText(sv=sv, en=en)


def with_section(programme: Programme, section: NoticeSection, **update: object) -> Programme:
    notice = programme.notice.model_copy(update={"sections": [section]})
    return programme.model_copy(update={"notice": notice, **update})


def test_title_introduction_and_sections_in_order(minimal: Programme) -> None:
    sv = render_markdown(minimal, "sv")
    assert sv.startswith("# Personuppgiftshantering\n\nSå här behandlar vi dina uppgifter.\n")
    headings = [line for line in sv.splitlines() if line.startswith("## ")]
    assert headings == ["## Vilka uppgifter", "## Ändamål", "## Dina rättigheter", "## Kontakt"]
    en = render_markdown(minimal, "en")
    assert en.startswith("# Processing of personal data\n")
    assert "## Your rights" in en


def test_sections_and_markdown_are_the_same_text(minimal: Programme) -> None:
    sections = render_sections(minimal, "en")
    whole = render_markdown(minimal, "en")
    assert [s.key for s in sections] == ["data", "purposes", "rights", "contact"]
    for section in sections:
        assert f"## {section.title}\n\n{section.markdown}" in whole


def test_categories_grouped_with_children_as_examples(minimal: Programme) -> None:
    sv = render_markdown(minimal, "sv")
    assert "- **Identifieringsuppgifter**: exempelvis personnummer." in sv
    assert "- **Kontaktuppgifter**" in sv
    assert "- **Identification data**: for example personal identity number." in render_markdown(
        minimal, "en"
    )


def test_sources_by_kind_as_their_own_list(minimal: Programme) -> None:
    sv = render_markdown(minimal, "sv")
    # The sources follow the categories' list; a new bullet keeps them a list of their own.
    assert "- **Kontaktuppgifter**\n\nVi får uppgifterna från:\n\n- **Från dig**: Direkt från dig\n" in sv
    many = minimal.model_copy(update={"sources": [
        *minimal.sources,
        Source(key="uc", label=text("UC", "UC"), kind=SourceKind.CREDIT_BUREAU,
               description=text("Kreditupplysning.", "Credit report.")),
        Source(key="skv", label=text("Skatteverket", "Tax Agency"), kind=SourceKind.PUBLIC_REGISTER),
        Source(key="bv", label=text("Bolagsverket", "Companies Registration Office"),
               kind=SourceKind.PUBLIC_REGISTER, description=text("Styrelser.", "Boards.")),
    ]})
    en = render_markdown(many, "en")
    assert "- **Credit reference agencies**: UC. Credit report.\n" in en
    assert (
        "- **Public registers**\n  - **Tax Agency**\n"
        "  - **Companies Registration Office**: Boards.\n"
    ) in en


def test_two_lists_in_a_row_stay_two_lists(minimal: Programme) -> None:
    programme = with_section(
        minimal,
        NoticeSection(key="x", title=text("X", "X"), include=["security", "retention"]),
    )
    en = render_markdown(programme, "en")
    assert "- **Technical measures**: access control.\n\n* **Contract data**: up to 10" in en


def test_purposes_legal_basis_examples_and_balancing_test(minimal: Programme) -> None:
    sv = render_markdown(minimal, "sv")
    assert "### Avtal\n\n**Laglig grund:** Fullgörande av avtal (artikel 6.1 b GDPR)" in sv
    assert "Exempel på behandling:\n\n- Registrera dig som kund" in sv
    assert "**Intresseavvägning:** Kunden kan förvänta sig det." in sv
    en = render_markdown(minimal, "en")
    assert "**Legal basis:** Legitimate interest (Art. 6(1)(f) GDPR)" in en
    assert "**Balancing test:** Customers can expect it." in en


def test_one_purpose_named_like_its_section_gets_no_second_heading(minimal: Programme) -> None:
    programme = with_section(
        minimal,
        NoticeSection(key="m", title=text("Marknadsföring", "Marketing"), include=["purposes"],
                      purposes=["marketing"]),
    )
    en = render_markdown(programme, "en")
    assert "## Marketing\n\n**Legal basis:** Legitimate interest" in en
    assert "### Marketing" not in en


def test_section_lists_its_purposes_in_its_own_order(minimal: Programme) -> None:
    profiled = minimal.purpose("marketing").model_copy(update={"profiling": True})
    programme = with_section(
        minimal,
        NoticeSection(
            key="why", title=text("Varför", "Why"), include=["purposes"],
            purposes=["marketing"],
        ),
        purposes=[minimal.purpose("contract"), profiled],
    )
    en = render_markdown(programme, "en")
    assert "### Marketing" in en
    assert "### Contract" not in en
    assert "This processing may include profiling." in en


def test_rights_with_article_and_grounds(minimal: Programme) -> None:
    sv = render_markdown(minimal, "sv")
    assert "### Radering (artikel 17 GDPR)" in sv
    assert "Det gäller när:\n\n- Du återkallar ditt samtycke." in sv
    assert "### Data portability (Art. 20 GDPR)" in render_markdown(minimal, "en")


def test_contact_has_mailto_links_and_addresses(minimal: Programme) -> None:
    sv = render_markdown(minimal, "sv")
    assert "[dpo@example.se](mailto:dpo@example.se)" in sv
    assert "Exempel AB, Dataskyddsombud, Box 1, 111 11 Stockholm" in sv
    assert "[imy@imy.se](mailto:imy@imy.se)" in sv
    assert "Tillsynsmyndighet: Integritetsskyddsmyndigheten" in sv


def test_body_and_after_surround_the_included_parts(minimal: Programme) -> None:
    programme = with_section(
        minimal,
        NoticeSection(
            key="auto", title=text("Automatiserade beslut", "Automated decisions"),
            body=text("Före.", "Before."), include=["automated_decisions"],
            after=text("Efter.", "After."),
        ),
    )
    en = render_markdown(programme, "en")
    assert "Before.\n\nWe make no automated decisions.\n\nAfter." in en
    used = programme.model_copy(
        update={"automated_decisions": AutomatedDecisions(
            used=True, statement=text("Vi använder det.", "We use it."),
            logic=text("Poäng.", "A score."),
        )}
    )
    assert "**The logic involved:** A score." in render_markdown(used, "en")


def rule(**fields: object) -> RetentionRule:
    base: dict[str, object] = {
        "key": "r", "covers": text("Uppgifter", "Data"),
        "trigger": RetentionTrigger.RELATIONSHIP_ENDED,
    }
    return RetentionRule.model_validate(base | fields)


def test_retention_period_forms() -> None:
    assert retention_period(rule(minimum="P5Y"), "sv") == "minst 5 år efter avslutad affärsförbindelse"
    assert retention_period(rule(maximum="P10Y"), "en") == (
        "up to 10 years after the business relationship ended"
    )
    assert retention_period(rule(minimum="P5Y", maximum="P10Y"), "en") == (
        "at least 5 years and at most 10 years after the business relationship ended"
    )
    assert retention_period(rule(maximum="P3M", trigger="offer_lapsed"), "sv") == (
        "upp till 3 månader efter erbjudandets upphörande"
    )


def test_retention_list_names_statute_and_anonymisation(minimal: Programme) -> None:
    anonymised = rule(key="stats", maximum="P12M", trigger="collected", action="anonymise",
                      note=text("Används för statistik.", "Used for statistics."))
    programme = with_section(
        minimal,
        NoticeSection(key="keep", title=text("Lagring", "Retention"), include=["retention"]),
        retention=[*minimal.retention, anonymised],
    )
    sv = render_markdown(programme, "sv")
    assert (
        "- **Avtalsuppgifter**: upp till 10 år efter avslutad affärsförbindelse "
        "(Preskriptionslagen, SFS 1981:130)." in sv
    )
    en = render_markdown(programme, "en")
    assert (
        "- **Data**: up to 12 months from collection; then the data is anonymised. "
        "Used for statistics." in en
    )


def test_recipients_transfers_security_and_cookies(minimal: Programme) -> None:
    programme = with_section(
        minimal,
        NoticeSection(
            key="share", title=text("Delning", "Sharing"),
            include=["recipients", "transfers", "security", "cookies"],
        ),
        recipients=[
            *minimal.recipients,
            Recipient(key="scb", label=text("SCB", "Statistics Sweden"), kind=RecipientKind.RESEARCH,
                      anonymised_only=True),
            Recipient(key="cloud", label=text("Molnleverantör", "Cloud provider"),
                      kind=RecipientKind.PROCESSOR, country="US", dpa_reference="DPA-2"),
        ],
        transfer_policy=TransferPolicy(
            statement=text("Vi kan föra över uppgifter.", "We may transfer data."),
            allowed_mechanisms=[TransferMechanism.ADEQUACY, TransferMechanism.DEROGATION],
        ),
        transfers=[
            Transfer(key="t", label=text("Support", "Support"), recipient="cloud",
                     countries=["US"], mechanism=TransferMechanism.DEROGATION,
                     derogation=Derogation.CONTRACT_WITH_SUBJECT),
        ],
        security_measures=[
            *minimal.security_measures,
            SecurityMeasure(key="locks", label=text("Låsta lokaler", "Locked premises"),
                            kind=SecurityKind.PHYSICAL),
        ],
        cookies=Cookies(
            statement=text("Vi använder kakor.", "We use cookies."),
            categories=[CookieCategory(key="necessary", label=text("Nödvändiga", "Necessary"),
                                       description=text("För inloggning.", "For login."),
                                       necessary=True)],
            more_info_url="https://example.se/cookies",
        ),
    )
    en = render_markdown(programme, "en")
    assert "- **Research and statistics**: Statistics Sweden (receives only anonymised" in en
    assert (
        "- **Suppliers who process data on our behalf (processors)**\n"
        "  - **IT supplier**\n  - **Cloud provider** (country: US)"
    ) in en
    assert "We may transfer data." in en
    assert "- Adequacy decision (Art. 45 GDPR)" in en
    assert "- **Support** (US; Derogation for a specific situation, derogation: to perform a" in en
    assert "* **Technical measures**: access control." in en  # a list of its own
    assert "* **Physical measures**: locked premises." in en
    assert "- **Necessary** (necessary, no consent needed): For login." in en
    assert "[More about cookies](https://example.se/cookies)" in en
    sv = render_markdown(programme, "sv")
    assert "- Beslut om adekvat skyddsnivå (artikel 45 GDPR)" in sv


def test_no_transfers_is_said_plainly(minimal: Programme) -> None:
    programme = with_section(
        minimal, NoticeSection(key="t", title=text("Tredjeland", "Third countries"),
                               include=["transfers"]),
    )
    assert "We do not transfer personal data to countries outside the EU/EEA." in render_markdown(
        programme, "en"
    )


def test_multiline_texts_stay_inside_their_list_item(minimal: Programme) -> None:
    contract = minimal.purpose("contract").model_copy(
        update={"examples": [text("Rad ett\nrad två", "Line one\nline two")]}
    )
    programme = minimal.model_copy(update={"purposes": [contract, minimal.purpose("marketing")]})
    assert "- Line one\n  line two" in render_markdown(programme, "en")


def test_article_citation() -> None:
    assert article("Art. 6(1)(a)", "sv") == "artikel 6.1 a GDPR"
    assert article("Art. 9(2)(f)", "sv") == "artikel 9.2 f GDPR"
    assert article("Art. 45", "sv") == "artikel 45 GDPR"
    assert article("Art. 46(2)(c)", "en") == "Art. 46(2)(c) GDPR"


def test_the_notices_own_retention_sentence_is_shown_once_with_each_rules_terms(
    minimal: Programme,
) -> None:
    wording = text("Penningtvätt: minst fem år", "Money laundering: at least five years")
    after_relationship = rule(key="aml", minimum="P5Y", wording=wording)
    after_transaction = rule(
        key="aml-tx", minimum="P5Y", trigger="transaction_completed", wording=wording
    )
    programme = with_section(
        minimal,
        NoticeSection(key="keep", title=text("Lagring", "Retention"), include=["retention"]),
        retention=[after_relationship, after_transaction],
    )
    sv = render_markdown(programme, "sv")
    assert sv.count("Penningtvätt: minst fem år") == 1
    assert (
        "- Penningtvätt: minst fem år. Minst 5 år efter avslutad affärsförbindelse. "
        "Minst 5 år efter genomförd transaktion." in sv
    )
