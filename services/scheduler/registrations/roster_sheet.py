"""An offering's roster as a spreadsheet: CSV that Excel opens with its accents intact, and in
which no cell becomes a live formula."""

import csv
import io

from services.scheduler.registrations.schemas import RosterPublic

CSV_TYPE = "text/csv"
HEADER = ("Cohort", "Cohort status", "Role", "Name", "Email", "Registration", "Waitlist place")
# Excel, LibreOffice and Sheets read a cell starting with these as a formula (or a DDE call).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel takes a CSV for the machine's legacy code page unless it starts with a byte-order mark.
_BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """The value as text a spreadsheet shows as it is: a leading formula character is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def roster_rows(roster: RosterPublic) -> list[list[str]]:
    """One row per facilitator, participant and waiting educator, after the header."""
    rows: list[tuple[object, ...]] = [HEADER]
    for cohort in roster.cohorts:
        label = f"Cohort {cohort.index}"
        for lead in cohort.facilitators:
            rows.append((label, cohort.status, f"facilitator ({lead.role})", lead.name, "", "", ""))
        for member in cohort.members:
            rows.append(
                (label, cohort.status, "participant", member.name, member.email,
                 member.registration_id, "")
            )  # fmt: skip
    for waiting in roster.waitlist:
        rows.append(
            ("", "", "waitlist", waiting.name, waiting.email, waiting.registration_id,
             waiting.position)
        )  # fmt: skip
    return [[safe_cell(cell) for cell in row] for row in rows]


def roster_csv(roster: RosterPublic) -> str:
    """The roster as CSV (comma-separated, CRLF lines, UTF-8 with a byte-order mark)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(roster_rows(roster))
    return _BOM + buffer.getvalue()


def wants_csv(accept: str | None) -> bool:
    """Tell whether the Accept header asks for CSV before JSON."""
    for part in (accept or "").split(","):
        kind = part.split(";")[0].strip().lower()
        if kind == CSV_TYPE:
            return True
        if kind in ("application/json", "*/*", "application/*"):
            return False
    return False
