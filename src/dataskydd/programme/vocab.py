"""Fixed legal vocabulary: legal bases, transfer mechanisms, retention triggers, countries.

These are law, not configuration: a programme refers to them by key and cannot add its own.
Each carries its sv/en label, its GDPR article and the matching W3C DPV and fideslang terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dataskydd.programme.text import LocalText


@dataclass(frozen=True)
class Term:
    label: LocalText
    article: str
    dpv: str
    fideslang: str | None = None


class LegalBasis(StrEnum):
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTEREST = "vital_interest"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTEREST = "legitimate_interest"
    # Article 9(2) conditions, needed on top of an Art. 6 basis for special categories.
    EXPLICIT_CONSENT = "explicit_consent"
    EMPLOYMENT_LAW = "employment_law"
    LEGAL_CLAIMS = "legal_claims"

    @property
    def is_art9_condition(self) -> bool:
        return self in ART9_CONDITIONS


ART9_CONDITIONS = frozenset(
    {LegalBasis.EXPLICIT_CONSENT, LegalBasis.EMPLOYMENT_LAW, LegalBasis.LEGAL_CLAIMS}
)

LEGAL_BASES: dict[LegalBasis, Term] = {
    LegalBasis.CONSENT: Term(
        LocalText(sv="Samtycke", en="Consent"), "Art. 6(1)(a)", "eu-gdpr:A6-1-a", "consent"
    ),
    LegalBasis.CONTRACT: Term(
        LocalText(sv="Fullgörande av avtal", en="Performance of a contract"),
        "Art. 6(1)(b)",
        "eu-gdpr:A6-1-b",
        "contract",
    ),
    LegalBasis.LEGAL_OBLIGATION: Term(
        LocalText(sv="Rättslig förpliktelse", en="Legal obligation"),
        "Art. 6(1)(c)",
        "eu-gdpr:A6-1-c",
        "legal_obligations",
    ),
    LegalBasis.VITAL_INTEREST: Term(
        LocalText(sv="Grundläggande intresse", en="Vital interests"),
        "Art. 6(1)(d)",
        "eu-gdpr:A6-1-d",
        "vital_interests",
    ),
    LegalBasis.PUBLIC_TASK: Term(
        LocalText(sv="Allmänt intresse eller myndighetsutövning", en="Public task"),
        "Art. 6(1)(e)",
        "eu-gdpr:A6-1-e",
        "public_interest",
    ),
    LegalBasis.LEGITIMATE_INTEREST: Term(
        LocalText(sv="Berättigat intresse", en="Legitimate interest"),
        "Art. 6(1)(f)",
        "eu-gdpr:A6-1-f",
        "legitimate_interests",
    ),
    LegalBasis.EXPLICIT_CONSENT: Term(
        LocalText(sv="Uttryckligt samtycke", en="Explicit consent"),
        "Art. 9(2)(a)",
        "eu-gdpr:A9-2-a",
    ),
    LegalBasis.EMPLOYMENT_LAW: Term(
        LocalText(sv="Arbetsrättsliga skyldigheter", en="Employment and social security law"),
        "Art. 9(2)(b)",
        "eu-gdpr:A9-2-b",
    ),
    LegalBasis.LEGAL_CLAIMS: Term(
        LocalText(sv="Rättsliga anspråk", en="Legal claims"), "Art. 9(2)(f)", "eu-gdpr:A9-2-f"
    ),
}


class TransferMechanism(StrEnum):
    ADEQUACY = "adequacy"
    STANDARD_CONTRACTUAL_CLAUSES = "standard_contractual_clauses"
    BINDING_CORPORATE_RULES = "binding_corporate_rules"
    OTHER_SAFEGUARDS = "other_safeguards"
    DEROGATION = "derogation"


TRANSFER_MECHANISMS: dict[TransferMechanism, Term] = {
    TransferMechanism.ADEQUACY: Term(
        LocalText(sv="Beslut om adekvat skyddsnivå", en="Adequacy decision"),
        "Art. 45",
        "eu-gdpr:AdequacyDecision",
    ),
    TransferMechanism.STANDARD_CONTRACTUAL_CLAUSES: Term(
        LocalText(
            sv="Standardavtalsklausuler (EU:s modellklausuler)", en="Standard contractual clauses"
        ),
        "Art. 46(2)(c)",
        "eu-gdpr:SCCByCommission",
    ),
    TransferMechanism.BINDING_CORPORATE_RULES: Term(
        LocalText(sv="Bindande företagsbestämmelser (BCR)", en="Binding corporate rules"),
        "Art. 47",
        "eu-gdpr:BindingCorporateRules",
    ),
    TransferMechanism.OTHER_SAFEGUARDS: Term(
        LocalText(sv="Andra lämpliga skyddsåtgärder", en="Other appropriate safeguards"),
        "Art. 46",
        "dpv:SafeguardForDataTransfer",
    ),
    TransferMechanism.DEROGATION: Term(
        LocalText(sv="Undantag i en särskild situation", en="Derogation for a specific situation"),
        "Art. 49",
        "dpv:DataTransferLegalBasis",
    ),
}


class Derogation(StrEnum):
    """Article 49(1) derogations; a derogation transfer must name one."""

    EXPLICIT_CONSENT = "explicit_consent"  # (a)
    CONTRACT_WITH_SUBJECT = "contract_with_subject"  # (b)
    CONTRACT_IN_SUBJECT_INTEREST = "contract_in_subject_interest"  # (c)
    PUBLIC_INTEREST = "public_interest"  # (d)
    LEGAL_CLAIMS = "legal_claims"  # (e)
    VITAL_INTERESTS = "vital_interests"  # (f)
    PUBLIC_REGISTER = "public_register"  # (g)


class RetentionTrigger(StrEnum):
    """The event from which a retention period is counted."""

    COLLECTED = "collected"
    RELATIONSHIP_ENDED = "relationship_ended"
    TRANSACTION_COMPLETED = "transaction_completed"
    CONTRACT_ENDED = "contract_ended"
    OFFER_LAPSED = "offer_lapsed"
    APPLICATION_DECIDED = "application_decided"
    FISCAL_YEAR_ENDED = "fiscal_year_ended"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    LAST_CONTACT = "last_contact"


RETENTION_TRIGGERS: dict[RetentionTrigger, LocalText] = {
    RetentionTrigger.COLLECTED: LocalText(sv="från insamlingen", en="from collection"),
    RetentionTrigger.RELATIONSHIP_ENDED: LocalText(
        sv="efter avslutad affärsförbindelse", en="after the business relationship ended"
    ),
    RetentionTrigger.TRANSACTION_COMPLETED: LocalText(
        sv="efter genomförd transaktion", en="after the transaction was completed"
    ),
    RetentionTrigger.CONTRACT_ENDED: LocalText(
        sv="efter avtalets upphörande", en="after the contract ended"
    ),
    RetentionTrigger.OFFER_LAPSED: LocalText(
        sv="efter erbjudandets upphörande", en="after the offer lapsed"
    ),
    RetentionTrigger.APPLICATION_DECIDED: LocalText(
        sv="efter beslut i ansökan", en="after the application was decided"
    ),
    RetentionTrigger.FISCAL_YEAR_ENDED: LocalText(
        sv="efter räkenskapsårets slut", en="after the end of the financial year"
    ),
    RetentionTrigger.CONSENT_WITHDRAWN: LocalText(
        sv="efter återkallat samtycke", en="after consent was withdrawn"
    ),
    RetentionTrigger.LAST_CONTACT: LocalText(
        sv="efter senaste kontakt", en="after the last contact"
    ),
}


class ErasureException(StrEnum):
    """Why a retention rule keeps data that a person asked to have erased (Art. 17(3))."""

    LEGAL_OBLIGATION = "legal_obligation"  # (b): a law requires the controller to keep it
    LEGAL_CLAIMS = "legal_claims"  # (e): needed to establish, exercise or defend legal claims


ERASURE_EXCEPTIONS: dict[ErasureException, tuple[str, LocalText]] = {
    ErasureException.LEGAL_OBLIGATION: (
        "Art. 17(3)(b)",
        LocalText(
            sv="vi är skyldiga enligt lag att spara uppgifterna",
            en="the law requires us to keep the data",
        ),
    ),
    ErasureException.LEGAL_CLAIMS: (
        "Art. 17(3)(e)",
        LocalText(
            sv="uppgifterna behövs för att fastställa, göra gällande eller försvara rättsliga anspråk",
            en="the data is needed to establish, exercise or defend legal claims",
        ),
    ),
}


class Right(StrEnum):
    """The data subject rights that notice section 7 lists, (a) to (f)."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    PORTABILITY = "portability"


RIGHT_ARTICLES: dict[Right, str] = {
    Right.ACCESS: "Art. 15",
    Right.RECTIFICATION: "Art. 16",
    Right.ERASURE: "Art. 17",
    Right.RESTRICTION: "Art. 18",
    Right.OBJECTION: "Art. 21",
    Right.PORTABILITY: "Art. 20",
}

# Member states of the EU plus Iceland, Liechtenstein and Norway (ISO 3166-1 alpha-2).
EEA: frozenset[str] = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)

# Countries with a Commission adequacy decision under Art. 45. Canada covers commercial
# organisations under PIPEDA and the United States only recipients certified under the
# EU-US Data Privacy Framework; the programme records that in the transfer's description.
ADEQUACY: frozenset[str] = frozenset("AD AR CA FO GG IL IM JP JE NZ KR CH GB UY US".split())
