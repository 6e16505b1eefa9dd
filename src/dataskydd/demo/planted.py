"""The planted people: the same two stories in every estate, whatever its size and seed.

Anna Lindqvist is everywhere a person can be: a private customer with an active loan,
collateral (one part a guarantee by her husband) and KYC checks; a board member of a
customer company with its own loan; a rejected applicant from 2023 with a CV and a test
result; a chat visitor who typed her personnummer; a CRM contact found by her e-mail.
She is nowhere else: not on a bought list, not in a contact form.

Karl Berglund's customer relationship ended seven years ago: past the five years of the
anti-money-laundering rule, inside the ten years of contract evidence.

Their numbers use serials 980-999, which generated people never get, and their phones
are from 070-17406xx, the range Sweden's telecoms regulator keeps for fiction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from random import Random

from dataskydd.demo import applications, contacts, lending, visits
from dataskydd.demo.context import Batch, Context
from dataskydd.demo.identifiers import organisationsnummer, personnummer, phone_forms, ten_digit
from dataskydd.demo.people import Person, Role


@dataclass(frozen=True)
class Planted:
    """A planted person and the identities the demo tells you to look for."""

    person: Person
    story: str
    customer_number: str | None = None
    applicant_number: str | None = None

    @property
    def personnummer(self) -> str:
        return self.person.personnummer

    @property
    def personnummer_written(self) -> str:
        """As Swedes write it: ``YYMMDD-NNNN``."""
        return ten_digit(self.person.personnummer)


def _person(
    index: int, name: str, born: date, serial: int, phone: str, address: tuple[str, str, str]
) -> Person:
    first, last = name.split(" ")
    street, postcode, city = address
    return Person(
        index=index,
        role=Role.PRIVATE_CUSTOMER,
        first_name=first,
        last_name=last,
        female=serial % 2 == 0,
        personnummer=personnummer(born, serial),
        email=f"{first.lower()}.{last.lower()}@example.com",
        phone=phone,
        street=street,
        postcode=postcode,
        city=city,
    )


HOME = ("Kåbovägen 12", "752 36", "Uppsala")  # Anna's and her husband's
KARL_HOME = ("Storgatan 4", "903 26", "Umeå")
# Negative indexes: planted people are outside the generated range by construction.
ANNA = _person(-1, "Anna Lindqvist", date(1978, 5, 23), 982, "0701740617", HOME)
KARL = _person(-2, "Karl Berglund", date(1961, 9, 14), 985, "0701740642", KARL_HOME)
JOHAN = _person(-3, "Johan Lindqvist", date(1976, 11, 2), 991, "0701740655", HOME)  # her guarantor
ERIK_HOME = ("Svartbäcksgatan 40", "753 32", "Uppsala")
# The chair and owner of the company Anna is on the board of.
ERIK = _person(-4, "Erik Berg", date(1969, 2, 17), 993, "0701740688", ERIK_HOME)
PLANTED_PEOPLE = 2  # Anna and Karl count among the estate's persons; the others are extras
COMPANY_ORGNR = organisationsnummer(559_912_345)
COMPANY_NAME = "Upplands Solenergi AB"


def plant(ctx: Context, batch: Batch) -> tuple[Planted, Planted]:
    rng = Random("dataskydd-demo:planted")  # the same stories whatever the seed
    return _anna(ctx, batch, rng), _karl(ctx, batch, rng)


def _anna(ctx: Context, batch: Batch, rng: Random) -> Planted:
    customer = ctx.customer_number()
    started = datetime(2019, 4, 8, 10, 15)
    _customer_row(batch, customer, ANNA, started, None)
    loan_id = ctx.ids("loans")
    signed = datetime(2019, 5, 2, 14, 0)
    batch.add(
        "core",
        "loans",
        loan_id=loan_id,
        customer_number=customer,
        amount_sek=850_000,
        interest_rate=Decimal("5.25"),
        status="active",
        signed_at=signed,
        ended_at=None,
    )
    lending.bookkeeping(ctx, batch, rng, loan_id, 850_000, signed, None, "active")
    batch.add(
        "core",
        "collateral",
        id=ctx.ids("collateral"),
        loan_id=loan_id,
        kind="property_mortgage",
        value_sek=900_000,
        description="Pantbrev i fastigheten Uppsala Kåbo 12:4",
        guarantor_personnummer=None,
        guarantor_name=None,
    )
    batch.add(
        "core",
        "collateral",
        id=ctx.ids("collateral"),
        loan_id=loan_id,
        kind="personal_guarantee",
        value_sek=300_000,
        description="Personlig borgen",
        guarantor_personnummer=JOHAN.personnummer,
        guarantor_name=JOHAN.name,
    )
    batch.add(
        "core",
        "loan_offers",
        id=ctx.ids("loan_offers"),
        customer_number=customer,
        amount_sek=850_000,
        offered_at=datetime(2019, 4, 15, 9, 0),
        lapsed_at=datetime(2019, 5, 15, 9, 0),
    )
    for checked, risk in ((started, "low"), (datetime(2022, 5, 10, 11, 0), "low")):
        batch.add(
            "core",
            "kyc_checks",
            id=ctx.ids("kyc_checks"),
            customer_number=customer,
            personnummer=ANNA.personnummer,
            checked_at=checked,
            pep=False,
            sanctions_hit=False,
            risk_class=risk,
            assessment="Låg risk. Lön från anställning, medlens ursprung dokumenterat.",
        )
    _company(ctx, batch, rng)

    applicant = applications.applicant(
        ctx,
        batch,
        ANNA,
        datetime(2023, 2, 6, 8, 30),
        "Kreditanalytiker",
        "rejected",
        datetime(2023, 3, 20, 16, 0),
    )
    applications.document(
        ctx,
        batch,
        applicant,
        "cv",
        (
            "Anna Lindqvist\nanna.lindqvist@example.com, 070-174 06 17\n\n"
            "Söker tjänsten som kreditanalytiker.\n"
            "Utbildning: civilekonom, Uppsala universitet.\n"
            "Erfarenhet: 18 år inom redovisning och kreditgivning."
        ),
    )
    applications.document(
        ctx,
        batch,
        applicant,
        "test_result",
        "Kapacitetstest: logisk förmåga stanin 6, verbal förmåga stanin 5.",
        "Godkänt resultat, men svagare än övriga kandidater.",
    )

    # Forty days ago: inside the twelve months the notice keeps chats.
    chat_started = ctx.horizon - timedelta(days=40) + timedelta(hours=10, minutes=12)
    visits.chat_session(
        ctx,
        batch,
        rng,
        ANNA,
        started=chat_started,
        leaves_email=False,
        messages=(
            ("visitor", "Hej! Jag är kund hos er och undrar över amorteringen på mitt lån."),
            ("agent", "Hej Anna! Vad bra att du hör av dig. Kan du uppge ditt personnummer?"),
            ("visitor", f"Mitt personnummer är {ten_digit(ANNA.personnummer)}."),
            ("agent", "Tack! En rådgivare ringer dig i morgon."),
        ),
    )

    contact_id = ctx.ids("contacts")
    batch.add(
        "crm",
        "contacts",
        contact_id=contact_id,
        customer_number=None,
        email=ANNA.email,
        phone=None,
        name=ANNA.name,
        title="Styrelseledamot",
        company_orgnr=COMPANY_ORGNR,
    )
    contacts.interaction(
        ctx,
        batch,
        contact_id,
        datetime(2021, 9, 14, 13, 0),
        "meeting",
        "Träffade Anna på styrelsemöte i Upplands Solenergi. "
        "Vill ha info om gröna lån, nås på 070-174 06 17.",
    )
    contacts.consent(ctx, batch, rng, ANNA.email, given=datetime(2020, 1, 20, 12, 0))
    return Planted(
        ANNA,
        "customer, board member, rejected applicant, chat, CRM",
        customer_number=customer,
        applicant_number=applicant,
    )


def _company(ctx: Context, batch: Batch, rng: Random) -> None:
    """Upplands Solenergi AB: Erik Berg's company, with Anna on the board and its own loan."""
    number = ctx.customer_number()
    started = datetime(2017, 8, 21, 9, 0)
    batch.add(
        "core",
        "customers",
        customer_number=number,
        kind="company",
        personnummer=None,
        orgnr=COMPANY_ORGNR,
        name=COMPANY_NAME,
        email="info@upplandssolenergi.se",
        phone="+4618100200",
        street="Kungsgatan 60",
        postcode="753 21",
        city="Uppsala",
        relationship_started_at=started,
        relationship_ended_at=None,
    )
    batch.add("core", "companies", orgnr=COMPANY_ORGNR, name=COMPANY_NAME, customer_number=number)
    lending.role(ctx, batch, COMPANY_ORGNR, ERIK, "chair", None)
    lending.role(ctx, batch, COMPANY_ORGNR, ERIK, "beneficial_owner", Decimal(100))
    lending.role(ctx, batch, COMPANY_ORGNR, ANNA, "board_member", None)
    loan_id = ctx.ids("loans")
    signed = datetime(2017, 9, 5, 10, 0)
    batch.add(
        "core",
        "loans",
        loan_id=loan_id,
        customer_number=number,
        amount_sek=2_400_000,
        interest_rate=Decimal("4.75"),
        status="active",
        signed_at=signed,
        ended_at=None,
    )
    lending.bookkeeping(ctx, batch, rng, loan_id, 2_400_000, signed, None, "active")
    lending.kyc(ctx, batch, rng, number, ERIK, started, None)


