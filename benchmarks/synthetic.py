"""Generate a valid privacy programme of any size, for benchmarks and scaling tests.

Every section grows with the number of activities N (N/10 purposes, N/5 categories,
N/10 recipients and retention rules, ...) so that a programme ten times larger is ten
times larger throughout, and each activity refers to a fixed number of entries. The
programme passes every rule: legitimate interest has its balancing test, special and
criminal-offence data have their Art. 9 condition and Art. 10 authority, processors have
their agreement and every recipient outside the EEA has a transfer.

    python benchmarks/synthetic.py 1000 /tmp/programme-1000
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

BASES = (["contract"], ["legal_obligation"], ["legitimate_interest"], ["consent"])
RECIPIENT_KINDS = ("processor", "authority", "group_company", "credit_bureau", "bank", "lender")
TRIGGERS = ("relationship_ended", "collected", "contract_ended", "last_contact", "offer_lapsed")


def _text(sv: str, en: str) -> dict[str, str]:
    return {"sv": sv, "en": en}


def _pick(items: list[str], start: int, count: int, step: int = 7) -> list[str]:
    """``count`` distinct items of ``items``, spread out from ``start``."""
    chosen: dict[str, None] = {}
    position = start
    for _ in range(min(count, len(items))):
        while items[position % len(items)] in chosen:  # taken: probe the next one
            position += 1
        chosen[items[position % len(items)]] = None
        position += step
    return list(chosen)


def generate(n: int) -> dict[str, Any]:
    """A programme with ``n`` processing activities, as the data of one YAML document."""
    n_controllers = 1 + max(1, n // 100)
    n_subjects = max(2, n // 20)
    n_groups = max(2, n // 50)
    per_group = max(3, (n // 5) // n_groups)
    n_sources = max(2, n // 20)
    n_purposes = max(4, n // 10)
    n_recipients = max(6, n // 10)
    n_retention = max(3, n // 10)
    n_security = max(3, n // 20)

    controllers = [
        {
            "key": "parent",
            "name": "Syntetiska Koncernen AB",
            "role": "parent",
            "org_number": "556000-0000",
        }
    ]
    controllers += [
        {"key": f"sub-{i}", "name": f"Dotterbolag {i} AB", "role": "subsidiary", "parent": "parent"}
        for i in range(1, n_controllers)
    ]
    subjects = [
        {"key": f"subject-{i}", "label": _text(f"Registrerad {i}", f"Data subject {i}")}
        for i in range(n_subjects)
    ]

    categories: list[dict[str, Any]] = []
    plain: list[str] = []
    special: list[str] = []
    criminal: list[str] = []
    for g in range(n_groups):
        categories.append(
            {
                "key": f"group_{g}",
                "label": _text(f"Grupp {g}", f"Group {g}"),
                "dpv": "dpv-pd:Identifying",
                "fideslang": "user.unique_id",
            }
        )
        for c in range(per_group):
            key = f"group_{g}.item_{c}"
            entry: dict[str, Any] = {
                "key": key,
                "label": _text(f"Uppgift {g}.{c}", f"Data item {g}.{c}"),
                "dpv": "dpv-pd:Contact",
                "fideslang": "user.contact",
            }
            if c == 1:
                entry.update(
                    special=True, dpv="dpv-pd:HealthRecord", fideslang="user.health_and_medical"
                )
                special.append(key)
            elif c == 2:
                entry.update(
                    criminal=True,
                    dpv="dpv-pd:CriminalConviction",
                    fideslang="user.criminal_history",
                )
                criminal.append(key)
            else:
                if c % 5 == 0:
                    entry.update(
                        national_id=True,
                        dpv="dpv-pd:NationalIdentificationNumber",
                        fideslang="user.government_id.national_identification_number",
                    )
                plain.append(key)
            categories.append(entry)

    sources = [
        {
            "key": f"source-{i}",
            "label": _text(f"Källa {i}", f"Source {i}"),
            "kind": "data_subject" if i % 2 == 0 else "public_register",
        }
        for i in range(n_sources)
    ]

    subject_keys = [s["key"] for s in subjects]
    # Purpose 0 carries the criminal-offence data (with its Art. 10 authority) and purpose 1
    # the special categories (with explicit consent); the others only plain categories.
    purposes: list[dict[str, Any]] = []
    for i in range(n_purposes):
        bases = list(BASES[i % len(BASES)])
        purpose: dict[str, Any] = {
            "key": f"purpose-{i}",
            "title": _text(f"Ändamål {i}", f"Purpose {i}"),
            "description": _text(
                f"Vi behandlar uppgifter för ändamål {i}.", f"We process data for purpose {i}."
            ),
            "legal_bases": bases,
            "categories": _pick(plain, i, 3),
            "data_subjects": _pick(subject_keys, i, 2),
            "profiling": i % 9 == 4,
        }
        if "legitimate_interest" in bases:
            purpose["balancing_test"] = _text(
                "Vårt intresse väger tyngre.", "Our interest prevails."
            )
        if i == 0:
            purpose.update(
                legal_bases=["legal_obligation"],
                art10_authority="SFS 2017:630",
                categories=[*purpose["categories"], *criminal[:2]],
            )
        if i == 1:
            purpose.update(
                legal_bases=["consent", "explicit_consent"],
                categories=[*purpose["categories"], *special[:2]],
            )
        purposes.append(purpose)

    recipients: list[dict[str, Any]] = []
    transfers: list[dict[str, Any]] = []
    for i in range(n_recipients):
        kind = RECIPIENT_KINDS[i % len(RECIPIENT_KINDS)]
        recipient: dict[str, Any] = {
            "key": f"recipient-{i}",
            "kind": kind,
            "label": _text(f"Mottagare {i}", f"Recipient {i}"),
        }
        if kind == "processor":
            recipient["dpa_reference"] = f"DPA-{i:05d}"
            if i % 4 == 0:
                recipient["country"] = "US"
                transfers.append(
                    {
                        "key": f"transfer-{i}",
                        "recipient": recipient["key"],
                        "countries": ["US"],
                        "label": _text(f"Överföring {i}", f"Transfer {i}"),
                        "mechanism": "standard_contractual_clauses" if i % 8 == 0 else "adequacy",
                    }
                )
        recipients.append(recipient)
    transfer_of = {t["recipient"]: t["key"] for t in transfers}

    retention: list[dict[str, Any]] = []
    for i in range(n_retention):
        rule: dict[str, Any] = {
            "key": f"retention-{i}",
            "covers": _text(f"Uppgifter {i}", f"Data {i}"),
            "categories": _pick(plain, i, 2),
            "trigger": TRIGGERS[i % len(TRIGGERS)],
        }
        if i % 3 == 0:
            rule.update(
                minimum=f"P{1 + i % 7}Y",
                statute={"name": _text("Lag", "Act"), "reference": "SFS 2017:630"},
            )
        if i % 3 != 0 or i % 2 == 0:
            rule["maximum"] = f"P{8 + i % 5}Y"
        retention.append(rule)

    security = [
        {
            "key": f"measure-{i}",
            "label": _text(f"Åtgärd {i}", f"Measure {i}"),
            "kind": ("technical", "organisational", "physical", "administrative")[i % 4],
        }
        for i in range(n_security)
    ]

    purpose_keys = [p["key"] for p in purposes[2:]]
    recipient_keys = [r["key"] for r in recipients]
    activities: list[dict[str, Any]] = []
    for i in range(n):
        chosen_recipients = _pick(recipient_keys, i, 4, step=3)
        activity: dict[str, Any] = {
            "key": f"activity-{i}",
            "name": _text(f"Behandling {i}", f"Processing activity {i}"),
            "description": _text(f"Behandling nummer {i}.", f"Processing activity number {i}."),
            "controllers": [controllers[i % len(controllers)]["key"]],
            "purposes": _pick(purpose_keys, i, 3),
            "data_subjects": _pick(subject_keys, i, 2),
            "categories": _pick(plain, i, 6),
            "sources": _pick([s["key"] for s in sources], i, 2),
            "recipients": chosen_recipients,
            "transfers": [transfer_of[r] for r in chosen_recipients if r in transfer_of],
            "retention": _pick([r["key"] for r in retention], i, 2),
            "security_measures": _pick([m["key"] for m in security], i, 3),
            "profiling": i % 17 == 0,
        }
        if i % 10 == 0:
            activity["purposes"].insert(0, "purpose-0")
            activity["categories"].append(criminal[i % len(criminal)])
        if i % 10 == 5:
            activity["purposes"].insert(0, "purpose-1")
            activity["categories"].append(special[i % len(special)])
        activities.append(activity)

    return {
        "programme": {
            "key": f"synthetic-{n}",
            "name": _text(f"Syntetiskt program {n}", f"Synthetic programme {n}"),
        },
        "organisation": {
            "group_name": "Syntetiska Koncernen",
            "controller_rule": _text("Ditt bolag är ansvarigt.", "Your company is the controller."),
            "controllers": controllers,
            "dpo": {
                "email": "dpo@example.se",
                "postal_address": {
                    "organisation": "Syntetiska Koncernen AB",
                    "attention": "Dataskyddsombud",
                    "street": "Box 1",
                    "postcode": "111 11",
                    "city": "Stockholm",
                },
            },
            "authority": {
                "key": "imy",
                "name": _text(
                    "Integritetsskyddsmyndigheten", "Swedish Authority for Privacy Protection"
                ),
                "email": "imy@imy.se",
                "postal_address": {
                    "organisation": "Integritetsskyddsmyndigheten",
                    "street": "Box 8114",
                    "postcode": "104 20",
                    "city": "Stockholm",
                },
            },
        },
        "data_subjects": subjects,
        "categories": categories,
        "sources": sources,
        "purposes": purposes,
        "automated_decisions": {
            "used": False,
            "statement": _text("Inga automatiserade beslut.", "No automated decisions."),
        },
        "recipients": recipients,
        "transfer_policy": {
            "statement": _text("Vi skyddar överföringar.", "We safeguard transfers."),
            "allowed_mechanisms": ["adequacy", "standard_contractual_clauses"],
        },
        "transfers": transfers,
        "retention": retention,
        "security_measures": security,
        "activities": activities,
        "rights": [
            {
                "key": right,
                "title": _text(right, right),
                "text": _text(f"Rätt: {right}.", f"Right: {right}."),
            }
            for right in (
                "access",
                "rectification",
                "erasure",
                "restriction",
                "objection",
                "portability",
            )
        ],
        "notice": {
            "version": "1",
            "effective_date": "2024-01-01",
            "title": _text("Personuppgiftshantering", "Processing of personal data"),
            "introduction": _text("Så behandlar vi uppgifter.", "How we process data."),
            "sections": [
                {"key": "purposes", "title": _text("Ändamål", "Purposes"), "include": ["purposes"]}
            ],
        },
    }


def write_programme(directory: Path, n: int) -> Path:
    """Write a programme with ``n`` activities to ``directory/programme.yaml``; return the file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "programme.yaml"
    # The C emitter when PyYAML has it: writing 5,000 activities should not dominate a benchmark.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(generate(n), out, Dumper=dumper, allow_unicode=True, sort_keys=False)
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/synthetic.py N DIRECTORY")
    print(write_programme(Path(sys.argv[2]), int(sys.argv[1])))
