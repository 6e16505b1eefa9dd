"""The access letter's own words, in Swedish and English.

Everything else the letter says comes from the answer (the data found) or from the
programme (purposes, retention, rights, the authority). Texts with ``{placeholders}`` are
filled by :func:`say`; a placeholder never receives a personal data value, only system
names, counts and dates.
"""

from __future__ import annotations

from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.text import Language, LocalText
from dataskydd.programme.text import bilingual as _t
from dataskydd.rights.access import WithholdReason
from dataskydd.rights.resolution import Found

LETTER: dict[str, LocalText] = {
    "title": _t(
        "Svar på din begäran om tillgång till dina personuppgifter",
        "Answer to your request for access to your personal data",
    ),
    "date": _t("Datum", "Date"),
    "opening": _t(
        "Du har begärt att få veta vilka personuppgifter vi behandlar om dig. Här är vårt svar "
        "enligt artikel 15 i dataskyddsförordningen (GDPR): de uppgifter vi har om dig, varför "
        "vi behandlar dem, vem vi lämnar ut dem till, hur länge vi sparar dem, varifrån de "
        "kommer och vilka rättigheter du har.",
        "You have asked us which personal data we process about you. This is our answer under "
        "Article 15 of the General Data Protection Regulation (GDPR): the data we hold about "
        "you, why we process it, whom we disclose it to, how long we keep it, where it comes "
        "from and what rights you have.",
    ),
    "summary": _t("Sammanfattning", "Summary"),
    "searched_by": _t("Vi har sökt efter dig med: {kinds}.", "We searched for you by: {kinds}."),
    "searched_in": _t(
        "Dessa system har vi sökt i: {names}.", "These are the systems we searched: {names}."
    ),
    "found_in": _t(
        "Vi hittade {records} poster med uppgifter om dig i {systems} system: {names}.",
        "We found {records} records with data about you in {systems} systems: {names}.",
    ),
    "found_one": _t(
        "Vi hittade 1 post med uppgifter om dig i systemet {names}.",
        "We found 1 record with data about you in the system {names}.",
    ),
    "found_nothing": _t(
        "I de system vi kunde söka i hittade vi inga uppgifter om dig.",
        "In the systems we could search we found no data about you.",
    ),
    "incomplete_heading": _t("Svaret är inte komplett ännu", "This answer is not complete yet"),
    "incomplete": _t(
        "Vi kunde inte fråga följande system när svaret togs fram: {names}. Vi vet därför ännu "
        "inte vilka uppgifter om dig som finns där. Vi kompletterar svaret med uppgifterna från "
        "dessa system så snart de har kunnat frågas.",
        "We could not ask the following systems when this answer was made: {names}. We "
        "therefore do not yet know which data about you they hold. We will complete this "
        "answer with the data from these systems as soon as they have been asked.",
    ),
    "manual_heading": _t("System som gås igenom för hand", "Systems checked by hand"),
    "manual_by": _t(
        "Vi går igenom systemet {name} för hand. Svaret kompletteras senast {date}.",
        "We are checking the system {name} by hand. The answer will be completed by {date}.",
    ),
    "manual_soon": _t(
        "Vi går igenom systemet {name} för hand. Svaret kompletteras inom en månad från din "
        "begäran.",
        "We are checking the system {name} by hand. The answer will be completed within one "
        "month of your request.",
    ),
    "withheld_heading": _t("Uppgifter som inte lämnas ut", "Information not disclosed"),
    "withheld": _t(
        "Rätten att få en kopia av sina personuppgifter får inte inkräkta på andras "
        "rättigheter och friheter (artikel 15.4 i dataskyddsförordningen), och lag kan "
        "begränsa den. Vi har därför inte lämnat ut vissa uppgifter. Skälen är:",
        "The right to obtain a copy of one's personal data must not adversely affect the "
        "rights and freedoms of others (Article 15(4) GDPR), and the law may restrict it. We "
        "have therefore not disclosed some information. The reasons are:",
    ),
    "your_data": _t("Dina uppgifter", "Your data"),
    "table": _t("Tabell", "Table"),
    "records_in_table": _t("{count} poster", "{count} records"),
    "record_in_table": _t("1 post", "1 record"),
    "record": _t("Post", "Record"),
    "found_as": _t("Hur uppgiften hör till dig", "How it relates to you"),
    "no_data": _t("Inga uppgifter att visa.", "No data to show."),
    "art15_heading": _t("Information om behandlingen", "About the processing"),
    "purposes": _t("Ändamål och rättslig grund", "Purposes and legal basis"),
    "categories": _t("Kategorier av personuppgifter", "Categories of personal data"),
    "recipients": _t("Mottagare", "Recipients"),
    "no_recipients": _t(
        "Vi lämnar inte ut dessa uppgifter till någon annan.",
        "We do not disclose this data to anyone else.",
    ),
    "retention": _t("Hur länge vi sparar uppgifterna", "How long we keep the data"),
    "retention_ends": _t(
        # Neutral on purpose: for a minimum ("at least 5 years") the date is the earliest end.
        "För dina uppgifter löper tiden till {date}.",
        "For your data, this period runs until {date}.",
    ),
    "sources": _t("Varifrån uppgifterna kommer", "Where the data comes from"),
    "transfers": _t(
        "Överföring till länder utanför EU/EES", "Transfers to countries outside the EU/EEA"
    ),
    "no_transfers": _t(
        "Vi överför inte dessa uppgifter till länder utanför EU/EES.",
        "We do not transfer this data to countries outside the EU/EEA.",
    ),
    "safeguard": _t("skyddsåtgärd", "safeguard"),
    "rights": _t("Dina rättigheter", "Your rights"),
    "automated": _t("Automatiserat beslutsfattande", "Automated decision-making"),
    "complaint_heading": _t(
        "Klagomål till Integritetsskyddsmyndigheten (IMY)",
        "Complaints to the Swedish Authority for Privacy Protection (IMY)",
    ),
    "complaint": _t(
        "Du har rätt att lämna klagomål på vår behandling av dina personuppgifter till "
        "tillsynsmyndigheten:",
        "You have the right to lodge a complaint about our processing of your personal data "
        "with the supervisory authority:",
    ),
    "dpo_heading": _t("Dataskyddsombud", "Data protection officer"),
    "dpo": _t(
        "Har du frågor om svaret kan du kontakta vårt dataskyddsombud:",
        "If you have questions about this answer, contact our data protection officer:",
    ),
    "colophon": _t(
        "Svaret togs fram {when} enligt dataskyddspolicyn version {version}.",
        "This answer was made on {when} under privacy notice version {version}.",
    ),
    "page": _t("Sida {page} av {pages}", "Page {page} of {pages}"),
    "yes": _t("ja", "yes"),
    "no": _t("nej", "no"),
    "binary": _t("(binära data, {size} byte)", "(binary data, {size} bytes)"),
}

