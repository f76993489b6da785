"""Request and response shapes of attendance."""

from datetime import datetime
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


class CheckInCodePublic(BaseModel):
    """A meeting's open check-in code: the text to type, and the portal page and QR it leads to."""

    meeting_id: int
    code: str = Field(description="The short code as shown, e.g. `K7PQ-4XMN`.")
    url: str = Field(description="The portal's check-in page for this code (what the QR holds).")
    qr_svg_url: str = Field(description="The QR image of `url`, as SVG, served by the portal.")
    expires_at: datetime


class CheckInRequest(BaseModel):
    """Body of POST /check-ins: the code from the QR or as typed (any case, dashes optional)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64)


class CheckInPublic(BaseModel):
    """The educator's attendance of the code's meeting after checking in."""

    meeting_id: int
    registration_id: int
    offering_id: int
    status: Literal["present", "partial"]
