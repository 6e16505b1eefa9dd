"""Export a programme as JSON-LD in the W3C Data Privacy Vocabulary (DPV 2).

Each processing activity becomes a ``dpv:PersonalDataHandling`` (typed ``dpv:Process`` as
well: DPV 2 keeps the first as the older name of the second) that points at its purposes,
legal bases (the ``eu-gdpr:`` article terms), personal data (the categories' ``dpv-pd:``
terms), data subjects, controllers, recipients, sources, storage durations and measures.
The programme's own entries get IRIs under ``urn:dataskydd:<programme key>:``; labels are
language-tagged literals in Swedish and English.
"""

from __future__ import annotations

from string import ascii_lowercase
from typing import Any

from dataskydd.programme.register import retention_period_text
from dataskydd.programme.schema import (
    Activity,
    Programme,
    Recipient,
    RecipientKind,
    RetentionRule,
    SecurityKind,
    SecurityMeasure,
    SourceKind,
    Transfer,
)
from dataskydd.programme.text import LANGUAGES, LocalText
from dataskydd.programme.vocab import (
    LEGAL_BASES,
    TRANSFER_MECHANISMS,
    Derogation,
    TransferMechanism,
)

CONTEXT: dict[str, str] = {
    "dpv": "https://w3id.org/dpv#",
    "dpv-pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "loc": "https://w3id.org/dpv/loc#",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_RECIPIENT_TYPES: dict[RecipientKind, str] = {
    RecipientKind.PROCESSOR: "dpv:DataProcessor",
    RecipientKind.AUTHORITY: "dpv:Authority",
}

_SOURCE_TYPES: dict[SourceKind, str] = {
    SourceKind.DATA_SUBJECT: "dpv:DataSubjectDataSource",
    SourceKind.PUBLIC_REGISTER: "dpv:PublicDataSource",
    SourceKind.SANCTIONS_LIST: "dpv:PublicDataSource",
    SourceKind.GROUP_COMPANY: "dpv:DataControllerDataSource",
}

_MEASURE_TYPES: dict[SecurityKind, str] = {
    SecurityKind.TECHNICAL: "dpv:TechnicalMeasure",
    SecurityKind.ORGANISATIONAL: "dpv:OrganisationalMeasure",
    SecurityKind.ADMINISTRATIVE: "dpv:OrganisationalMeasure",
    SecurityKind.PHYSICAL: "dpv:PhysicalMeasure",
}

# The GDPR article that makes a transfer lawful, and the safeguard it rests on, as DPV terms.
_TRANSFER_TERMS: dict[TransferMechanism, tuple[str | None, str]] = {
    TransferMechanism.ADEQUACY: ("eu-gdpr:A45-3", "eu-gdpr:AdequacyDecision"),
    TransferMechanism.STANDARD_CONTRACTUAL_CLAUSES: ("eu-gdpr:A46-2-c", "eu-gdpr:SCCByCommission"),
    TransferMechanism.BINDING_CORPORATE_RULES: ("eu-gdpr:A46-2-b", "eu-gdpr:BindingCorporateRules"),
    TransferMechanism.OTHER_SAFEGUARDS: (None, "dpv:SafeguardForDataTransfer"),
    TransferMechanism.DEROGATION: (None, "dpv:DataTransferLegalBasis"),
}


def label(text: LocalText) -> list[dict[str, str]]:
    """``rdfs:label`` values: one language-tagged literal per language."""
    return [{"@value": text.get(lang), "@language": lang} for lang in LANGUAGES]


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _refs(iris: list[str]) -> list[dict[str, str]]:
    return [_ref(i) for i in dict.fromkeys(iris)]  # once each, in first-seen order


class _Iris:
    """IRIs for the programme's own entries, by section and key."""

    def __init__(self, programme_key: str) -> None:
        self.base = f"urn:dataskydd:{programme_key}:"

    def __call__(self, section: str, key: str) -> str:
        return f"{self.base}{section}:{key}"


