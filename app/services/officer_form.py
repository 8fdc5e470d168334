"""The User-ID request form fields of one officer and their validation (issue 15).

NIK: 16 digits (the officer's KTP-el); NIP: 18 digits, required for PNS and PPPK staff;
office region code: a Kemendagri code such as 33.03 or 3303. The NIK is staff data, not
population data, but is kept out of ``repr`` and never logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.domain.errors import UserFacingError
from app.domain.i18n import N_

#: Employment statuses on the User-ID form (status kepegawaian), as written on it.
EMPLOYMENT_STATUSES = ("PNS", "PPPK", "Non-ASN")
#: Statuses that have an 18-digit NIP (NIP PNS, NI PPPK).
WITH_NIP = frozenset({"PNS", "PPPK"})

_NIK = re.compile(r"[1-9][0-9]{15}")
NIP_PATTERN = re.compile(r"[0-9]{18}")
#: Kemendagri region code: province, regency/city, optionally district and village.
_REGION = re.compile(r"[0-9]{2}(\.?[0-9]{2})(\.?[0-9]{2})?(\.?[0-9]{4})?")


class OfficerRecordError(UserFacingError):
    """A User-ID form, NDA or SPTJM value that cannot be recorded."""

    msgid = N_("The officer record was refused: check the values entered.")


class InvalidOfficerNik(OfficerRecordError):
    """The officer's NIK is not 16 digits."""

    msgid = N_("The officer's NIK must have exactly 16 digits (from the officer's KTP-el).")


class InvalidNip(OfficerRecordError):
    """The NIP is not 18 digits."""

    msgid = N_(
        "The NIP must have exactly 18 digits; civil servants (PNS) and PPPK staff must give "
        "it, other staff leave it empty."
    )


class InvalidRegionCode(OfficerRecordError):
    """The office region code is not a Kemendagri code."""

    msgid = N_("The office region code must be a Kemendagri region code, e.g. 33.03 or 3303.")


class InvalidEmploymentStatus(OfficerRecordError):
    """Not one of :data:`EMPLOYMENT_STATUSES`."""

    msgid = N_("Choose the employment status: PNS, PPPK or Non-ASN.")


class RecordFieldMissing(OfficerRecordError):
    """A required field is empty (``detail`` names it)."""

    msgid = N_("Fill in every field of the form: one is still empty.")


@dataclass(frozen=True, slots=True)
class UserIdForm:
    """The User-ID request form fields of one officer (the NIK stays out of ``repr``)."""

    nik: str = field(repr=False)
    nip: str
    employment_status: str
    position: str
    office_region_code: str
    office_name: str
    office_address: str
    local_user_id: str


def validate_form(form: UserIdForm) -> UserIdForm:
    """The form with spaces trimmed, or a typed refusal naming what is wrong."""
    values = {name: str(getattr(form, name)).strip() for name in UserIdForm.__slots__}
    values["nik"] = values["nik"].replace(" ", "")
    values["nip"] = values["nip"].replace(" ", "")
    if not _NIK.fullmatch(values["nik"]):
        raise InvalidOfficerNik("nik")
    if values["employment_status"] not in EMPLOYMENT_STATUSES:
        raise InvalidEmploymentStatus("employment_status")
    nip_needed = values["employment_status"] in WITH_NIP
    if (values["nip"] or nip_needed) and not NIP_PATTERN.fullmatch(values["nip"]):
        raise InvalidNip("nip")
    if not _REGION.fullmatch(values["office_region_code"]):
        raise InvalidRegionCode("office_region_code")
    for name in ("position", "office_name", "office_address", "local_user_id"):
        if not values[name]:
            raise RecordFieldMissing(name)
    return UserIdForm(**values)
