"""Request and response shapes of attendance."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import RowId

Mark = Literal["present", "absent", "partial"]


class AttendanceMark(BaseModel):
    """One participant's attendance of the meeting."""

    model_config = ConfigDict(extra="forbid")

    registration_id: RowId
    status: Mark
    minutes: int | None = Field(
        default=None, ge=0, le=24 * 60, description="Minutes attended; for `partial` only."
    )


class AttendanceItem(BaseModel):
    """A participant and what is marked for them (`unmarked` until someone marks them)."""

    registration_id: int
    educator_id: int
    name: str
    status: Literal["present", "absent", "partial", "unmarked"]
    minutes: int | None = None


class MeetingAttendance(BaseModel):
    """Every participant of the meeting the caller may see, with their marks."""

    meeting_id: int
    items: list[AttendanceItem]
