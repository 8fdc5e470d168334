"""The case use-case API end to end against the in-process simulator."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.case_flow import CaseState, IllegalTransition
from app.domain.nik import NikError
from app.domain.outcomes import OutcomeKind
from app.services.balikan.outbox import PENDING
from app.services.cases import (
    AgreementEnded,
    Decision,
    GatewayUnavailable,
    GuardOverride,
    GuardRefused,
    LookupBlocked,
    NikMismatch,
    NikSource,
    NotIssuable,
    NotPermittedByAgreement,
    PurposeMissing,
    WrongAccessMethod,
)
from app.services.officers import NdaMissing, NotPermitted, Role
from app.services.persistence.models import AuditRecord, BalikanItem, CaseRow
from app.services.quota import QuotaExhausted
from app.services.secrets import MemorySecretStore
from app.services.settings import settings_from_dicts
from app.services.simulator import Fault
from tests.services.cases.conftest import FakeClock, World, make_world, portal_settings


def start(world: World, programme: str = "PKH") -> object:
    case = world.services.cases.open_case(world.officer, programme, "Pendaftaran bantuan")
    world.services.cases.check_documents(case, world.officer, {"KTP-el": True, "KK": True})
    return case


def test_approve_path_issues_hands_over_queues_balikan_and_wipes(world: World) -> None:
    cases = world.services.cases
    case = start(world)
    nik = world.examples()["found"]
    view = cases.look_up(case, world.officer, nik, NikSource.CARD)
    assert view.kind is OutcomeKind.FOUND
    assert view.record is not None and view.record["NIK"] == nik
    assert "AGAMA" not in view.record and "NAMA_LGKP_IBU" not in view.record
    assert case.state is CaseState.CROSS_CHECKED
    cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    cases.issue(case, world.officer, "SKT-001")
    cases.record_printed(case, world.officer)
    cases.hand_over(case, world.officer, "SKT-001")
    assert case.state is CaseState.BALIKAN_QUEUED
    cases.close(case, world.officer)
    assert case.state is CaseState.CLOSED
    assert case.nik is None and case.last is None
    assert view.record is None  # the very object the screen held was emptied
    with world.services.core.sessions() as session:
        item = session.execute(select(BalikanItem)).scalar_one()
        assert item.status == PENDING
        assert json.loads(item.params) == [{"JENIS_PROGRAM": "PKH", "NO_PENERIMA": "SKT-001"}]
        assert world.services.outbox.nik_of(item) == nik
        row = session.execute(select(CaseRow)).scalar_one()
        assert row.data_accessed and row.nik_source == "card"
        assert row.nik_hash == world.services.keys.nik_hash(nik)
    assert world.services.verify_audit() is None


def test_every_step_out_of_order_is_refused(world: World) -> None:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran")
    with pytest.raises(IllegalTransition):
        cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    assert world.simulator.hits_today() == 0  # refused before anything was sent
    with pytest.raises(IllegalTransition):
        cases.issue(case, world.officer)
    with pytest.raises(PurposeMissing):
        cases.open_case(world.officer, "PKH", "  ")


@pytest.mark.parametrize("kind", ["deceased", "duplicate", "not_found", "inactive"])
def test_no_issue_after_a_non_issuable_answer(world: World, kind: str) -> None:
    cases = world.services.cases
    case = start(world)
    view = cases.look_up(case, world.officer, world.examples()[kind], NikSource.TYPED)
    assert view.kind.value == kind
    assert view.record is None
    assert view.guidance
    with pytest.raises(NotIssuable):
        cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    cases.decide(case, world.officer, Decision.REFUSE, "rujuk ke Dukcapil")
    cases.close(case, world.officer)
    with world.services.core.sessions() as session:
        items = list(session.execute(select(BalikanItem)).scalars())
    # issue 15: a "Data Ditemukan" answer that cannot be used is an access: owed, with a note
    expected_note = {"deceased": "MENINGGAL", "duplicate": "DATA GANDA", "inactive": "TIDAK AKTIF"}
    if kind == "not_found":
        assert items == []  # no data was accessed
    else:
        assert len(items) == 1 and items[0].status == "pending"
        assert json.loads(items[0].params)[0]["KETERANGAN"] == expected_note[kind]


def test_fix_and_recheck_loop_across_days_and_restart(tmp_path: Path) -> None:
    clock = FakeClock()
    keyring = MemorySecretStore()  # the OS keyring outlives the app; the demo store would not
    w = make_world(tmp_path / "data", clock=clock, secrets=keyring)
    nik = w.examples()["found"]
    case = start(w)
    w.services.cases.look_up(case, w.officer, nik, NikSource.IKD)
    w.services.cases.decide(case, w.officer, Decision.RETURN, "KK belum diperbarui")
    assert case.state is CaseState.RETURNED and case.nik is None and case.last is None
    number = case.number
    w.services.core.close()

    clock.advance(3 * 24 * 3600)  # the applicant returns three days later, after a restart
    w2 = make_world(tmp_path / "data", clock=clock, secrets=keyring)
    returned = w2.services.cases.returned_cases()
    assert [r.number for r in returned] == [number]
    with pytest.raises(NikMismatch):
        w2.services.cases.resume_returned(
            w2.officer, number, w2.examples()["deceased"], NikSource.TYPED
        )
    resumed = w2.services.cases.resume_returned(w2.officer, number, nik, NikSource.CARD)
    assert resumed.state is CaseState.FIXES_COMPLETED
    hits_before = w2.simulator.hits_today()
    view = w2.services.cases.look_up(resumed, w2.officer, nik, NikSource.CARD)
    assert w2.simulator.hits_today() == hits_before + 1  # a re-check is a new hit
    assert view.kind is OutcomeKind.FOUND
    w2.services.cases.decide(resumed, w2.officer, Decision.APPROVE, documents_match=True)
    w2.services.cases.issue(resumed, w2.officer)
    w2.services.cases.record_printed(resumed, w2.officer)
    w2.services.cases.hand_over(resumed, w2.officer, "REG-1")
    w2.services.cases.close(resumed, w2.officer)
    with w2.services.core.sessions() as session:
        rows = session.execute(select(CaseRow)).scalars().all()
        assert len(rows) == 1 and rows[0].lookups == 2  # one case, two hits
        assert len(session.execute(select(BalikanItem)).all()) == 1
    w2.services.core.close()


def test_returned_case_cancelled_later_still_owes_balikan(world: World) -> None:
    cases = world.services.cases
    case = start(world)
    nik = world.examples()["found"]
    cases.look_up(case, world.officer, nik, NikSource.TYPED)
    cases.decide(case, world.officer, Decision.RETURN)
    with world.services.core.sessions() as session:
        # the returned case keeps the NIK only as a keyed hash; what is owed waits, encrypted,
        # in the outbox, held (not sendable, not counted as pending) until the case ends
        row = session.execute(select(CaseRow)).scalar_one()
        assert row.nik_hash == world.services.keys.nik_hash(nik)
        item = session.execute(select(BalikanItem)).scalar_one()
        assert item.status == "held"
        assert world.services.outbox.pending_count(session) == 0
    assert world.services.balikan is not None
    world.services.balikan.send_once()
    assert world.simulator.balikan == []  # nothing is sent for an open case
    cases.cancel(case, world.officer, "pemohon tidak kembali")
    with world.services.core.sessions() as session:
        item = session.execute(select(BalikanItem)).scalar_one()
        assert item.status == PENDING
        assert json.loads(item.params)[0]["KETERANGAN"].startswith("DIKEMBALIKAN")
        assert world.services.outbox.nik_of(item) == nik


def test_nda_required_and_purpose_bound(world: World) -> None:
    services = world.services
    newbie = services.officers.create(
        world.admin, "baru", "Petugas Baru", "rahasia123", Role.OFFICER
    )
    with pytest.raises(NdaMissing):
        services.cases.open_case(newbie, "PKH", "Pendaftaran")
    services.officers.record_nda(world.admin, newbie.id, date(2026, 11, 1), "NDA/01/2026")
    assert services.officers.authenticate("baru", "rahasia123").may_serve


def test_pattern_guard_and_supervisor_override(world: World) -> None:
    cases = world.services.cases
    population = world.simulator.population.people()
    base = population[0].nik
    neighbour = base[:12] + f"{int(base[12:]) + 1:04d}"
    first = start(world)
    cases.look_up(first, world.officer, base, NikSource.TYPED)
    second = start(world)
    with pytest.raises(GuardRefused) as too_fast:
        cases.look_up(second, world.officer, population[50].nik, NikSource.TYPED)
    assert not too_fast.value.overridable and too_fast.value.retry_after > 0
    world.clock.advance(25)
    hits = world.simulator.hits_today()
    with pytest.raises(GuardRefused) as pattern:
        cases.look_up(second, world.officer, neighbour, NikSource.TYPED)
    assert pattern.value.overridable
    assert world.simulator.hits_today() == hits  # nothing sent
    with pytest.raises(Exception, match="supervisor"):
        cases.look_up(
            second,
            world.officer,
            neighbour,
            NikSource.TYPED,
            override=GuardOverride(world.officer2, "kembar"),
        )
    view = cases.look_up(
        second,
        world.officer,
        neighbour,
        NikSource.TYPED,
        override=GuardOverride(world.supervisor, "Kembar, keduanya hadir di loket"),
    )
    assert view.kind in (
        OutcomeKind.FOUND,
        OutcomeKind.NOT_FOUND,
        OutcomeKind.DECEASED,
        OutcomeKind.DUPLICATE,
        OutcomeKind.INACTIVE,
    )
    with world.services.core.sessions() as session:
        actions = [r.action for r in session.execute(select(AuditRecord)).scalars()]
    assert "guard.refused" in actions and "guard.override" in actions


def test_quota_counted_before_sending_and_refused_at_the_limit(tmp_path: Path) -> None:
    settings = settings_from_dicts(
        {"mode": "demo", "quota": {"daily_limit": 2}, "agreement": {"end": date(2027, 9, 16)}}
    )
    w = make_world(tmp_path / "d", settings, daily_quota=5)
    people = [p.nik for p in w.simulator.population.people()[::97]]
    for nik in people[:2]:
        case = start(w)
        w.services.cases.look_up(case, w.officer, nik, NikSource.TYPED)
        w.clock.advance(30)
    status = w.services.status()
    assert status.quota.used == 2 and status.quota.left == 0
    case = start(w)
    with pytest.raises(QuotaExhausted):
        w.services.cases.look_up(case, w.officer, people[3], NikSource.TYPED)
    assert w.simulator.hits_today() == 2
    assert any(lock.kind == "quota_exhausted" for lock in w.services.status().lockouts)
    w.clock.advance(24 * 3600)  # tomorrow the block lifts by itself
    assert not w.services.status().lockouts
    w.services.core.close()


def test_quota_resynchronised_from_quota_limiter(tmp_path: Path) -> None:
    w = make_world(tmp_path / "d", daily_quota=10)  # the gateway knows only 10 are left
    case = start(w)
    w.services.cases.look_up(case, w.officer, w.examples()["found"], NikSource.TYPED)
    status = w.services.status().quota
    assert status.gateway_left == 9 and status.left == 9
    w.services.core.close()


def test_gateway_quota_answer_blocks_until_tomorrow(tmp_path: Path) -> None:
    w = make_world(tmp_path / "d", daily_quota=1)
    niks = [p.nik for p in w.simulator.population.people()[::101]]
    case = start(w)
    w.services.cases.look_up(case, w.officer, niks[0], NikSource.TYPED)
    w.clock.advance(30)
    case2 = start(w)
    with pytest.raises(QuotaExhausted):
        w.services.cases.look_up(case2, w.officer, niks[1], NikSource.TYPED)
    w.services.core.close()


@pytest.mark.parametrize(
    ("account_change", "kind"),
    [
        ({"password": "salah"}, "login_failed"),
        ({"user_active": False}, "user_inactive"),
        ({"institution_active": False}, "institution_inactive"),
    ],
)
def test_access_lockouts_block_every_counter_until_cleared(
    tmp_path: Path, account_change: dict[str, object], kind: str
) -> None:
    from dataclasses import replace

    w = make_world(tmp_path / "d")
    w.simulator.config = replace(  # the gateway's side changes (password expired, …)
        w.simulator.config, account=replace(w.simulator.config.account, **account_change)
    )
    case = start(w)
    view = w.services.cases.look_up(case, w.officer, w.examples()["found"], NikSource.TYPED)
    assert view.kind.value == kind
    assert case.state is CaseState.DOCUMENTS_CHECKED  # no cross-check happened
    w.clock.advance(30)
    with pytest.raises(LookupBlocked) as blocked:
        w.services.cases.look_up(case, w.officer2, w.examples()["found"], NikSource.TYPED)
    assert "administrator" in blocked.value.message
    with pytest.raises(NotPermitted):
        w.services.clear_lockouts(w.supervisor)
    assert w.services.clear_lockouts(w.admin) == 1
    assert not w.services.status().lockouts
    w.services.core.close()


def test_transport_failure_counts_the_hit_and_keeps_the_case(world: World) -> None:
    cases = world.services.cases
    case = start(world)
    world.simulator.faults.inject(Fault.HTTP_500)
    with pytest.raises(GatewayUnavailable) as failure:
        cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    assert failure.value.message
    assert case.state is CaseState.DOCUMENTS_CHECKED
    assert world.services.status().quota.used == 1


def test_agreement_term_refuses_lookups_after_the_end(tmp_path: Path) -> None:
    settings = settings_from_dicts(
        {"mode": "demo", "agreement": {"start": date(2024, 1, 1), "end": date(2026, 11, 22)}}
    )
    w = make_world(tmp_path / "d", settings)
    case = start(w)
    with pytest.raises(AgreementEnded):
        w.services.cases.look_up(case, w.officer, w.examples()["found"], NikSource.TYPED)
    assert w.simulator.hits_today() == 0
    w.services.core.close()


def test_invalid_nik_is_refused_before_any_hit(world: World) -> None:
    case = start(world)
    with pytest.raises(NikError):
        world.services.cases.look_up(case, world.officer, "3303-01", NikSource.TYPED)
    assert world.services.status().quota.used == 0


def test_web_portal_mode_records_outcomes_and_never_calls_a_gateway(tmp_path: Path) -> None:
    w = make_world(tmp_path / "d", portal_settings())
    assert w.demo.simulator is None
    cases = w.services.cases
    case = start(w)
    with pytest.raises(WrongAccessMethod):
        cases.look_up(case, w.officer, "3303015505900001", NikSource.TYPED)
    view = cases.record_portal_outcome(
        case, w.officer, "3303015505900001", NikSource.IKD, OutcomeKind.FOUND, documents_match=False
    )
    assert view.via_portal and view.record is None
    with pytest.raises(NotIssuable):
        cases.decide(case, w.officer, Decision.APPROVE, documents_match=True)
    w.clock.advance(30)
    cases.record_portal_outcome(
        case, w.officer, "3303015505900001", NikSource.IKD, OutcomeKind.FOUND, documents_match=True
    )
    cases.decide(case, w.officer, Decision.APPROVE, documents_match=True)
    cases.issue(case, w.officer)
    cases.record_printed(case, w.officer)
    cases.hand_over(case, w.officer, "REG-77")
    cases.close(case, w.officer)
    status = w.services.status()
    assert status.quota.used == 2 and status.balikan_pending == 1
    assert status.access_method == "web_portal"
    w.services.core.close()


def test_officer_accounts_lockout_and_passwords(world: World) -> None:
    from app.services.officers import AccountDisabled, AccountLocked, LoginFailed, WeakPassword

    officers = world.services.officers
    for _ in range(4):
        with pytest.raises(LoginFailed):
            officers.authenticate("petugas2", "salah")
    with pytest.raises(AccountLocked):
        officers.authenticate("petugas2", "salah")
    with pytest.raises(AccountLocked):
        officers.authenticate("petugas2", "demo1234")  # locked even with the right password
    world.clock.advance(16 * 60)
    assert officers.authenticate("petugas2", "demo1234").username == "petugas2"
    officers.set_active(world.admin, world.officer2.id, False)
    with pytest.raises(AccountDisabled):
        officers.authenticate("petugas2", "demo1234")
    with pytest.raises(WeakPassword):
        officers.change_password(world.officer, "demo1234", "short")
    officers.change_password(world.officer, "demo1234", "lebih-panjang")
    assert officers.authenticate("petugas", "lebih-panjang")
    officers.reset_password(world.admin, world.officer.id, "sementara1")
    assert officers.authenticate("petugas", "sementara1").must_change_password
    with pytest.raises(LoginFailed):
        officers.authenticate("tidak-ada", "x")


def test_card_read_owes_balikan_even_without_a_lookup(world: World) -> None:
    from app.domain.nik import parse_nik

    cases = world.services.cases
    case = start(world)
    nik = parse_nik(world.examples()["found"])
    cases.record_card_read(case, world.officer, nik, demographic=True)
    assert case.nik_source == "card" and world.simulator.hits_today() == 0
    cases.cancel(case, world.officer, "pemohon pergi")
    with world.services.core.sessions() as session:
        item = session.execute(select(BalikanItem)).scalar_one()
        assert world.services.outbox.nik_of(item) == nik.value
    other = start(world)
    cases.record_card_read(other, world.officer, nik, demographic=False)  # photo/UID only
    cases.cancel(other, world.officer, "batal")
    with world.services.core.sessions() as session:
        assert len(session.execute(select(BalikanItem)).all()) == 1


def test_verify_by_element_profile(tmp_path: Path) -> None:
    settings = settings_from_dicts(
        {
            "mode": "demo",
            "agreement": {
                "profile": "verify-only",
                "start": date(2025, 1, 1),
                "end": date(2027, 9, 16),
            },
        }
    )
    w = make_world(tmp_path / "d", settings)
    nik = w.examples()["found"]
    person = w.simulator.population.get(nik)
    assert person is not None
    cases = w.services.cases
    case = start(w)
    with pytest.raises(NotPermittedByAgreement):  # no lookup by NIK under this agreement
        cases.look_up(case, w.officer, nik, NikSource.TYPED)
    with pytest.raises(NotPermittedByAgreement):  # mother's name is not an agreed element
        cases.look_up(case, w.officer, nik, NikSource.TYPED, verify_elements={"NAMA_LGKP_IBU": "X"})
    assert w.services.status().quota.used == 0
    view = cases.look_up(
        case,
        w.officer,
        nik,
        NikSource.TYPED,
        verify_elements={"NAMA_LGKP": person.name, "TMPT_LHR": "KOTA LAIN SEKALI"},
    )
    assert view.kind is OutcomeKind.VERIFIED
    assert view.record is None  # verify-only: no data is shown
    assert view.verdicts is not None
    assert view.verdicts["NAMA_LGKP"] == (True, 100)
    assert view.verdicts["TMPT_LHR"][0] is False
    with pytest.raises(NotIssuable):  # one element does not match
        cases.decide(case, w.officer, Decision.APPROVE, documents_match=True)
    w.clock.advance(30)
    view = cases.look_up(
        case,
        w.officer,
        nik,
        NikSource.TYPED,
        verify_elements={"NAMA_LGKP": person.name, "TMPT_LHR": person.birth_place},
    )
    assert all(ok for ok, _score in (view.verdicts or {}).values())
    cases.decide(case, w.officer, Decision.APPROVE, documents_match=True)
    assert case.state is CaseState.APPROVED
    w.services.core.close()


def test_a_wrong_password_for_a_disabled_account_says_what_an_unknown_user_hears(
    world: World,
) -> None:
    from app.services.officers import LoginFailed

    officers = world.services.officers
    officers.set_active(world.admin, world.officer2.id, False)
    messages = []
    for username, password in (("petugas2", "salah"), ("tidak-ada", "salah"), ("petugas", "x")):
        with pytest.raises(LoginFailed) as refused:
            officers.authenticate(username, password)
        messages.append(refused.value.message)
    assert len(set(messages)) == 1
