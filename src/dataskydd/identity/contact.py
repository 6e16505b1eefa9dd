"""E-mail addresses and phone numbers: one canonical form each, and the forms people write.

An e-mail address is kept lower-cased with its domain in Unicode (``xn--`` labels decoded),
so ``Anna@Exempel.SE`` and ``anna@exempel.se`` are one person. A phone number is kept in
E.164 (``+46701234567``); the parsing and national formats come from ``phonenumbers``.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from dataskydd.identity.kinds import IdentityError, IdentityKind

# RFC 5321: a path is at most 256 octets including the angle brackets.
MAX_EMAIL_LENGTH = 254
# Besides letters and digits, what RFC 5322 lets an unquoted local part hold.
LOCAL_PUNCTUATION = frozenset(".!#$%&'*+-/=?^_`{|}~")
# The shortest run of digits sent to a database as a phone number's needle: shorter runs
# (an odd five-digit subscriber number) are common in any text and serve no index well.
MIN_PHONE_NEEDLE_DIGITS = 5


def parse_email(text: str) -> str:
    """The canonical form of an e-mail address, or an :class:`IdentityError` saying why not."""
    value = text.strip()
    if not value:
        raise _email_error(text, "is empty")
    if any(c.isspace() for c in value):
        raise _email_error(text, "contains a space")
    if value.count("@") != 1:
        count = value.count("@")
        raise _email_error(
            text, "has no @" if count == 0 else f"has {count} @ signs; an address has one"
        )
    local, domain = value.split("@")
    if not local:
        raise _email_error(text, "has nothing before the @")
    stray = next((c for c in local if not is_local_char(c)), None)
    if stray is not None:
        raise _email_error(text, f"contains {stray!r} before the @")
    if local[0] == "." or local[-1] == "." or ".." in local:
        raise _email_error(
            text, "the part before the @ begins or ends with a dot, or has two in a row"
        )
    if not domain:
        raise _email_error(text, "has no domain after the @")
    if "." not in domain:
        raise _email_error(text, f"the domain {domain!r} has no dot")
    labels = domain.split(".")
    if any(not label for label in labels):
        raise _email_error(text, f"the domain {domain!r} has an empty part")
    hyphened = next((label for label in labels if label[0] == "-" or label[-1] == "-"), None)
    if hyphened is not None:
        raise _email_error(text, f"the domain part {hyphened!r} begins or ends with a hyphen")
    try:
        # Round trip through the ASCII form: checks the labels, decodes xn-- to Unicode.
        domain = domain.lower().encode("idna").decode("ascii").encode("ascii").decode("idna")
    except UnicodeError:
        raise _email_error(text, f"the domain {domain!r} is not a valid domain name") from None
    canonical = f"{local.lower()}@{domain}"
    if len(canonical) > MAX_EMAIL_LENGTH:
        raise _email_error(
            text, f"is {len(canonical)} characters; an address has {MAX_EMAIL_LENGTH} at most"
        )
    return canonical


def is_local_char(c: str) -> bool:
    """Whether ``c`` may stand before the @ (RFC 5322 atext and dots, plus Unicode letters)."""
    return c.isalnum() or c in LOCAL_PUNCTUATION


def email_forms(canonical: str) -> list[str]:
    """The forms to look for: the canonical one; matching ignores case."""
    return [canonical]


def parse_phone(text: str, default_region: str = "SE") -> str:
    """The E.164 form of a phone number; numbers without ``+``/``00`` are read as ``default_region``'s."""
    value = text.strip()
    if not value:
        raise _phone_error(text, "is empty")
    if any(c.isalpha() for c in value):
        raise _phone_error(text, "contains letters")
    try:
        number = phonenumbers.parse(value, default_region)
    except NumberParseException as exc:
        raise _phone_error(
            text, _PARSE_REASONS.get(exc.error_type, "is not a phone number")
        ) from None
    if not phonenumbers.is_valid_number(number):
        code = number.country_code or 0
        region = phonenumbers.region_code_for_country_code(code)
        possible = phonenumbers.is_possible_number_with_reason(number)
        reason = _LENGTH_REASONS.get(possible, "is not a number in use")
        raise _phone_error(text, f"{reason} in {region} (+{code})")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_forms(e164: str) -> list[str]:
    """Every form a system or a text may hold the number in, E.164 first.

    ``+46701234567``, ``0046701234567``, ``46701234567``, ``0701234567``, ``070-123 45 67``,
    ``070-1234567``, ``070 123 45 67``, ``+46 70 123 45 67``.
    """
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    forms = [e164, "00" + e164[1:], e164[1:], _digits(national), national]
    if "-" in national:
        # The Swedish way: area code, hyphen, then the subscriber number grouped or not.
        area, subscriber = national.split("-", 1)
        forms += [f"{area}-{_digits(subscriber)}", f"{area} {subscriber}"]
    forms.append(international)
    return list(dict.fromkeys(forms))


def phone_needles(e164: str) -> list[str]:
    """The fewest substrings such that every form of :func:`phone_forms` holds one of them.

    The subscriber number (what follows the area code) is in every form: digits only
    (``1234567`` in ``+46701234567``, ``0046701234567``, ``46701234567``, ``0701234567``,
    ``070-1234567``) or grouped as the national format groups it (``123 45 67`` in
    ``070-123 45 67``, ``070 123 45 67``, ``+46 70 123 45 67``): two needles for eight
    forms, each with enough digits for a trigram index. A number whose national format has
    no area code before a hyphen (most countries' but Sweden's) gets its national number's
    digits, which every digits-only form holds; any form holding no needle yet is a needle
    of its own, written as it is.
    """
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    needles: list[str] = []
    if "-" in national:
        subscriber = national.split("-", 1)[1]
        if len(_digits(subscriber)) >= MIN_PHONE_NEEDLE_DIGITS:
            needles += [_digits(subscriber), subscriber]
    if not needles:
        needles.append(str(number.national_number))
    for form in phone_forms(e164):
        if not any(needle in form for needle in needles):
            needles.append(form)
    return list(dict.fromkeys(needles))


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "has no country code we know (write +46 or 0046 first)",
    NumberParseException.NOT_A_NUMBER: "is not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "is too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "is too short for a phone number",
    NumberParseException.TOO_LONG: "is too long for a phone number",
}
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "is too short for a phone number",
    ValidationResult.TOO_LONG: "is too long for a phone number",
    ValidationResult.INVALID_LENGTH: "has the wrong number of digits for a phone number",
    ValidationResult.INVALID_COUNTRY_CODE: "has a country code that is not in use",
}


def _email_error(text: str, reason: str) -> IdentityError:
    return IdentityError(IdentityKind.EMAIL, text, reason)


def _phone_error(text: str, reason: str) -> IdentityError:
    return IdentityError(IdentityKind.PHONE, text, reason)
