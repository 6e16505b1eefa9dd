"""The words of the web pages themselves (the notice's words come from the programme)."""

from __future__ import annotations

from datetime import date, datetime

from dataskydd.programme.text import Language, LocalText
from dataskydd.programme.text import bilingual as _t

TEXTS: dict[str, LocalText] = {
    "skip": _t("Hoppa till innehållet", "Skip to content"),
    "language_name": _t("Svenska", "English"),
    "language_switch": _t("In English", "På svenska"),
    "language_nav": _t("Språk och sidor", "Language and pages"),
    "notice": _t("Personuppgiftshantering", "Privacy notice"),
    "history": _t("Versionshistorik", "Version history"),
    "api": _t("API", "API"),
    "contents": _t("Innehåll", "Contents"),
    "version": _t("Version", "Version"),
    "effective": _t("Gäller från", "Effective from"),
    "in_effect": _t("gäller nu", "in effect"),
    "not_yet": _t("ännu inte i kraft", "not yet in effect"),
    "superseded": _t("ersatt", "superseded"),
    "significant": _t("Betydande ändring", "Significant change"),
    "summary": _t("Sammanfattning", "Summary"),
    "published": _t("Publicerad", "Published"),
    "status": _t("Status", "Status"),
    "yes": _t("Ja", "Yes"),
    "no": _t("Nej", "No"),
    "read_version": _t("Läs version {version}", "Read version {version}"),
    "compare_previous": _t("Jämför med föregående", "Compare with previous"),
    "compare_current": _t("Se vad som ändras", "See what changes"),
    "upcoming_title": _t("En ny version är på väg", "A new version is coming"),
    "upcoming_text": _t(
        "Version {version} gäller från {date}.", "Version {version} takes effect on {date}."
    ),
    "upcoming_significant": _t(
        "Läs igenom vad som ändras innan den börjar gälla.",
        "Please read what changes before it takes effect.",
    ),
    "not_yet_title": _t("Ännu inte i kraft", "Not yet in effect"),
    "not_yet_text": _t(
        "Den här versionen gäller från {date}.", "This version takes effect on {date}."
    ),
    "old_version_title": _t("En tidigare version", "An earlier version"),
    "old_version_text": _t(
        "Du läser version {version} som den var publicerad. Den gällande versionen finns på ",
        "You are reading version {version} as it was published. The version in effect is on ",
    ),
    "the_notice_page": _t("sidan om personuppgiftshantering", "the privacy notice page"),
    "diff_title": _t("Ändringar från version {a} till {b}", "Changes from version {a} to {b}"),
    "diff_counts": _t(
        "{changed} av {total} avsnitt har ändrats (nya: {added}, borttagna: {removed}).",
        "{changed} of {total} sections changed (new: {added}, removed: {removed}).",
    ),
    "diff_none": _t("Texten är oförändrad.", "The text is unchanged."),
    "diff_legend": _t(
        "Tillagd text är understruken, borttagen text är överstruken.",
        "Added text is underlined, removed text is struck through.",
    ),
    "inserted": _t("Tillagt: ", "Added: "),
    "deleted": _t("Borttaget: ", "Removed: "),
    "end_change": _t(" (slut på ändringen)", " (end of change)"),
    "section_changed": _t("ändrat", "changed"),
    "section_added": _t("nytt", "new"),
    "section_removed": _t("borttaget", "removed"),
    "section_unchanged": _t("oförändrat", "unchanged"),
    "renamed_from": _t("Tidigare rubrik: {title}", "Previous heading: {title}"),
    "unchanged_sections": _t("{count} oförändrade avsnitt", "{count} unchanged sections"),
    "not_found_title": _t("Sidan finns inte", "Page not found"),
    "not_found_text": _t(
        "Vi hittar inte sidan du söker. Den kan ha flyttats, eller så är adressen felstavad.",
        "We cannot find the page you are looking for. It may have moved, or the address "
        "may be misspelt.",
    ),
    "unknown_version": _t(
        "Det finns ingen publicerad version {version}.", "There is no published version {version}."
    ),
    "go_to_notice": _t("Till personuppgiftshanteringen", "Go to the privacy notice"),
    "no_version": _t(
        "Ingen version av texten är publicerad ännu.", "No version of the notice is published yet."
    ),
    "footer_version": _t(
        "Version {version}, gäller från {date}.", "Version {version}, effective from {date}."
    ),
    "made_with": _t("Drivs med dataskydd {version}", "Powered by dataskydd {version}"),
}

_MONTHS = {
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "en": "January February March April May June July August September October November December",
}


def text(key: str, language: Language, **values: object) -> str:
    template = TEXTS[key].get(language)
    return template.format(**values) if values else template


def long_date(day: date | datetime, language: Language) -> str:
    """'1 januari 2025' / '1 January 2025'."""
    month = _MONTHS[language].split()[day.month - 1]
    return f"{day.day} {month} {day.year}"
