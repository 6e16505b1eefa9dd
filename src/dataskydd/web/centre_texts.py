"""The words of the privacy centre, where a person exercises their rights (sv and en)."""

from __future__ import annotations

from dataskydd.programme.text import Language, LocalText
from dataskydd.programme.text import bilingual as _t

IMY_SV = (
    "Integritetsskyddsmyndigheten (IMY), imy@imy.se, Box 8114, 104 20 Stockholm"
)
IMY_EN = (
    "the Swedish Authority for Privacy Protection (IMY), imy@imy.se, Box 8114, "
    "104 20 Stockholm, Sweden"
)

# Per kind of request: its name, and the one line that explains it.
KINDS: dict[str, tuple[LocalText, LocalText]] = {
    "access": (
        _t("Få tillgång till dina uppgifter", "Access your data"),
        _t(
            "Du har rätt att få veta vilka personuppgifter vi har om dig och att få en kopia av dem.",
            "You have the right to know which personal data we hold about you and to get a copy of it.",
        ),
    ),
    "rectification": (
        _t("Rätta felaktiga uppgifter", "Correct inaccurate data"),
        _t(
            "Är en uppgift om dig fel eller ofullständig kan du be oss rätta den.",
            "If data about you is wrong or incomplete, you can ask us to correct it.",
        ),
    ),
    "erasure": (
        _t("Få dina uppgifter raderade", "Have your data erased"),
        _t(
            "I vissa fall har du rätt att få dina uppgifter raderade, till exempel om du "
            "återkallar ditt samtycke. Uppgifter som lagen kräver att vi sparar raderas inte.",
            "In some cases you have the right to have your data erased, for example if you "
            "withdraw your consent. Data the law requires us to keep is not erased.",
        ),
    ),
    "restriction": (
        _t("Begränsa behandlingen", "Restrict processing"),
        _t(
            "Du kan be oss att tills vidare bara lagra dina uppgifter, till exempel medan vi "
            "kontrollerar att de stämmer.",
            "You can ask us to only store your data for the time being, for example while we "
            "check that it is accurate.",
        ),
    ),
    "objection": (
        _t("Invända mot behandling", "Object to processing"),
        _t(
            "Du kan invända mot behandling som grundar sig på vårt berättigade intresse, och "
            "alltid mot direktmarknadsföring.",
            "You can object to processing based on our legitimate interest, and always to "
            "direct marketing.",
        ),
    ),
    "portability": (
        _t("Flytta dina uppgifter", "Move your data"),
        _t(
            "Uppgifter som du själv har lämnat till oss kan du få i ett maskinläsbart format, "
            "så att du kan föra över dem till någon annan.",
            "You can get the data you have given us in a machine-readable format, so that you "
            "can take it elsewhere.",
        ),
    ),
    "consent_withdrawal": (
        _t("Återkalla ett samtycke", "Withdraw consent"),
        _t(
            "Har du gett oss ditt samtycke kan du när som helst återkalla det. Det påverkar "
            "inte behandling som redan har skett.",
            "If you have given us your consent, you can withdraw it at any time. This does not "
            "affect processing that has already taken place.",
        ),
    ),
    "complaint": (
        _t("Kontakta dataskyddsombudet", "Contact the data protection officer"),
        _t(
            "Har du frågor eller klagomål om hur vi hanterar dina personuppgifter kan du "
            "skriva till vårt dataskyddsombud.",
            "If you have questions or complaints about how we handle your personal data, you "
            "can write to our data protection officer.",
        ),
    ),
}

# The grounds of Art. 17(1) (rights/erasure.py Ground), in the person's own words.
GROUNDS: dict[str, LocalText] = {
    "consent_withdrawn": _t(
        "Jag har återkallat mitt samtycke, och ni har ingen annan grund för att behandla uppgifterna.",
        "I have withdrawn my consent, and you have no other basis for processing the data.",
    ),
    "objection": _t(
        "Jag har invänt mot behandlingen, och ni har inga skäl som väger tyngre än mina intressen.",
        "I have objected to the processing, and you have no grounds that override my interests.",
    ),
    "direct_marketing_objection": _t(
        "Jag invänder mot direktmarknadsföring.", "I object to direct marketing."
    ),
    "unlawful": _t(
        "Uppgifterna har behandlats på ett sätt som strider mot lagen.",
        "The data has been processed unlawfully.",
    ),
    "minor": _t(
        "Uppgifterna samlades in när jag var under 18 år.",
        "The data was collected when I was under 18.",
    ),
    "information_society_service": _t(
        "Uppgifterna samlades in när jag som barn använde en tjänst på internet.",
        "The data was collected when I used an online service as a child.",
    ),
}

