"""Free text as people write it: chats, notes, assessments, CVs, referees' statements.

The point of these texts is what they sometimes contain: a personnummer, an e-mail
address or a phone number, written the way people write them (10 or 12 digits, with or
without a hyphen; a phone as 070-123 45 67 or +46 70 123 45 67). Finding a person in free
text, in any of those forms, is what the estate exists to exercise.
"""

from __future__ import annotations

from random import Random

from dataskydd.demo.identifiers import phone_forms, written_forms
from dataskydd.demo.pools import pick

PHONE_STYLES = ("dashed", "spaced", "national", "international", "e164", "compact_dash")

SUBJECTS = (
    "ett lån till en maskininvestering",
    "finansiering av ett fastighetsköp",
    "rörelsekapital inför säsongen",
    "ett mikrolån för att starta eget",
    "en förlängning av min kredit",
    "amortering av vårt lån",
    "ett innovationsstöd",
    "rådgivning om tillväxt",
    "exportfinansiering",
    "ett nytt lagerutrymme",
)
CHAT_OPENINGS = (
    "Hej! Jag har en fråga om {subject}.",
    "Hej, jag undrar hur jag ansöker om {subject}?",
    "Hallå! Vi funderar på {subject}, kan ni hjälpa oss?",
    "God morgon. Jag skulle vilja veta mer om {subject}.",
)
AGENT_REPLIES = (
    "Hej och välkommen till Almi! Berätta gärna lite mer om verksamheten.",
    "Tack för din fråga. En rådgivare kan kontakta dig, vilket nummer når vi dig på?",
    "Det låter intressant. Hur länge har företaget funnits?",
    "Jag förstår. Har du en affärsplan eller budget som du kan skicka in?",
    "Tack! Jag har skickat vidare ärendet till en affärsrådgivare i din region.",
)
VISITOR_FOLLOW_UPS = (
    "Företaget har funnits i tre år och vi är fem anställda.",
    "Vi behöver ungefär 500 000 kr.",
    "Jag har en budget, jag mejlar den i eftermiddag.",
    "Tack för hjälpen!",
    "Kan ni ringa mig efter klockan 15?",
)
INTERACTION_NOTES = (
    "Samtal om {subject}. Kunden återkommer med bokslut.",
    "Möte på kontoret. Gick igenom {subject} och nästa steg.",
    "Mejlade information om {subject}.",
    "Kunden ringde angående {subject}. Skickade offert.",
    "Träffades på frukostseminarium, intresserad av {subject}.",
)
KYC_ASSESSMENTS = {
    "low": (
        "Låg risk. Verksamheten och medlens ursprung är väl dokumenterade.",
        "Låg risk. Etablerad kund, inga avvikande transaktioner.",
    ),
    "medium": (
        "Medelhög risk: kontanthantering i verksamheten. Följs upp årligen.",
        "Medelhög risk. Ägarstrukturen har ändrats under året; nya huvudmän kontrollerade.",
    ),
    "high": (
        "Hög risk. Oklart ursprung för insatt kapital, fördjupad kundkännedom begärd.",
        "Hög risk: transaktioner med högriskland. Ärendet eskalerat till compliance.",
    ),
}
SCHOOLS = (
    "Handelshögskolan i Stockholm",
    "Lunds universitet",
    "Uppsala universitet",
    "Umeå universitet",
    "Chalmers",
    "Linköpings universitet",
    "Karlstads universitet",
)
EMPLOYERS = (
    "Swedbank",
    "Handelsbanken",
    "SEB",
    "Nordea",
    "PwC",
    "KPMG",
    "Skatteverket",
    "Länsförsäkringar",
    "Ericsson",
    "ICA",
    "Kommunen",
    "ett mindre konsultbolag",
)


def personnummer_as_written(rng: Random, canonical: str) -> str:
    forms = written_forms(canonical)
    return forms[int(rng.random() * len(forms))]


def phone_as_written(rng: Random, national: str) -> str:
    return phone_forms(national)[pick(rng, PHONE_STYLES)]