FOUND_AS: dict[Found, LocalText] = {
    Found.OWN: _t("din uppgift", "your data"),
    Found.MENTION: _t("du nämns", "you are mentioned"),
    Found.CONTEXT: _t("sammanhang", "context"),
}

# General terms only (Art. 15(4)): never the note, never which item; a legal restriction
# such as money-laundering secrecy must not reveal more than the law allows.
WITHHELD_BECAUSE: dict[WithholdReason, LocalText] = {
    WithholdReason.OTHER_PERSON: _t(
        "uppgifterna rör även andra personer, vars integritet vi måste skydda",
        "the information also concerns other people, whose privacy we must protect",
    ),
    WithholdReason.TRADE_SECRET: _t(
        "uppgifterna är affärshemligheter eller know-how",
        "the information is a trade secret or know-how",
    ),
    WithholdReason.INTERNAL_ASSESSMENT: _t(
        "uppgifterna är interna bedömningar och arbetsmaterial",
        "the information is internal assessments and working material",
    ),
    WithholdReason.LEGAL_RESTRICTION: _t(
        "lag eller annan författning hindrar att uppgifterna lämnas ut",
        "a law or regulation prevents the information from being disclosed",
    ),
}

IDENTITY_KINDS: dict[IdentityKind, LocalText] = {
    IdentityKind.PERSONNUMMER: _t("personnummer", "personal identity number"),
    IdentityKind.SAMORDNINGSNUMMER: _t("samordningsnummer", "coordination number"),
    IdentityKind.ORGANISATIONSNUMMER: _t("organisationsnummer", "company registration number"),
    IdentityKind.EMAIL: _t("e-postadress", "e-mail address"),
    IdentityKind.PHONE: _t("telefonnummer", "phone number"),
    IdentityKind.CUSTOMER_NUMBER: _t("kundnummer", "customer number"),
    IdentityKind.APPLICANT_NUMBER: _t("sökandenummer", "applicant number"),
    IdentityKind.LOGIN_ID: _t("inloggnings-id", "login ID"),
}

README: LocalText = _t(
    """Svar på din begäran om tillgång till dina personuppgifter
==========================================================

Den här filen innehåller vårt svar enligt artikel 15 i dataskyddsförordningen (GDPR).

letter.pdf    Brevet: dina uppgifter och information om hur vi behandlar dem. Läs det först.
letter.html   Samma brev som webbsida; öppnas i en webbläsare.
answer.json   Hela svaret i maskinläsbar form (JSON, UTF-8).
<system>/<tabell>.csv
              Dina uppgifter, en fil per tabell och en rad per post. Filerna är
              UTF-8-kodade och öppnas i till exempel Excel eller LibreOffice.
              Kolumnrubriken anger vilken sorts uppgift det är, och inom parentes
              kolumnens namn i vårt system.

Datum skrivs enligt ISO 8601 (ÅÅÅÅ-MM-DD).
Har du frågor om svaret, kontakta vårt dataskyddsombud (se brevet).
""",
    """Answer to your request for access to your personal data
========================================================

This file holds our answer under Article 15 of the General Data Protection Regulation (GDPR).

letter.pdf    The letter: your data and how we process it. Read it first.
letter.html   The same letter as a web page; opens in a web browser.
answer.json   The complete answer in machine-readable form (JSON, UTF-8).
<system>/<table>.csv
              Your data, one file per table and one row per record. The files are
              UTF-8 encoded and open in, for example, Excel or LibreOffice.
              Each column heading says what kind of data it is, and in brackets the
              column's name in our system.

Dates are written as ISO 8601 (YYYY-MM-DD).
If you have questions about this answer, contact our data protection officer (see the letter).
""",
)


def say(key: str, language: Language, **values: object) -> str:
    """The letter's text ``key`` in ``language``, its placeholders filled."""
    text = LETTER[key].get(language)
    return text.format(**values) if values else text
