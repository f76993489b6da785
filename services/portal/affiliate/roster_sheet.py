"""An offering's roster as an Excel workbook: every cell written as text, so a name such as
"=HYPERLINK(...)" is never read as a formula."""

import io
from typing import Any

import xlsxwriter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("Cohort", "Cohort status", "Role", "Name", "Email", "Registration", "Waitlist place")
# Spreadsheets read a cell starting with these as a formula (or a DDE call) once it is edited.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text that stays text: a leading formula character is quoted (as in the CSV)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def roster_rows(roster: dict[str, Any]) -> list[list[str]]:
    """One row per facilitator, participant and waiting educator, after the header."""
    rows: list[tuple[object, ...]] = [HEADER]
    for cohort in roster["cohorts"]:
        label = f"Cohort {cohort['index']}"
        for lead in cohort["facilitators"]:
            rows.append((label, cohort["status"], f"facilitator ({lead['role']})", lead["name"]))
        for member in cohort["members"]:
            rows.append(
                (label, cohort["status"], "participant", member["name"], member["email"],
                 member["registration_id"])
            )  # fmt: skip
    for waiting in roster["waitlist"]:
        rows.append(
            ("", "", "waitlist", waiting.get("name"), waiting.get("email"),
             waiting["registration_id"], waiting["position"])
        )  # fmt: skip
    return [[safe_cell(cell) for cell in row] for row in rows]


def roster_xlsx(roster: dict[str, Any]) -> bytes:
    """The roster as an .xlsx workbook of one sheet, every cell a string."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    sheet = workbook.add_worksheet("Roster")
    for row_number, row in enumerate(roster_rows(roster)):
        for column, cell in enumerate(row):
            sheet.write_string(row_number, column, cell)
    sheet.set_column(0, len(HEADER) - 1, 20)
    workbook.close()
    return buffer.getvalue()