def export_dpv(programme: Programme) -> dict[str, Any]:
    """The programme as a JSON-LD document (``@context`` and ``@graph``) in DPV terms."""
    iri = _Iris(programme.programme.key)
    categories = {c.key: c.dpv for c in programme.categories}
    bases = {p.key: [LEGAL_BASES[b].dpv for b in p.legal_bases] for p in programme.purposes}
    profiling = {p.key for p in programme.purposes if p.profiling}
    transfers = {t.key: t for t in programme.transfers}
    dpo = iri("dpo", "dpo")

    graph: list[dict[str, Any]] = [
        {
            "@id": iri("programme", programme.programme.key),
            "@type": "dct:Collection",
            "rdfs:label": label(programme.programme.name),
            "dct:identifier": programme.programme.key,
            "dct:hasVersion": programme.notice.version,
            "dct:valid": {
                "@value": programme.notice.effective_date.isoformat(),
                "@type": "xsd:date",
            },
        },
        {
            "@id": dpo,
            "@type": "dpv:DataProtectionOfficer",
            "rdfs:label": label(LocalText(sv="Dataskyddsombud", en="Data protection officer")),
            "dpv:hasContact": _ref(f"mailto:{programme.organisation.dpo.email}"),
            "dpv:hasAddress": ", ".join(programme.organisation.dpo.postal_address.lines()),
        },
    ]
    for controller in programme.organisation.controllers:
        node: dict[str, Any] = {
            "@id": iri("controller", controller.key),
            "@type": "dpv:DataController",
            "dpv:hasName": controller.name,
            "rdfs:label": [{"@value": controller.name, "@language": lang} for lang in LANGUAGES],
            "dpv:hasDataProtectionOfficer": _ref(dpo),
        }
        if controller.org_number:
            node["dct:identifier"] = controller.org_number
        graph.append(node)
    for purpose in programme.purposes:
        graph.append(
            {
                "@id": iri("purpose", purpose.key),
                "@type": ["dpv:Purpose", *([purpose.dpv] if purpose.dpv else [])],
                "rdfs:label": label(purpose.title),
                "dct:description": label(purpose.description),
            }
        )
    for subject in programme.data_subjects:
        graph.append(
            {
                "@id": iri("data-subject", subject.key),
                "@type": "dpv:DataSubject",
                "rdfs:label": label(subject.label),
            }
        )
    for source in programme.sources:
        graph.append(
            {
                "@id": iri("source", source.key),
                "@type": [
                    "dpv:DataSource",
                    _SOURCE_TYPES.get(source.kind, "dpv:ThirdPartyDataSource"),
                ],
                "rdfs:label": label(source.label),
            }
        )
    graph += [_recipient(r, iri) for r in programme.recipients]
    graph += [_transfer(t, iri) for t in programme.transfers]
    graph += [_measure(m, iri) for m in programme.security_measures]
    graph += [_storage(r, iri) for r in programme.retention]
    graph += [
        _activity(a, iri, categories, bases, transfers, profiling) for a in programme.activities
    ]
    return {"@context": CONTEXT, "@graph": graph}


def _activity(
    activity: Activity,
    iri: _Iris,
    categories: dict[str, str],
    bases: dict[str, list[str]],
    transfers: dict[str, Transfer],
    profiling: set[str],
) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": iri("activity", activity.key),
        "@type": ["dpv:PersonalDataHandling", "dpv:Process"],
        "rdfs:label": label(activity.name),
        "dpv:hasDataController": _refs([iri("controller", k) for k in activity.controllers]),
        "dpv:hasPurpose": _refs([iri("purpose", k) for k in activity.purposes]),
        "dpv:hasLegalBasis": _refs([b for k in activity.purposes for b in bases[k]]),
        "dpv:hasPersonalData": _refs([categories[k] for k in activity.categories]),
        "dpv:hasDataSubject": _refs([iri("data-subject", k) for k in activity.data_subjects]),
        "dpv:hasRecipient": _refs([iri("recipient", k) for k in activity.recipients]),
        "dpv:hasDataSource": _refs([iri("source", k) for k in activity.sources]),
        "dpv:hasStorageCondition": _refs([iri("retention", k) for k in activity.retention]),
        "dpv:hasTechnicalOrganisationalMeasure": _refs(
            [iri("measure", k) for k in activity.security_measures]
        ),
    }
    if activity.description:
        node["dct:description"] = label(activity.description)
    if activity.transfers:
        node["dpv:hasProcess"] = _refs([iri("transfer", k) for k in activity.transfers])
        node["dpv:hasThirdCountry"] = _refs(
            [f"loc:{c}" for k in activity.transfers for c in transfers[k].countries]
        )
    if activity.profiling or not profiling.isdisjoint(activity.purposes):
        node["dpv:hasProcessing"] = _ref("dpv:Profiling")
    return {k: v for k, v in node.items() if v != []}


