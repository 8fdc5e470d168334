"""Access per method: which check each seed agreement grants by which channel.

Expectations are read from the agreements in ../shared/seeds (cited per case), not from the
code: the profiles must serve them as written.
"""

from __future__ import annotations

import pytest

from app.domain.access import AccessGrants, derive_grants
from app.domain.resource_files import resources_dir
from app.services.access import grants_of
from app.services.dukcapil.profiles import load_profile

PORTAL, SERVICE = "web_portal", "web_service"

# (seed, profile, install's access method) -> (lookup channel, verify channel)
SEEDS = [
    # 000 Purbalingga, Pasal 2 (1) a: 8 elements "berdasarkan NIK melalui metode web portal"
    ("000", "purbalingga-8", PORTAL, (PORTAL, None)),
    # 001 Karanganyar, Pasal 2 (2) d: "mekanisme akses data melalui Web Portal (call NIK)"
    ("001", "karanganyar-9", PORTAL, (PORTAL, None)),
    # 002 Magelang, Pasal 2 (1) a: "sesuai"/"tidak sesuai" by web service; (1) b: by NIK, portal
    ("002", "magelang-9", PORTAL, (PORTAL, SERVICE)),
    ("002", "magelang-9", SERVICE, (PORTAL, SERVICE)),
    # 003 Serdang Bedagai, Pasal 2 (1) a and Pasal 3 (2) a: "berdasarkan NIK melalui metode web
    # portal"; no verify by element
    ("003", "serdang-bedagai-5", PORTAL, (PORTAL, None)),
    # 004 Bandung Juknis C.1-2: "Saat ini ... melalui metode akses Web Portal"; B.2 / D: after
    # the Proof of Concept the web service (an install configured for it, PoC letter on file)
    ("004", "bandung-9", PORTAL, (PORTAL, None)),
    ("004", "bandung-9", SERVICE, (SERVICE, None)),
]


@pytest.mark.parametrize(("seed", "profile_id", "install", "expected"), SEEDS)
def test_each_seed_agreement_grants_its_methods_by_its_channels(
    seed: str, profile_id: str, install: str, expected: tuple[str | None, str | None]
) -> None:
    grants = grants_of(load_profile(resources_dir(), profile_id), install)
    assert (grants.lookup, grants.verify) == expected, seed


def test_magelang_offers_portal_lookup_and_web_service_verify_in_one_install() -> None:
    grants = grants_of(load_profile(resources_dir(), "magelang-9"), SERVICE)
    assert grants.offered == (("lookup", PORTAL), ("verify", SERVICE))
    assert grants.mixed and grants.uses_web_service and grants.uses_web_portal
    assert grants.allows("lookup", PORTAL) and grants.allows("verify", SERVICE)
    assert not grants.allows("lookup", SERVICE)
    assert not grants.allows("verify", PORTAL)


def test_a_method_the_profile_does_not_grant_is_never_granted() -> None:
    grants = derive_grants(
        lookup=False, verify=True, lookup_via=None, verify_via=SERVICE, fallback=PORTAL
    )
    assert grants == AccessGrants(lookup=None, verify=SERVICE)
    assert not grants.allows("lookup", PORTAL) and not grants.allows("lookup", SERVICE)


def test_a_profile_naming_no_channel_uses_the_install_access_method() -> None:
    for install in (PORTAL, SERVICE):
        grants = derive_grants(
            lookup=True, verify=True, lookup_via=None, verify_via=None, fallback=install
        )
        assert (grants.lookup, grants.verify) == (install, install)
        assert not grants.mixed


def test_unknown_channel_or_method_fails_closed() -> None:
    grants = AccessGrants(lookup=PORTAL, verify=None)
    assert not grants.allows("lookup", "email")
    with pytest.raises(ValueError):
        grants.channel_for("download")
    with pytest.raises(ValueError):
        AccessGrants(lookup="email", verify=None)


def _production(profile: str, access_method: str, **agreement: object) -> object:
    from dataclasses import replace

    from app.services.settings import demo_settings

    settings = demo_settings()
    return replace(
        settings,
        mode="production",
        agreement=replace(
            settings.agreement, profile=profile, access_method=access_method, **agreement
        ),
    )


def test_a_web_service_grant_needs_the_poc_letter_even_on_a_portal_install() -> None:
    from app.services.access import grants_for
    from app.services.settings_checks import grants_problem

    settings = _production("magelang-9", PORTAL, portal_url="https://portal.example.invalid/")
    problem = grants_problem(settings, grants_for(settings))  # type: ignore[arg-type]
    assert problem is not None and problem.startswith("agreement.poc_letter_number")


def test_a_portal_grant_needs_the_portal_address_even_on_a_web_service_install() -> None:
    from datetime import date

    from app.services.access import grants_for
    from app.services.settings_checks import grants_problem

    settings = _production(
        "magelang-9", SERVICE, poc_letter_number="PoC/1", poc_letter_date=date(2025, 1, 2)
    )
    problem = grants_problem(settings, grants_for(settings))  # type: ignore[arg-type]
    assert problem is not None and problem.startswith("agreement.portal_url")
    complete = _production(
        "magelang-9",
        SERVICE,
        poc_letter_number="PoC/1",
        poc_letter_date=date(2025, 1, 2),
        portal_url="https://portal.example.invalid/",
    )
    assert grants_problem(complete, grants_for(complete)) is None  # type: ignore[arg-type]


def test_the_doctor_lists_the_granted_checks() -> None:
    from dataclasses import replace

    from app.services.doctor import Status
    from app.services.doctor.access import access_grants
    from app.services.settings import demo_settings

    settings = demo_settings()
    settings = replace(settings, agreement=replace(settings.agreement, profile="magelang-9"))
    check = access_grants(settings)
    assert check.status is Status.OK
    assert check.found == "Look up NIK (web portal), Verify elements (web service)"
