"""What the sign-in routes take and answer."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.accounts.people.schemas import Locale, PersonPublic
from shared.validation import Email, Line, Zone


# Ask for a sign-in link; a new account takes the name, zone and language given here.
class SignInRequest(BaseModel):
    email: Email = Field(max_length=254, examples=["ana@example.org"])
    name: Line | None = Field(default=None, min_length=1, max_length=200, examples=["Ana Ruiz"])
    timezone: Zone | None = Field(default=None, max_length=64, examples=["America/Chicago"])
    locale: Locale = Field(default="en", description="Language of the mail and the pages.")


# The same answer for every address, known or not.
class SignInSent(BaseModel):
    status: Literal["sent"] = "sent"


# The code from a sign-in link.
class RedeemRequest(BaseModel):
    code: str = Field(min_length=1, max_length=200)


# A new session, an access token to start with, and who signed in.
class SignedIn(BaseModel):
    session_token: str
    access_token: str
    expires_at: datetime
    person: PersonPublic