def _recipient(recipient: Recipient, iri: _Iris) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": iri("recipient", recipient.key),
        "@type": ["dpv:Recipient", _RECIPIENT_TYPES.get(recipient.kind, "dpv:ThirdParty")],
        "rdfs:label": label(recipient.label),
        "dpv:hasCountry": _ref(f"loc:{recipient.country}"),
    }
    if recipient.dpa_reference:
        # The processor agreement (Art. 28) is a legal measure that governs what it may do.
        node["dpv:hasTechnicalOrganisationalMeasure"] = {
            "@type": "dpv:DataProcessingAgreement",
            "dct:identifier": recipient.dpa_reference,
        }
    return node


def _transfer(transfer: Transfer, iri: _Iris) -> dict[str, Any]:
    basis, safeguard = _TRANSFER_TERMS[transfer.mechanism]
    if transfer.mechanism == TransferMechanism.DEROGATION and transfer.derogation is not None:
        basis = f"eu-gdpr:A49-1-{ascii_lowercase[list(Derogation).index(transfer.derogation)]}"
    node: dict[str, Any] = {
        "@id": iri("transfer", transfer.key),
        "@type": "dpv:Process",
        "rdfs:label": label(transfer.label),
        "dpv:hasProcessing": _ref("dpv:Transfer"),
        "dpv:hasRecipient": _ref(iri("recipient", transfer.recipient)),
        "dpv:hasThirdCountry": _refs([f"loc:{c}" for c in transfer.countries]),
        "dpv:hasTechnicalOrganisationalMeasure": _refs(
            list(dict.fromkeys([safeguard, TRANSFER_MECHANISMS[transfer.mechanism].dpv]))
        ),
    }
    if basis:
        node["dpv:hasLegalBasis"] = _ref(basis)
    return {k: v for k, v in node.items() if v != []}


def _measure(measure: SecurityMeasure, iri: _Iris) -> dict[str, Any]:
    return {
        "@id": iri("measure", measure.key),
        "@type": ["dpv:TechnicalOrganisationalMeasure", _MEASURE_TYPES[measure.kind]],
        "rdfs:label": label(measure.label),
    }


def _storage(rule: RetentionRule, iri: _Iris) -> dict[str, Any]:
    """A retention rule as a ``dpv:StorageDuration``; DPV has no minimum, so the label says it."""
    durations = [
        {
            "@type": "dpv:TemporalDuration",
            "rdf:value": {"@value": period.iso(), "@type": "xsd:duration"},
            "rdfs:comment": bound,
        }
        for bound, period in (("minimum", rule.minimum), ("maximum", rule.maximum))
        if period is not None
    ]
    text = LocalText(
        sv=f"{rule.covers.sv}: {retention_period_text(rule, 'sv')}",
        en=f"{rule.covers.en}: {retention_period_text(rule, 'en')}",
    )
    node: dict[str, Any] = {
        "@id": iri("retention", rule.key),
        "@type": "dpv:StorageDuration",
        "rdfs:label": label(text),
        "dpv:hasDuration": durations,
    }
    if rule.statute:
        node["dct:source"] = rule.statute.reference
    return node
