"""The DPV export: a JSON-LD graph that another privacy tool can read without us."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from dataskydd.programme import Programme, load_programme, load_template
from dataskydd.programme.dpv import export_dpv
from dataskydd.programme.schema import Transfer
from dataskydd.programme.vocab import LEGAL_BASES, Derogation, TransferMechanism


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory, synthetic: ModuleType) -> Programme:
    return load_programme(synthetic.write_programme(tmp_path_factory.mktemp("dpv"), 30))


@pytest.fixture(scope="module")
def document(programme: Programme) -> dict[str, Any]:
    # Through JSON and back: what a consumer reads is what the tests read.
    result: dict[str, Any] = json.loads(json.dumps(export_dpv(programme)))
    return result


def _nodes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in document["@graph"]}


def _types(node: dict[str, Any]) -> list[str]:
    kind = node["@type"]
    return kind if isinstance(kind, list) else [kind]


def _ids(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v["@id"] for v in values]


def _activities(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in document["@graph"] if "dpv:PersonalDataHandling" in _types(n)]


def test_the_context_names_the_dpv_namespaces(document: dict[str, Any]) -> None:
    context = document["@context"]
    assert context["dpv"] == "https://w3id.org/dpv#"
    assert context["dpv-pd"] == "https://w3id.org/dpv/pd#"
    assert context["eu-gdpr"] == "https://w3id.org/dpv/legal/eu/gdpr#"
    assert context["dct"] == "http://purl.org/dc/terms/"
    assert context["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"


def test_each_activity_is_a_personal_data_handling_with_its_facts(
    document: dict[str, Any], programme: Programme
) -> None:
    activities = _activities(document)
    assert len(activities) == len(programme.activities)
    for node in activities:
        for prop in (
            "dpv:hasPurpose",
            "dpv:hasLegalBasis",
            "dpv:hasPersonalData",
            "dpv:hasDataSubject",
            "dpv:hasDataController",
            "dpv:hasRecipient",
            "dpv:hasDataSource",
            "dpv:hasStorageCondition",
            "dpv:hasTechnicalOrganisationalMeasure",
        ):
            assert _ids(node[prop]), f"{node['@id']} has no {prop}"


def test_legal_bases_are_the_gdpr_article_terms(
    document: dict[str, Any], programme: Programme
) -> None:
    purposes = {p.key: p for p in programme.purposes}
    activity = programme.activities[0]
    expected = {LEGAL_BASES[b].dpv for k in activity.purposes for b in purposes[k].legal_bases}
    node = _activities(document)[0]
    assert set(_ids(node["dpv:hasLegalBasis"])) == expected
    assert all(term.startswith("eu-gdpr:A6-1-") for term in expected)


def test_personal_data_are_the_categories_dpv_terms(
    document: dict[str, Any], programme: Programme
) -> None:
    categories = {c.key: c.dpv for c in programme.categories}
    for activity, node in zip(programme.activities, _activities(document), strict=True):
        assert set(_ids(node["dpv:hasPersonalData"])) == {
            categories[k] for k in activity.categories
        }
    assert "dpv-pd:CriminalConviction" in _ids(_activities(document)[0]["dpv:hasPersonalData"])


def test_retention_is_a_storage_duration_with_an_iso_8601_period(
    document: dict[str, Any], programme: Programme
) -> None:
    nodes = _nodes(document)
    rule = programme.retention[0]  # at least P1Y, up to P8Y
    storage = nodes[_ids(_activities(document)[0]["dpv:hasStorageCondition"])[0]]
    assert storage["@type"] == "dpv:StorageDuration"
    node = nodes[f"urn:dataskydd:{programme.programme.key}:retention:{rule.key}"]
    durations = {d["rdfs:comment"]: d["rdf:value"] for d in node["dpv:hasDuration"]}
    assert durations["minimum"] == {"@value": "P1Y", "@type": "xsd:duration"}
    assert durations["maximum"] == {"@value": "P8Y", "@type": "xsd:duration"}
    assert {
        "@value": "Data 0: at least 1 year, up to 8 years after the business relationship ended",
        "@language": "en",
    } in node["rdfs:label"]


def test_labels_are_language_tagged_in_swedish_and_english(document: dict[str, Any]) -> None:
    for node in document["@graph"]:
        labels = node.get("rdfs:label")
        if labels is None:
            continue
        assert {label["@language"] for label in labels} == {"sv", "en"}
        assert all(label["@value"] for label in labels)
    assert {"@value": "Behandling 0", "@language": "sv"} in _activities(document)[0]["rdfs:label"]


def test_every_reference_resolves_to_a_node_or_a_vocabulary_term(document: dict[str, Any]) -> None:
    nodes = _nodes(document)
    prefixes = set(document["@context"])
    for activity in _activities(document):
        for prop, value in activity.items():
            if prop.startswith("dpv:has"):
                for iri in _ids(value):
                    assert iri in nodes or iri.split(":", 1)[0] in prefixes, (prop, iri)


def test_processors_are_data_processors_and_transfers_name_their_article(
    document: dict[str, Any], programme: Programme
) -> None:
    nodes = _nodes(document)
    base = f"urn:dataskydd:{programme.programme.key}:"
    processor = next(r for r in programme.recipients if r.kind == "processor")
    assert "dpv:DataProcessor" in _types(nodes[f"{base}recipient:{processor.key}"])
    scc = next(t for t in programme.transfers if t.mechanism == "standard_contractual_clauses")
    node = nodes[f"{base}transfer:{scc.key}"]
    assert _ids(node["dpv:hasLegalBasis"]) == ["eu-gdpr:A46-2-c"]
    assert _ids(node["dpv:hasThirdCountry"]) == ["loc:US"]


def test_a_derogation_transfer_names_its_point_of_article_49(programme: Programme) -> None:
    recipient = programme.recipients[0].key
    transfer = Transfer(
        key="on-request",
        label={"sv": "På begäran", "en": "On request"},
        recipient=recipient,
        countries=["IN"],
        mechanism=TransferMechanism.DEROGATION,
        derogation=Derogation.CONTRACT_WITH_SUBJECT,
    )
    changed = programme.model_copy(update={"transfers": [*programme.transfers, transfer]})
    nodes = _nodes(export_dpv(changed))
    node = nodes[f"urn:dataskydd:{programme.programme.key}:transfer:on-request"]
    assert _ids(node["dpv:hasLegalBasis"]) == ["eu-gdpr:A49-1-b"]


def test_the_bundled_programme_exports_every_activity() -> None:
    programme = load_template()
    document = json.loads(json.dumps(export_dpv(programme)))
    assert len(_activities(document)) == len(programme.activities)
    nodes = _nodes(document)
    transfer = nodes["urn:dataskydd:swedish-lender:transfer:it-support-third-country"]
    assert _ids(transfer["dpv:hasLegalBasis"]) == ["eu-gdpr:A46-2-c"]