def _karl(ctx: Context, batch: Batch, rng: Random) -> Planted:
    customer = ctx.customer_number()
    started = datetime(2011, 3, 1, 9, 30)
    ended = seven_years_before(ctx.horizon)
    _customer_row(batch, customer, KARL, started, ended)
    loan_id = ctx.ids("loans")
    signed = datetime(2011, 3, 15, 11, 0)
    batch.add(
        "core",
        "loans",
        loan_id=loan_id,
        customer_number=customer,
        amount_sek=400_000,
        interest_rate=Decimal("6.10"),
        status="repaid",
        signed_at=signed,
        ended_at=ended,
    )
    lending.bookkeeping(ctx, batch, rng, loan_id, 400_000, signed, ended, "repaid")
    lending.kyc(ctx, batch, rng, customer, KARL, started, ended)
    return Planted(
        KARL, "customer whose relationship ended seven years ago", customer_number=customer
    )


def _customer_row(
    batch: Batch, number: str, person: Person, started: datetime, ended: datetime | None
) -> None:
    batch.add(
        "core",
        "customers",
        customer_number=number,
        kind="person",
        personnummer=person.personnummer,
        orgnr=None,
        name=person.name,
        email=person.email,
        phone=phone_forms(person.phone)["e164"],
        street=person.street,
        postcode=person.postcode,
        city=person.city,
        relationship_started_at=started,
        relationship_ended_at=ended,
    )


def seven_years_before(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 7)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 7, day=28)
