"""Which control enforces each clause of the agreements (R-01 … R-28), and which tests prove it.

Controls name the module (and function) that enforces the clause; tests are pytest node ids
relative to the repository (``tests/…py::test_name``). A clause the software cannot enforce
(an ISO certificate, a paper NDA, hardware) says so. ``tests/test_evidence.py`` checks that
every named test exists, so this map cannot silently rot.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.i18n import N_


@dataclass(frozen=True, slots=True)
class Clause:
    """One requirement and how the software answers it."""

    id: str
    title: str  # msgid
    enforced: bool
    control: str
    tests: tuple[str, ...] = ()


_CASES = "tests/services/cases/test_case_service.py::"
_CLIENT = "tests/services/dukcapil/test_client.py::"
_TLS = "tests/services/dukcapil/test_tls_and_socket.py::"
_SENDER = "tests/services/balikan/test_sender.py::"
_EXPORT = "tests/services/balikan/test_export_and_cli.py::"

CLAUSES: tuple[Clause, ...] = (
    Clause(
        "R-01",
        N_("Closed network, configured hosts, pinned TLS"),
        True,
        "app.services.settings (hosts are configuration); app.services.dukcapil.tls "
        "(PinnedContext: only the imported certificate); app.services.doctor (loket doctor)",
        (
            _TLS + "test_other_certificate_refused_before_credentials_leave",
            _TLS + "test_pin_checked_during_handshake",
            "tests/services/test_settings.py::test_plain_http_needs_explicit_permission",
            "tests/services/doctor/test_doctor.py::test_wrong_pin_is_an_error_and_nothing_is_sent",
        ),
    ),
    Clause(
        "R-02",
        N_("Query by NIK"),
        True,
        "app.domain.nik (parse_nik: 16 digits, region, birth date); CaseService.look_up",
        (
            _CASES + "test_invalid_nik_is_refused_before_any_hit",
            _CLIENT + "test_lookup_rejects_malformed_nik_without_a_query",
        ),
    ),
    Clause(
        "R-03",
        N_("Permitted elements only"),
        True,
        "app.services.dukcapil.profiles (AgreementProfile.filter_record on receipt)",
        (
            _CLIENT + "test_lookup_found_is_filtered_and_normalised",
            "tests/services/dukcapil/test_fuzz.py::test_filter_never_raises_and_keeps_only_permitted",
        ),
    ),
    Clause(
        "R-04",
        N_("Result confirmations with guidance"),
        True,
        "app.services.dukcapil.classify; app.services.dukcapil.guidance",
        (
            _CLIENT + "test_every_outcome_in_every_dialect",
            "tests/services/dukcapil/test_profiles_and_guidance.py::test_every_outcome_has_guidance",
        ),
    ),
    Clause(
        "R-05",
        N_("Parameter confirmations stop queries"),
        True,
        "app.services.lockouts (LockoutService: shared blocks until an administrator clears)",
        (_CASES + "test_access_lockouts_block_every_counter_until_cleared",),
    ),
    Clause(
        "R-06",
        N_("Daily quota counted before each hit"),
        True,
        "app.services.quota (QuotaCounter.reserve, atomic, shared)",
        (
            _CASES + "test_quota_counted_before_sending_and_refused_at_the_limit",
            _CASES + "test_quota_resynchronised_from_quota_limiter",
        ),
    ),
    Clause(
        "R-07",
        N_("Purpose binding; no sequential or bulk lookups"),
        True,
        "app.domain.guard_rules and app.services.guard (pattern guard); "
        "CaseService._check_may_look_up (open case, programme)",
        (
            _CASES + "test_pattern_guard_and_supervisor_override",
            _CASES + "test_nda_required_and_purpose_bound",
        ),
    ),
    Clause(
        "R-08",
        N_("Operators with an NDA on file; personal access"),
        True,
        "app.services.officers (NDA date and reference required to serve; disable, lock-out)",
        (
            _CASES + "test_nda_required_and_purpose_bound",
            _CASES + "test_officer_accounts_lockout_and_passwords",
        ),
    ),
    Clause(
        "R-09",
        N_("Verify by element"),
        True,
        "app.services.dukcapil.client (verify); app.services.cases.compare",
        (
            _CLIENT + "test_verify_by_element",
            "tests/services/cases/test_verify_rules.py::"
            "test_an_answer_confirms_only_when_every_element_matches",
        ),
    ),
    Clause(
        "R-10",
        N_("Zero storage of population data"),
        True,
        "PermittedRecord lives in memory only; logs masked (app.services.logging_setup); "
        "reports and exports hold counts only",
        (
            "tests/test_zero_storage.py::test_no_population_data_in_any_written_file",
            "tests/services/test_logging.py::test_no_sixteen_digit_run_survives",
        ),
    ),
    Clause(
        "R-11",
        N_("Zero sharing"),
        True,
        "No export of records exists; data balikan carries only NIK, number and programme",
        (_SENDER + "test_deliveries_are_audited_without_the_nik",),
    ),
    Clause(
        "R-12",
        N_("Card-reader data stored only with consent"),
        True,
        "Card data stays in the reader's CardData in memory; only the NIK's keyed hash is kept",
        (_CASES + "test_card_read_owes_balikan_even_without_a_lookup",),
    ),
    Clause(
        "R-13",
        N_("Security management: access control and audit trail"),
        True,
        "app.services.audit (hash-chained audit, loket audit verify); ISO/IEC 27001 "
        "certification itself is the agency's",
        ("tests/test_cli_tools.py::test_audit_verify_names_the_first_edited_record",),
    ),
    Clause(
        "R-14",
        N_("Confidential configuration kept secret"),
        True,
        "app.services.secrets (OS keyring, never files); loket doctor shows set/not set only",
        (
            "tests/services/test_secrets.py::test_missing_keyring_is_a_clear_error_not_a_fallback",
            "tests/services/doctor/test_doctor.py::test_healthy_counter_is_all_ok_and_shows_no_secret",
        ),
    ),
    Clause(
        "R-15",
        N_("Card reader with a SAM"),
        True,
        "app.reader (slots, SAM check); loket reader sam; loket doctor reader line",
        ("tests/services/doctor/test_doctor.py::test_no_reader",),
    ),
    Clause(
        "R-16",
        N_("SAM configuration returned at the end"),
        True,
        "app.services.decommission (loket decommission: refused while data balikan is owed; "
        "blocks lookups and card reads, wipes keys and local data, prints the SAM return "
        "checklist and BAST); app.services.uninstall_check (the uninstaller refuses owed items)",
        (
            "tests/test_decommission.py::"
            "test_decommission_refused_while_owed_then_leaves_no_key_and_no_data",
            "tests/services/test_decommission_postgres.py::"
            "test_one_counter_ends_alone_the_last_one_ends_the_agency",
        ),
    ),
    Clause(
        "R-17",
        N_("Reader use owes data balikan"),
        True,
        "CaseService.record_card_read (a demographic read holds an outbox item)",
        (_CASES + "test_card_read_owes_balikan_even_without_a_lookup",),
    ),
    Clause(
        "R-18",
        N_("Data balikan for every resident accessed"),
        True,
        "app.services.balikan (outbox, sender, per-agreement fields)",
        (
            _EXPORT + "test_served_case_is_owed_then_delivered_once",
            _EXPORT + "test_refused_case_sends_a_note",
        ),
    ),
    Clause(
        "R-19",
        N_("Data balikan exported when the link is down"),
        True,
        "app.services.balikan.export (CSV/XLSX, confirm after upload)",
        (_EXPORT + "test_export_csv_confirm_and_reexport",),
    ),
    Clause(
        "R-20",
        N_("Nothing owed is lost"),
        True,
        "Outbox claims and crash recovery (app.services.balikan.sender)",
        (
            "tests/services/balikan/test_crash.py::"
            "test_sender_killed_at_every_point_delivers_each_item_exactly_once",
            _SENDER + "test_unacknowledged_item_is_resent_and_counted_once",
        ),
    ),
    Clause(
        "R-21",
        N_("Semester report; report on request; record of submission"),
        True,
        "app.services.reports (due rule from Pasal 8, any period, submissions register)",
        (
            "tests/services/cases/test_report_due.py::test_default_rule_is_pasal_8_june_and_december",
            "tests/services/cases/test_report_due.py::"
            "test_submission_is_recorded_listed_audited_and_ends_the_reminder",
            "tests/services/cases/test_report_figures.py::"
            "test_pdf_is_an_official_report_with_every_section",
        ),
    ),
    Clause(
        "R-22",
        N_("Daily usage summaries with counts only"),
        True,
        "app.services.reports.figures (SQL aggregation, named counters)",
        (
            "tests/services/cases/test_reports.py::"
            "test_daily_report_counts_and_holds_no_population_data",
            "tests/services/cases/test_report_figures.py::"
            "test_totals_equal_the_database_card_reads_and_controls_included",
        ),
    ),
    Clause(
        "R-23",
        N_("The service flow of the flowchart"),
        True,
        "app.domain.case_flow (states and transitions); CaseService",
        (
            _CASES + "test_every_step_out_of_order_is_refused",
            _CASES + "test_fix_and_recheck_loop_across_days_and_restart",
        ),
    ),
    Clause(
        "R-24",
        N_("Access method per agreement"),
        True,
        "app.domain.access.AccessGrants from the profile (lookup_via, verify_via; "
        "agreement.access_method as the fallback); CaseService refuses a method by a channel "
        "not granted; web portal mode never calls the gateway",
        (
            _CASES + "test_web_portal_mode_records_outcomes_and_never_calls_a_gateway",
            "tests/services/cases/test_access_per_method.py::"
            "test_magelang_verifies_by_web_service_and_looks_up_by_portal",
            "tests/services/test_access_grants.py::"
            "test_each_seed_agreement_grants_its_methods_by_its_channels",
        ),
    ),
    Clause(
        "R-25",
        N_("NIK on issued documents only after FOUND"),
        True,
        "app.services.documents.statement",
        (
            "tests/services/test_ui_support.py::test_statement_prints_the_nik_only_after_found",
            _CASES + "test_no_issue_after_a_non_issuable_answer",
        ),
    ),
    Clause(
        "R-26",
        N_("KTP-el and/or IKD; the NIK's source recorded"),
        True,
        "NikSource on the case (typed, card, IKD)",
        (_CASES + "test_card_read_owes_balikan_even_without_a_lookup",),
    ),
    Clause(
        "R-27",
        N_("Agreement term: no access after the end"),
        True,
        "app.domain.agreement_term; CaseService._check_term",
        (_CASES + "test_agreement_term_refuses_lookups_after_the_end",),
    ),
    Clause(
        "R-28",
        N_("Record of processing; breach notice within 3×24 hours"),
        True,
        "app.services.subject_access (record of processing); app.services.incidents",
        (
            "tests/services/cases/test_subject_access.py::"
            "test_record_of_processing_lists_who_when_why_and_nothing_else",
            "tests/services/cases/test_incidents.py::"
            "test_incident_counts_residents_from_the_audit_and_exports_counts_only",
        ),
    ),
)
