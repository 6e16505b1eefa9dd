"""BankID verification: the adapter against a protocol-faithful double over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import ssl
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from bankid_double import KEY_PASSWORD, BankIdDouble, TestPki
from stdnum import luhn

from dataskydd.identity.verification.bankid import (
    RFA_EN,
    RFA_SV,
    BankIdClient,
    BankIdError,
    Collect,
    Order,
    OrderNotComplete,
    Status,
    qr_data,
    rfa_for,
    same_person,
    user_message,
    verify_personal_number,
)


def personnummer(born: str, serial: str) -> str:
    """A valid 12-digit personnummer: ``born`` YYYYMMDD, a three-digit serial, Luhn digit."""
    return born + serial + luhn.calc_check_digit(born[2:] + serial)


ANNA = personnummer("19850312", "123")
BERTIL = personnummer("19700101", "456")
IP = "192.0.2.10"


def written_forms(pnr: str) -> list[str]:
    short = pnr[2:]
    return [pnr, f"{pnr[:8]}-{pnr[8:]}", short, f"{short[:6]}-{short[6:]}"]


@pytest.fixture(scope="module")
def double() -> Iterator[BankIdDouble]:
    with BankIdDouble() as running:
        yield running


@pytest.fixture()
def bankid(double: BankIdDouble) -> Iterator[BankIdClient]:
    double.reset()
    with BankIdClient(double.base_url) as client:
        yield client


def test_identification_runs_through_the_pending_hints_to_complete(
    double: BankIdDouble, bankid: BankIdClient
) -> None:
    order = bankid.auth(IP)
    hints = [bankid.collect(order.order_ref)]
    double.user_starts_app(order.order_ref)
    hints.append(bankid.collect(order.order_ref))
    double.app_shows_order(order.order_ref)
    hints.append(bankid.collect(order.order_ref))
    assert [(c.status, c.hint_code) for c in hints] == [
        (Status.PENDING, "outstandingTransaction"),
        (Status.PENDING, "started"),
        (Status.PENDING, "userSign"),
    ]
    assert [user_message(c.hint_code, "en") for c in hints] == [
        "Start your BankID app.",
        "Searching for BankID. Make sure you have a valid BankID on this device.",
        "Enter your security code in the BankID app and select Identify or Sign.",
    ]

    double.user_signs(order.order_ref, ANNA, "Anna Andersson")
    done = bankid.collect(order.order_ref)

    assert done.status is Status.COMPLETE and done.hint_code is None
    assert done.completion is not None
    assert done.completion.personal_number == ANNA
    assert (done.completion.name, done.completion.given_name, done.completion.surname) == (
        "Anna Andersson",
        "Anna",
        "Andersson",
    )
    assert done.completion.ip_address == IP
    assert done.completion.signature and done.completion.ocsp_response
    assert verify_personal_number(bankid, order.order_ref, ANNA)


def test_auth_sends_the_v6_request_fields(double: BankIdDouble, bankid: BankIdClient) -> None:
    text = "Identifiera dig för din begäran om registerutdrag (art. 15)"
    bankid.auth(IP, f"{ANNA[2:8]}-{ANNA[8:]}", user_visible_data=text, return_url="https://x.se/r")

    endpoint, body = double.received[-1]
    assert endpoint == "auth"
    # v6 moved personalNumber into requirement, in its 12-digit form.
    assert body["requirement"] == {"personalNumber": ANNA}
    assert "personalNumber" not in body
    assert base64.b64decode(body["userVisibleData"]).decode("utf-8") == text
    assert body["endUserIp"] == IP and body["returnUrl"] == "https://x.se/r"


def test_the_person_cancelling_in_the_app_fails_the_order(
    double: BankIdDouble, bankid: BankIdClient
) -> None:
    order = bankid.auth(IP)
    double.app_shows_order(order.order_ref)
    double.user_cancels(order.order_ref)

    collected = bankid.collect(order.order_ref)

    assert (collected.status, collected.hint_code) == (Status.FAILED, "userCancel")
    assert user_message(collected.hint_code, "sv") == "Åtgärden avbröts."
    with pytest.raises(OrderNotComplete) as raised:
        verify_personal_number(bankid, order.order_ref, ANNA)
    assert raised.value.hint_code == "userCancel"


def test_an_order_left_too_long_expires(double: BankIdDouble, bankid: BankIdClient) -> None:
    order = bankid.auth(IP)
    assert bankid.collect(order.order_ref).status is Status.PENDING

    double.advance(double.expires_after + 1)
    collected = bankid.collect(order.order_ref)

    assert (collected.status, collected.hint_code) == (Status.FAILED, "expiredTransaction")
    assert rfa_for(collected.hint_code) == "RFA8"


def test_a_second_order_for_the_same_person_is_already_in_progress(
    bankid: BankIdClient,
) -> None:
    first = bankid.auth(IP, ANNA)

    with pytest.raises(BankIdError) as raised:
        bankid.auth(IP, ANNA)

    error = raised.value
    assert (error.error_code, error.status_code) == ("alreadyInProgress", 400)
    assert user_message(error.error_code, "sv") == (
        "En identifiering eller underskrift pågår redan för ditt personnummer. Försök igen."
    )
    # BankID stops the first order too, which then collects as cancelled (RFA3).
    collected = bankid.collect(first.order_ref)
    assert (collected.status, collected.hint_code) == (Status.FAILED, "cancelled")
    assert user_message(collected.hint_code, "en") == "The action was cancelled. Please try again."


def test_an_unknown_order_is_not_found(bankid: BankIdClient) -> None:
    with pytest.raises(BankIdError) as raised:
        bankid.collect("131daac9-16c6-4618-beb0-365768f37288")
    assert (raised.value.error_code, raised.value.status_code) == ("notFound", 404)


def test_cancel_ends_the_order_and_cannot_be_repeated(bankid: BankIdClient) -> None:
    order = bankid.auth(IP, ANNA)

    bankid.cancel(order.order_ref)

    with pytest.raises(BankIdError, match="notFound"):
        bankid.collect(order.order_ref)
    with pytest.raises(BankIdError) as raised:
        bankid.cancel(order.order_ref)
    assert raised.value.error_code == "invalidParameters"
    bankid.auth(IP, ANNA)  # the person is free to start again


# BankID's published example: the same token and secret give these codes at 0 and 1 s.
PUBLISHED = Order(
    "order",
    "autostart",
    "67df3917-fa0d-44e5-b327-edcc928297f8",
    "d28db9a7-4cde-429e-a983-359be676944c",
)


def test_qr_data_is_bankid_token_seconds_and_hmac_of_the_seconds() -> None:
    assert qr_data(PUBLISHED, 0) == (
        "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0."
        "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
    )
    assert qr_data(PUBLISHED, 1).endswith(
        ".1.949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"
    )
    by_hand = hmac.new(b"d28db9a7-4cde-429e-a983-359be676944c", b"17", hashlib.sha256).hexdigest()
    assert qr_data(PUBLISHED, 17) == f"bankid.{PUBLISHED.qr_start_token}.17.{by_hand}"
    with pytest.raises(ValueError):
        qr_data(PUBLISHED, -1)


def test_the_app_accepts_the_current_qr_code_only(
    double: BankIdDouble, bankid: BankIdClient
) -> None:
    order = bankid.auth(IP)
    forged = qr_data(Order("x", "x", order.qr_start_token, "not-the-secret"), 0)
    with pytest.raises(ValueError, match="auth code"):
        double.user_scans_qr(forged)
    double.advance(10)
    with pytest.raises(ValueError, match="stale"):
        double.user_scans_qr(bankid.qr_data(order, 0))

    assert double.user_scans_qr(bankid.qr_data(order, 10)) == order.order_ref
    assert bankid.collect(order.order_ref).hint_code == "userSign"


@pytest.mark.parametrize(
    ("code", "status", "autostarted", "rfa"),
    [
        ("outstandingTransaction", Status.PENDING, False, "RFA1"),
        ("noClient", Status.PENDING, False, "RFA1"),
        ("outstandingTransaction", Status.PENDING, True, "RFA13"),
        ("started", Status.PENDING, False, "RFA15B"),
        ("userSign", Status.PENDING, False, "RFA9"),
        ("userMrtd", Status.PENDING, False, "RFA23"),
        ("userCallConfirm", Status.PENDING, False, "RFA21"),
        ("aNewPendingHint", Status.PENDING, False, "RFA21"),
        ("expiredTransaction", Status.FAILED, False, "RFA8"),
        ("certificateErr", Status.FAILED, False, "RFA16"),
        ("userCancel", Status.FAILED, False, "RFA6"),
        ("cancelled", Status.FAILED, False, "RFA3"),
        ("startFailed", Status.FAILED, False, "RFA17B"),
        ("startFailed", Status.FAILED, True, "RFA17A"),
        ("userDeclinedCall", Status.FAILED, False, "RFA22"),
        ("notSupportedByUserApp", Status.FAILED, False, "RFA22"),
        ("alreadyInProgress", None, False, "RFA4"),
        ("internalError", None, False, "RFA5"),
        ("maintenance", None, False, "RFA5"),
        ("invalidParameters", None, False, "RFA22"),
    ],
)
def test_each_code_gets_bankids_recommended_message(
    code: str, status: Status | None, autostarted: bool, rfa: str
) -> None:
    assert rfa_for(code, status=status, autostarted=autostarted) == rfa
    assert user_message(code, "sv", status=status, autostarted=autostarted) == RFA_SV[rfa]
    assert user_message(code, "en", status=status, autostarted=autostarted) == RFA_EN[rfa]


def test_the_messages_are_bankids_texts_in_swedish_and_english() -> None:
    required = "RFA1 RFA3 RFA5 RFA6 RFA8 RFA9 RFA13 RFA16 RFA17A RFA17B RFA21 RFA22 RFA23"
    assert set(required.split()) <= RFA_SV.keys() == RFA_EN.keys()
    assert (RFA_SV["RFA1"], RFA_EN["RFA1"]) == ("Starta BankID-appen.", "Start your BankID app.")
    assert RFA_SV["RFA13"] == "Försöker starta BankID-appen."
    assert RFA_EN["RFA21"] == "An identification or signing is in progress."
    assert user_message("userSign") == user_message("userSign", "sv")
    with pytest.raises(ValueError):
        user_message("userSign", "de")  # type: ignore[arg-type]


def test_a_different_person_completing_the_order_is_detected(
    double: BankIdDouble, bankid: BankIdClient
) -> None:
    order = bankid.auth(IP)  # started without a number, as BankID recommends
    with pytest.raises(OrderNotComplete):
        verify_personal_number(bankid, order.order_ref, ANNA)
    double.user_signs(order.order_ref, BERTIL, "Bertil Berg")

    assert not verify_personal_number(bankid, order.order_ref, ANNA)
    for form in written_forms(BERTIL):
        assert verify_personal_number(bankid, order.order_ref, form)
    assert same_person(BERTIL, BERTIL[2:]) and not same_person(BERTIL, ANNA)


@pytest.mark.parametrize(
    ("status_code", "error_code", "raw", "expected"),
    [
        (400, "invalidParameters", "", "invalidParameters"),
        (401, "unauthorized", "", "unauthorized"),
        (403, "unauthorized", "", "unauthorized"),
        (408, "requestTimeout", "", "requestTimeout"),
        (415, "unsupportedMediaType", "", "unsupportedMediaType"),
        (500, "internalError", "", "internalError"),
        (503, "maintenance", "", "maintenance"),
        (503, None, "<html>Service Unavailable</html>", "maintenance"),  # a proxy's page
        (502, None, "Bad Gateway", "http502"),
    ],
)
def test_error_responses_become_bankid_errors_with_their_code(
    double: BankIdDouble,
    bankid: BankIdClient,
    status_code: int,
    error_code: str | None,
    raw: str,
    expected: str,
) -> None:
    double.fail_next(status_code, error_code, "Details from BankID", raw=raw)

    with pytest.raises(BankIdError) as raised:
        bankid.auth(IP)

    assert (raised.value.error_code, raised.value.status_code) == (expected, status_code)


def test_the_double_refuses_what_bankid_refuses(double: BankIdDouble) -> None:
    url = double.base_url
    with httpx.Client() as http:
        assert http.post(
            f"{url}/auth", content=b"{}", headers={"Content-Type": "text/plain"}
        ).json() == {
            "errorCode": "unsupportedMediaType",
            "details": "Content-Type must be application/json",
        }
        assert http.get(f"{url}/auth").status_code == 405
        assert http.post(f"{url}/nothing", json={}).json()["errorCode"] == "notFound"
        refused = http.post(f"{url}/auth", json={"endUserIp": "not an ip"})
        assert (refused.status_code, refused.json()["errorCode"]) == (400, "invalidParameters")


def test_no_personnummer_reaches_an_exception_or_a_log(
    double: BankIdDouble, bankid: BankIdClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []

    def expect_error(action: Callable[[], object]) -> None:
        with pytest.raises((BankIdError, OrderNotComplete, ValueError)) as raised:
            action()
        errors.append(raised.value)

    first = bankid.auth(IP, ANNA)
    expect_error(lambda: bankid.auth(IP, ANNA))  # alreadyInProgress
    double.fail_next(400, "invalidParameters", f"Incorrect personalNumber {ANNA[:8]}-{ANNA[8:]}")
    expect_error(lambda: bankid.auth(IP, ANNA))
    expect_error(lambda: bankid.auth(IP, ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)))  # Luhn
    expect_error(lambda: verify_personal_number(bankid, first.order_ref, ANNA))
    order = bankid.auth(IP)
    double.user_signs(order.order_ref, ANNA, "Anna Andersson")
    expect_error(lambda: verify_personal_number(bankid, order.order_ref, "850399-1234"))
    collected: Collect = bankid.collect(order.order_ref)

    texts = ["".join(traceback.format_exception(error)) for error in errors]
    texts += [caplog.text, repr(collected), repr(order)]
    wrong = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)
    for text in texts:
        for form in written_forms(ANNA) + written_forms(wrong):
            assert form not in text
    assert "<personnummer>" in str(errors[1])
    assert order.qr_start_secret not in repr(order)


def test_mutual_tls_with_the_certificate_key_and_ca_from_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pki = TestPki.create(tmp_path)
    monkeypatch.setenv("DATASKYDD_BANKID_CERT_FILE", str(pki.client_cert))
    monkeypatch.setenv("DATASKYDD_BANKID_KEY_FILE", str(pki.client_key))
    monkeypatch.setenv("DATASKYDD_BANKID_CA_FILE", str(pki.ca_cert))
    (tmp_path / "password").write_text(KEY_PASSWORD + "\n")
    monkeypatch.setenv("DATASKYDD_BANKID_KEY_PASSWORD_FILE", str(tmp_path / "password"))

    with BankIdDouble(tls=pki) as double:
        monkeypatch.setenv("DATASKYDD_BANKID_URL", double.base_url)
        with BankIdClient.from_env() as bankid:
            order = bankid.auth(IP)
            double.user_signs(order.order_ref, ANNA, "Anna Andersson")
            assert verify_personal_number(bankid, order.order_ref, ANNA)
            assert KEY_PASSWORD not in repr(bankid)
        # Without a client certificate the TLS handshake itself is refused.
        trusting = ssl.create_default_context(cafile=str(pki.ca_cert))
        with httpx.Client(verify=trusting) as anonymous, pytest.raises(httpx.HTTPError):
            anonymous.post(f"{double.base_url}/auth", json={"endUserIp": IP})


def test_only_tls_or_a_loopback_test_double_is_accepted() -> None:
    with pytest.raises(ValueError, match="cert_file"):
        BankIdClient("https://appapi2.test.bankid.com/rp/v6.0")
    with pytest.raises(ValueError, match="loopback"):
        BankIdClient("http://appapi2.test.bankid.com/rp/v6.0")
