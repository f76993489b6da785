"""Use cases for affiliates and programs, and the check that an affiliate key is still current."""

import hmac

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.registry.models import (
    Affiliate,
    AffiliateCreate,
    AffiliateCreated,
    AffiliatePublic,
    AffiliatesPublic,
    Program,
    ProgramCreate,
    ProgramPublic,
    ProgramsPublic,
)
from shared.auth import Role, hash_key, issue_token
from shared.errors import Conflict


def register_affiliate(*, session: Session, affiliate_in: AffiliateCreate) -> AffiliateCreated:
    """Register an affiliate and issue its API key (returned once, stored only as a hash)."""
    affiliate = Affiliate.model_validate(affiliate_in)
    session.add(affiliate)
    session.flush()
    assert affiliate.id is not None
    api_key = issue_token(role=Role.AFFILIATE, subject_id=affiliate.id)
    affiliate.key_hash = hash_key(api_key)
    session.commit()
    public = AffiliatePublic.model_validate(affiliate)
    return AffiliateCreated(**public.model_dump(), api_key=api_key)


def affiliate_key_is_current(*, session: Session, affiliate_id: int | None, api_key: str) -> bool:
    """Tell whether a signed affiliate key still belongs to a registered affiliate."""
    affiliate = session.get(Affiliate, affiliate_id) if affiliate_id is not None else None
    if affiliate is None or affiliate.key_hash is None:
        return False
    return hmac.compare_digest(affiliate.key_hash, hash_key(api_key))


def list_affiliates(*, session: Session, limit: int, offset: int) -> AffiliatesPublic:
    """A page of affiliates, oldest first."""
    total = session.exec(select(func.count()).select_from(Affiliate)).one()
    rows = session.exec(select(Affiliate).order_by(col(Affiliate.id)).limit(limit).offset(offset))
    return AffiliatesPublic(
        items=[AffiliatePublic.model_validate(row) for row in rows], total=total
    )


def add_program(*, session: Session, program_in: ProgramCreate) -> ProgramPublic:
    """Add a program; its code must be new (409 otherwise)."""
    if program_by_code(session=session, code=program_in.code) is not None:
        raise Conflict(f"a program with code {program_in.code!r} already exists")
    program = Program.model_validate(program_in)
    session.add(program)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"a program with code {program_in.code!r} already exists") from None
    return ProgramPublic.model_validate(program)


def program_by_code(*, session: Session, code: str) -> Program | None:
    """The program with this code, if any."""
    return session.exec(select(Program).where(Program.code == code)).first()


def list_programs(*, session: Session, limit: int, offset: int) -> ProgramsPublic:
    """A page of programs, by code."""
    total = session.exec(select(func.count()).select_from(Program)).one()
    rows = session.exec(select(Program).order_by(Program.code).limit(limit).offset(offset))
    return ProgramsPublic(items=[ProgramPublic.model_validate(row) for row in rows], total=total)