# The reasons of Art. 18(1) a person may give (rights/restriction.py RestrictionReason).
REASONS: dict[str, LocalText] = {
    "accuracy_contested": _t(
        "Jag anser att uppgifterna är felaktiga. Spara dem bara medan ni kontrollerar dem.",
        "I believe the data is inaccurate. Only store it while you check it.",
    ),
    "unlawful_but_kept": _t(
        "Behandlingen strider mot lagen, men jag vill att uppgifterna sparas i stället för att raderas.",
        "The processing is unlawful, but I want the data kept rather than erased.",
    ),
    "legal_claims": _t(
        "Ni behöver inte längre uppgifterna, men jag behöver dem för ett rättsligt anspråk, "
        "till exempel en tvist.",
        "You no longer need the data, but I need it for a legal claim, for example a dispute.",
    ),
    "objection_pending": _t(
        "Jag har invänt mot behandlingen. Begränsa den medan ni prövar min invändning.",
        "I have objected to the processing. Restrict it while you assess my objection.",
    ),
}

STATUSES: dict[str, LocalText] = {
    "received": _t(
        "Mottagen \u2013 väntar på att du bekräftar din e-postadress",
        "Received \u2013 waiting for you to confirm your e-mail address",
    ),
    "verified": _t("Bekräftad \u2013 vi hanterar din begäran", "Confirmed \u2013 we are handling your request"),
    "assessed": _t("Bedömd \u2013 ett beslut kommer snart", "Assessed \u2013 a decision is coming soon"),
    "decided": _t("Beviljad \u2013 vi genomför din begäran", "Approved \u2013 we are carrying out your request"),
    "executed": _t("Genomförd \u2013 svaret förbereds", "Carried out \u2013 the answer is being prepared"),
    "answered": _t("Besvarad", "Answered"),
    "denied": _t("Avslagen", "Refused"),
    "withdrawn": _t("Återkallad", "Withdrawn"),
    "duplicate": _t(
        "Dubblett \u2013 hanteras i ett ärende du redan har öppet",
        "Duplicate \u2013 handled in a request you already have open",
    ),
}

# The timeline's events a person is shown; the others (assignment, erasure runs) are internal.
EVENTS: dict[str, LocalText] = {
    "received": _t("Vi tog emot din begäran", "We received your request"),
    "duplicate": _t(
        "Begäran registrerades som en dubblett av ett öppet ärende",
        "The request was recorded as a duplicate of an open request",
    ),
    "code_sent": _t("Vi skickade en kod till din e-postadress", "We sent a code to your e-mail address"),
    "verified": _t("Din e-postadress bekräftades", "Your e-mail address was confirmed"),
    "assessed": _t("En handläggare bedömde ärendet", "A handler assessed the request"),
    "decided": _t("Begäran beviljades", "The request was approved"),
    "denied": _t("Begäran avslogs", "The request was refused"),
    "extended": _t("Tiden för svaret förlängdes", "The time for the answer was extended"),
    "executed": _t("Begäran genomfördes", "The request was carried out"),
    "answered": _t("Svaret blev klart", "The answer was ready"),
    "withdrawn": _t("Begäran återkallades", "The request was withdrawn"),
    "link_issued": _t("En nedladdningslänk skapades", "A download link was created"),
    "downloaded": _t("Svaret hämtades", "The answer was downloaded"),
}

