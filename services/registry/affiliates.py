"""Use cases for affiliates and programs."""

from sqlalchemy import func, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.registry.database import runtime
from services.registry.models import (
    Affiliate,
    AffiliateCreate,
    AffiliatePublic,
    AffiliatesPublic,
    Program,
    ProgramCreate,
    ProgramPublic,
    ProgramsPublic,
)
from shared.auth import EDITING, Principal
from shared.errors import Conflict, Forbidden, InvalidInput


def register_affiliate(
    *, session: Session, affiliate_in: AffiliateCreate, actor: Principal
) -> AffiliatePublic:
    """Register an affiliate."""
    affiliate = Affiliate.model_validate(affiliate_in)
    session.add(affiliate)
    session.flush()
    details = {"name": affiliate.name, "state": affiliate.state}
    runtime.audit_action(session, actor, "affiliate.add", f"affiliate {affiliate.id}", details)
    session.commit()
    return AffiliatePublic.model_validate(affiliate)


def list_affiliates(*, session: Session, limit: int, offset: int) -> AffiliatesPublic:
    """A page of affiliates, oldest first."""
    total = session.exec(select(func.count()).select_from(Affiliate)).one()
    rows = session.exec(select(Affiliate).order_by(col(Affiliate.id)).limit(limit).offset(offset))
    return AffiliatesPublic(
        items=[AffiliatePublic.model_validate(row) for row in rows], total=total
    )


def add_program(*, session: Session, program_in: ProgramCreate, actor: Principal) -> ProgramPublic:
    """Add a program; its code must be new (409 otherwise)."""
    if program_by_code(session=session, code=program_in.code) is not None:
        raise Conflict(f"a program with code {program_in.code!r} already exists")
    program = Program.model_validate(program_in)
    session.add(program)
    try:
        session.flush()
        details = {"code": program.code, "title": program.title}
        runtime.audit_action(session, actor, "program.add", f"program {program.id}", details)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"a program with code {program_in.code!r} already exists") from None
    return ProgramPublic.model_validate(program)


def program_by_code(*, session: Session, code: str) -> Program | None:
    """The program with this code, if any."""
    return session.exec(select(Program).where(Program.code == code)).first()


def list_programs(*, session: Session, signed_in: bool, limit: int, offset: int) -> ProgramsPublic:
    """A page of programs, by code; the anonymous see only those listed publicly."""
    shown = true() if signed_in else col(Program.listed_publicly).is_(True)
    total = session.exec(select(func.count()).select_from(Program).where(shown)).one()
    page = select(Program).where(shown).order_by(Program.code).limit(limit).offset(offset)
    rows = session.exec(page)
    return ProgramsPublic(items=[ProgramPublic.model_validate(row) for row in rows], total=total)


def posting_affiliate(session: Session, actor: Principal, asked: int | None) -> int:
    """The affiliate an offering is posted for: the one asked, or the caller's only one."""
    mine = [aff for aff in actor.affiliates(*EDITING) if session.get(Affiliate, aff) is not None]
    if asked is not None:
        if asked in mine:
            return asked
        if session.get(Affiliate, asked) is None:
            raise InvalidInput(("affiliate_id",), "no affiliate has this id")
        if actor.member_of(asked):
            raise Forbidden("viewers of an affiliate cannot post offerings")
        raise InvalidInput(("affiliate_id",), "you are not a member of this affiliate")
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise Forbidden("only the admins and editors of a registered affiliate post offerings")
    raise InvalidInput(("affiliate_id",), "you belong to several affiliates: say which one")