def chat(rng: Random, personnummer: str, email: str, phone: str) -> list[tuple[str, str]]:
    """A chat of two to eight messages; about one visitor in five gives an identity."""
    messages = [("visitor", pick(rng, CHAT_OPENINGS).format(subject=pick(rng, SUBJECTS)))]
    for _ in range(rng.randint(0, 3)):
        messages.append(("agent", pick(rng, AGENT_REPLIES)))
        messages.append(("visitor", pick(rng, VISITOR_FOLLOW_UPS)))
    shares = rng.random()
    if shares < 0.08:
        pnr = personnummer_as_written(rng, personnummer)
        messages.append(("visitor", f"Mitt personnummer är {pnr} om ni behöver det."))
    elif shares < 0.14:
        messages.append(("visitor", f"Ni når mig på {email}"))
    elif shares < 0.22:
        messages.append(("visitor", f"Ring gärna {phone_as_written(rng, phone)}."))
    return messages


def interaction_note(rng: Random, personnummer: str, phone: str) -> str:
    note = pick(rng, INTERACTION_NOTES).format(subject=pick(rng, SUBJECTS))
    extra = rng.random()
    if extra < 0.05:
        note += f" Pnr {personnummer_as_written(rng, personnummer)}."
    elif extra < 0.15:
        note += f" Nås på {phone_as_written(rng, phone)}."
    return note


def kyc_assessment(rng: Random, risk: str, personnummer: str) -> str:
    text = pick(rng, KYC_ASSESSMENTS[risk])
    if rng.random() < 0.1:
        text += f" Kontroll av {personnummer_as_written(rng, personnummer)} mot sanktionslistor utan träff."
    return text


def cv(rng: Random, name: str, position: str, email: str, phone: str) -> str:
    years = rng.randint(2, 25)
    return (
        f"{name}\n{email}, {phone_as_written(rng, phone)}\n\n"
        f"Söker tjänsten som {position.lower()}.\n"
        f"Utbildning: ekonomie kandidat, {pick(rng, SCHOOLS)}.\n"
        f"Erfarenhet: {years} år, senast på {pick(rng, EMPLOYERS)}."
    )


def test_result(rng: Random) -> tuple[str, str]:
    logic, verbal = rng.randint(1, 9), rng.randint(1, 9)
    content = f"Kapacitetstest: logisk förmåga stanin {logic}, verbal förmåga stanin {verbal}."
    if logic + verbal >= 12:
        verdict = "Starkt resultat. Rekommenderas till intervju."
    elif logic + verbal >= 8:
        verdict = "Godkänt resultat, men svagare än övriga kandidater."
    else:
        verdict = "Under kravprofilen för tjänsten."
    return content, verdict


def reference_statement(
    rng: Random, applicant_first_name: str, referee: str, referee_phone: str
) -> tuple[str, str]:
    content = (
        f"Referens: {referee}, tidigare chef, tel. {phone_as_written(rng, referee_phone)}. "
        f"{applicant_first_name} beskrivs som noggrann och samarbetsvillig."
    )
    verdict = pick(
        rng,
        (
            "Referensen bekräftar bilden från intervjun.",
            "Referensen var återhållsam; följ upp ledarskapet.",
            "Mycket goda omdömen.",
        ),
    )
    return content, verdict


def criminal_record_extract(name: str, personnummer: str) -> str:
    return (
        f"Utdrag ur belastningsregistret (arbete inom finansiell verksamhet) för {name}, "
        f"{written_forms(personnummer)[0]}: inga uppgifter."
    )


def contact_form(rng: Random, personnummer: str) -> str:
    text = (
        f"Hej! Jag vill gärna bli kontaktad om {pick(rng, SUBJECTS)}. "
        f"{pick(rng, VISITOR_FOLLOW_UPS)}"
    )
    if rng.random() < 0.05:
        text += f" Personnummer: {personnummer_as_written(rng, personnummer)}"
    return text