TEXTS: dict[str, LocalText] = {
    "rights": _t("Dina rättigheter", "Your rights"),
    "index_intro": _t(
        "Enligt dataskyddsförordningen (GDPR) har du flera rättigheter när det gäller dina "
        "personuppgifter. Välj vad du vill göra. Vi svarar inom en månad.",
        "Under the General Data Protection Regulation (GDPR) you have several rights regarding "
        "your personal data. Choose what you want to do. We answer within one month.",
    ),
    "dpo_direct": _t(
        "Du kan också mejla dataskyddsombudet direkt: ",
        "You can also e-mail the data protection officer directly: ",
    ),
    "follow": _t("Följ ditt ärende", "Follow your request"),
    "follow_line": _t(
        "Har du redan skickat en begäran? Med referensnumret och följkoden ser du hur det går "
        "och kan hämta svaret.",
        "Already sent a request? With the reference number and the follow code you can see "
        "how it is going and download the answer.",
    ),
    "imy_title": _t("Klagomål till Integritetsskyddsmyndigheten", "Complaints to the supervisory authority"),
    "imy_text": _t(
        f"Är du missnöjd med hur vi hanterar dina personuppgifter har du rätt att lämna "
        f"klagomål till {IMY_SV}.",
        f"If you are unhappy with how we handle your personal data, you have the right to "
        f"complain to {IMY_EN}.",
    ),
    # -- the request form
    "about_you": _t("Om dig", "About you"),
    "about_you_hint": _t(
        "Vi behöver kunna hitta dina uppgifter och bekräfta att det är du. Uppgifterna används "
        "bara för att hantera din begäran.",
        "We need to find your data and confirm that it is you. These details are used only "
        "to handle your request.",
    ),
    "personnummer": _t("Personnummer (frivilligt)", "Swedish personal identity number (optional)"),
    "personnummer_hint": _t(
        "ÅÅÅÅMMDD-NNNN. Vi rekommenderar att du anger det, så att vi hittar alla dina uppgifter.",
        "YYYYMMDD-NNNN. We recommend giving it, so that we find all your data.",
    ),
    "email": _t("E-postadress", "E-mail address"),
    "email_hint": _t(
        "Hit skickar vi en engångskod som bekräftar att adressen är din.",
        "We send a one-time code here to confirm that the address is yours.",
    ),
    "phone": _t("Telefonnummer (frivilligt)", "Phone number (optional)"),
    "your_request": _t("Din begäran", "Your request"),
    "category": _t("Vilken uppgift är fel?", "Which data is wrong?"),
    "choose": _t("Välj", "Choose"),
    "new_value": _t("Vad ska det stå i stället?", "What should it say instead?"),
    "grounds": _t("Varför vill du att uppgifterna raderas?", "Why do you want the data erased?"),
    "grounds_hint": _t(
        "Kryssa i det som stämmer. Du kan välja flera.", "Tick what applies. You can choose more than one."
    ),
    "reason": _t("Varför vill du begränsa behandlingen?", "Why do you want processing restricted?"),
    "objection_purpose": _t("Vad invänder du mot?", "What do you object to?"),
    "direct_marketing": _t(
        "Direktmarknadsföring (all marknadsföring till mig)",
        "Direct marketing (all marketing to me)",
    ),
    "consent_purpose": _t("Vilket samtycke vill du återkalla?", "Which consent do you want to withdraw?"),
    "all_consents": _t("Alla mina samtycken", "All my consents"),
    "message": _t("Ditt meddelande", "Your message"),
    "message_hint": _t(
        "Skriv inte fler personuppgifter än vad som behövs.",
        "Please include no more personal data than needed.",
    ),
    "submit": _t("Skicka begäran", "Send request"),
    "errors_title": _t("Kontrollera följande", "Please check the following"),
    "error_personnummer": _t(
        "Personnumret är inte giltigt. Kontrollera siffrorna.",
        "The personal identity number is not valid. Please check the digits.",
    ),
    "error_personnummer_minor": _t(
        "Ange ditt personnummer, så att vi kan se hur gammal du var när uppgifterna samlades in.",
        "Enter your personal identity number, so that we can see how old you were when the "
        "data was collected.",
    ),
    "error_email_missing": _t("Ange din e-postadress.", "Enter your e-mail address."),
    "error_email": _t("E-postadressen är inte giltig.", "The e-mail address is not valid."),
    "error_phone": _t("Telefonnumret är inte giltigt.", "The phone number is not valid."),
    "error_category": _t("Välj vilken uppgift som är fel.", "Choose which data is wrong."),
    "error_new_value": _t("Skriv vad det ska stå i stället.", "Write what it should say instead."),
    "error_grounds": _t("Välj minst ett skäl.", "Choose at least one reason."),
    "error_reason": _t("Välj ett skäl.", "Choose a reason."),
    "error_objection_purpose": _t("Välj vad du invänder mot.", "Choose what you object to."),
    "error_choice": _t("Välj ett av alternativen.", "Choose one of the options."),
    "error_message": _t("Skriv ditt meddelande.", "Write your message."),
    "error_too_long": _t(
        "Texten är för lång (högst {max} tecken).", "The text is too long (at most {max} characters)."
    ),
    "error_general": _t(
        "Vi kunde inte ta emot begäran. Kontrollera uppgifterna och försök igen.",
        "We could not accept the request. Please check the details and try again.",
    ),
    # -- received
    "submitted_title": _t("Vi har tagit emot din begäran", "We have received your request"),
    "reference": _t("Referensnummer", "Reference number"),
    "follow_code": _t("Följkod", "Follow code"),
    "note_it": _t(
        "Skriv upp eller spara referensnumret och följkoden nu. Följkoden visas bara den här "
        "gången, och du behöver båda för att följa ärendet och hämta svaret.",
        "Write down or save the reference number and the follow code now. The follow code is "
        "shown only this once, and you need both to follow the request and download the answer.",
    ),
    "due_by": _t("Vi svarar senast {date}.", "We will answer by {date}."),
    "confirm_title": _t("Bekräfta din e-postadress", "Confirm your e-mail address"),
    "confirm_text": _t(
        "Vi skickar en engångskod till e-postadressen du angav. När du har skrivit in koden "
        "börjar vi hantera din begäran.",
        "We will send a one-time code to the e-mail address you gave. Once you have entered "
        "the code, we start handling your request.",
    ),
    "send_code": _t("Skicka kod", "Send code"),
    "duplicate_text": _t(
        "Du har redan ett öppet ärende av samma slag. Vi hanterar det nya tillsammans med det "
        "tidigare, och du behöver inte göra något mer.",
        "You already have an open request of the same kind. We handle the new one together "
        "with the earlier one, and you need to do nothing more.",
    ),
    # -- the code
    "code_title": _t("Skriv in koden", "Enter the code"),
    "code_sent": _t(
        "Vi har skickat en kod med sex siffror till din e-postadress. Koden gäller i 15 "
        "minuter. Det kan ta en stund innan mejlet kommer fram, så titta även i skräpposten.",
        "We have sent a six-digit code to your e-mail address. The code is valid for 15 "
        "minutes. The e-mail may take a while to arrive, so check your spam folder too.",
    ),
    "code": _t("Engångskod", "One-time code"),
    "verify": _t("Bekräfta", "Confirm"),
    "no_code": _t("Fick du ingen kod?", "Did not get a code?"),
    "resend_code": _t("Skicka en ny kod", "Send a new code"),
    "error_code_wrong": _t("Koden stämmer inte. Försök igen.", "The code is not right. Please try again."),
    "error_code_format": _t("Koden består av sex siffror.", "The code is six digits."),
    "error_code_expired": _t(
        "Koden har gått ut. Skicka en ny kod.", "The code has expired. Please send a new code."
    ),
    "error_code_locked": _t(
        "Koden har skrivits fel för många gånger. Skicka en ny kod.",
        "The code was entered wrongly too many times. Please send a new code.",
    ),
    "error_code_used": _t("Koden har redan använts.", "The code has already been used."),
    "error_no_code": _t("Ingen kod har skickats ännu. Skicka en kod först.", "No code has been sent yet. Please send a code first."),
    "error_too_many_codes": _t(
        "Vi har redan skickat så många koder som går. Kontakta oss i stället på {email}.",
        "We have already sent as many codes as we can. Please contact us at {email} instead.",
    ),
    "error_not_open": _t(
        "Den här begäran behöver ingen bekräftelse nu.",
        "This request needs no confirmation now.",
    ),
    # -- following
    "follow_intro": _t(
        "Skriv in referensnumret och följkoden som du fick när du skickade din begäran.",
        "Enter the reference number and the follow code you were given when you sent your request.",
    ),
    "reference_hint": _t("Till exempel DS-ABCD-2345", "For example DS-ABCD-2345"),
    "show": _t("Visa ärendet", "Show the request"),
    "error_reference": _t("Ange referensnumret.", "Enter the reference number."),
    "error_follow_code": _t("Ange följkoden.", "Enter the follow code."),
    "error_not_found": _t(
        "Vi hittar inget ärende med det referensnumret och den följkoden. Kontrollera att du "
        "har skrivit av dem rätt.",
        "We cannot find a request with that reference number and follow code. Please check "
        "that you copied them correctly.",
    ),
    "case_title": _t("Ditt ärende {reference}", "Your request {reference}"),
    "asked_for": _t("Begäran", "Request"),
    "status": _t("Status", "Status"),
    "received_on": _t("Mottagen", "Received"),
    "due": _t("Vi svarar senast", "Answer due by"),
    "verified_now": _t(
        "Tack! Din e-postadress är bekräftad och vi hanterar nu din begäran.",
        "Thank you! Your e-mail address is confirmed and we are now handling your request.",
    ),
    "extended_title": _t("Vi behöver mer tid", "We need more time"),
    "extended_text": _t(
        "Vi har förlängt tiden för svaret till {date}.",
        "We have extended the time for our answer to {date}.",
    ),
    "why": _t("Skäl:", "Reason:"),
    "denied_title": _t("Vi har avslagit din begäran", "We have refused your request"),
    "denied_complain": _t(
        f"Om du inte håller med om beslutet har du rätt att lämna klagomål till {IMY_SV}.",
        f"If you disagree with the decision, you have the right to complain to {IMY_EN}.",
    ),
    "answer_title": _t("Svaret är klart", "The answer is ready"),
    "answer_text": _t(
        "Svaret kan hämtas en gång. Spara filen på din dator eller telefon när du har hämtat den.",
        "The answer can be downloaded once. Save the file on your computer or phone when you "
        "have downloaded it.",
    ),
    "download": _t("Hämta svaret", "Download the answer"),
    "downloaded_text": _t(
        "Du har hämtat svaret. Behöver du det igen kan du göra en ny begäran.",
        "You have downloaded the answer. If you need it again, you can make a new request.",
    ),
    "error_download": _t(
        "Svaret kan inte hämtas: det har redan hämtats eller är inte klart ännu.",
        "The answer cannot be downloaded: it has already been downloaded or is not ready yet.",
    ),
    "steps": _t("Vad har hänt", "What has happened"),
    "back": _t("Till dina rättigheter", "Back to your rights"),
    # -- forms without a valid token
    "forbidden_title": _t("Formuläret kunde inte skickas", "The form could not be sent"),
    "forbidden_text": _t(
        "Av säkerhetsskäl kunde vi inte ta emot formuläret. Sidan kan ha varit öppen länge, "
        "eller så tillåter din webbläsare inte kakor. Gå tillbaka, ladda om sidan och försök igen.",
        "For security reasons we could not accept the form. The page may have been open for a "
        "long time, or your browser may not allow cookies. Go back, reload the page and try again.",
    ),
}


def text(key: str, language: Language, **values: object) -> str:
    template = TEXTS[key].get(language)
    return template.format(**values) if values else template


def kind_title(kind: str, language: Language) -> str:
    return KINDS[kind][0].get(language)


def kind_line(kind: str, language: Language) -> str:
    return KINDS[kind][1].get(language)


def status(value: str, language: Language) -> str:
    found = STATUSES.get(value)
    return found.get(language) if found else value


def event(value: str, language: Language) -> str | None:
    """The event in words, or None for an event the person is not shown."""
    found = EVENTS.get(value)
    return found.get(language) if found else None
