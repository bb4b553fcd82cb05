"""Accounts, roles, invitations, log-in with a second factor, and sessions.

Roles: an administrator (everything, every region), a coordinator (edits the regions given to
them) and a reviewer (reads every region, changes nothing; an insurer's analyst). Coordinators and
administrators log in with a password and a TOTP code; passwords are argon2 hashes.
Only hashes of invitation and session tokens are stored, so a copy of the database opens nothing.
A log-in answers the same whether the address has an account or not, and locks an account for a
while after repeated failures.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .db import Database

ROLES = ("admin", "coordinator", "reviewer")
SECOND_FACTOR_ROLES = ("admin", "coordinator")
INVITATION_SECONDS = 7 * 24 * 3600
SESSION_IDLE_SECONDS = 30 * 60
SESSION_MAX_SECONDS = 10 * 3600
MAX_FAILURES = 5  # then the account is locked for LOCK_SECONDS
LOCK_SECONDS = 15 * 60
PASSWORD_MIN, PASSWORD_MAX = 12, 200  # the upper bound keeps hashing cheap for hostile input
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_REGION = re.compile(r"^(ZK\d{2}|landelijk)$")

_hasher = PasswordHasher()
# Checked against when an address has no account, so that a log-in takes as long either way.
_NO_ACCOUNT = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why in Dutch."""


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    regions: tuple[str, ...]
    totp_secret: str

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    def may_read(self, region: str) -> bool:
        return self.role in ("admin", "reviewer") or region in self.regions

    def may_edit(self, region: str) -> bool:
        return self.role == "admin" or (self.role == "coordinator" and region in self.regions)


def _user(row: dict | None) -> User | None:
    if row is None:
        return None
    return User(int(row["id"]), row["email"], row["role"], tuple(filter(None, row["regions"].split(";"))),
                row["totp_secret"])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normal_email(email: str) -> str:
    return email.strip().lower()


def add(db: Database, email: str, role: str, regions: list[str], now: float | None = None) -> str:
    """A new account without a password; returns the one-time invitation token."""
    email, now = normal_email(email), int(now or time.time())
    if not _EMAIL.match(email) or len(email) > 254:
        raise AccountError(f"'{email}' is geen e-mailadres.")
    if role not in ROLES:
        raise AccountError(f"Onbekende rol '{role}'; kies uit {', '.join(ROLES)}.")
    regions = [region.upper() if region.lower() != "landelijk" else "landelijk" for region in regions]
    bad = [region for region in regions if not _REGION.match(region)]
    if bad:
        raise AccountError(f"Geen regiocode: {', '.join(bad)} (gebruik bijvoorbeeld ZK23).")
    if role == "coordinator" and not regions:
        raise AccountError("Een coördinator hoort bij minstens één regio (--region ZK23).")
    with db.transaction() as tx:
        if tx.row("SELECT id FROM portal_users WHERE email = :email", email=email):
            raise AccountError(f"Er is al een account voor {email}. Gebruik `routekaart users reset`.")
        user_id = tx.row("INSERT INTO portal_users (email, role, regions, created_at) "
                         "VALUES (:email, :role, :regions, :now) RETURNING id",
                         email=email, role=role, regions=";".join(regions if role != "admin" else []), now=now)["id"]
        return _invite(tx, user_id, now)


def _invite(tx, user_id: int, now: int) -> str:
    token = secrets.token_urlsafe(32)
    tx.rows("DELETE FROM portal_invitations WHERE user_id = :user_id", user_id=user_id)
    tx.rows("INSERT INTO portal_invitations (token_hash, user_id, expires_at) VALUES (:token, :user_id, :expires)",
            token=_hash(token), user_id=user_id, expires=now + INVITATION_SECONDS)
    return token


def _by_email(tx, email: str) -> dict:
    row = tx.row("SELECT * FROM portal_users WHERE email = :email", email=normal_email(email))
    if row is None:
        raise AccountError(f"Geen account voor {normal_email(email)}.")
    return row


def reset(db: Database, email: str, now: float | None = None) -> str:
    """Password and second factor cleared, sessions ended, account enabled again: a new invitation."""
    with db.transaction() as tx:
        row = _by_email(tx, email)
        tx.rows("UPDATE portal_users SET password_hash = '', totp_secret = '', totp_last_step = 0, disabled = 0, "
                "failed_logins = 0, locked_until = 0 WHERE id = :id", id=row["id"])
        tx.rows("DELETE FROM portal_sessions WHERE user_id = :id", id=row["id"])
        return _invite(tx, row["id"], int(now or time.time()))


def disable(db: Database, email: str) -> None:
    with db.transaction() as tx:
        row = _by_email(tx, email)
        tx.rows("UPDATE portal_users SET disabled = 1 WHERE id = :id", id=row["id"])
        tx.rows("DELETE FROM portal_sessions WHERE user_id = :id", id=row["id"])
        tx.rows("DELETE FROM portal_invitations WHERE user_id = :id", id=row["id"])


def everyone(db: Database) -> list[dict]:
    """Every account with its state, for `users list` and the administrator's page."""
    return [{**row, "regions": row["regions"].replace(";", ", "),
             "state": "uit" if row["disabled"] else ("actief" if row["active"] else "uitgenodigd")}
            for row in db.rows("SELECT id, email, role, regions, disabled, password_hash <> '' AS active "
                               "FROM portal_users ORDER BY email")]


def invited(db: Database, token: str, now: float | None = None) -> User | None:
    """The account an unused, unexpired invitation is for."""
    return _user(db.row("SELECT u.* FROM portal_invitations i JOIN portal_users u ON u.id = i.user_id "
                        "WHERE i.token_hash = :token AND i.expires_at > :now AND u.disabled = 0",
                        token=_hash(token), now=int(now or time.time())))


def password_problem(password: str, again: str, email: str) -> str | None:
    """What is wrong with a new password (Dutch), or None."""
    if len(password) < PASSWORD_MIN:
        return f"Kies een wachtwoord van minstens {PASSWORD_MIN} tekens."
    if len(password) > PASSWORD_MAX:
        return f"Kies een wachtwoord van hoogstens {PASSWORD_MAX} tekens."
    if password != again:
        return "De twee wachtwoorden zijn niet gelijk."
    if email.split("@")[0].lower() in password.lower():
        return "Gebruik uw e-mailadres niet in uw wachtwoord."
    return None


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Routekaart beheer")


def _code_step(secret: str, code: str, now: float) -> int | None:
    """The time step a TOTP code belongs to (this one or the one before or after), or None."""
    totp = pyotp.TOTP(secret)
    code = re.sub(r"\s", "", code or "")
    for offset in (0, -1, 1):
        at = now + offset * totp.interval
        if secrets.compare_digest(totp.at(at), code):
            return int(at // totp.interval)
    return None


def accept(db: Database, token: str, password: str, totp_secret: str, code: str,
           now: float | None = None) -> User:
    """Set the password (and second factor) of an invited account; the invitation is used up."""
    now = now or time.time()
    with db.transaction() as tx:
        user = _user(tx.row("SELECT u.* FROM portal_invitations i JOIN portal_users u ON u.id = i.user_id "
                            "WHERE i.token_hash = :token AND i.expires_at > :now AND u.disabled = 0",
                            token=_hash(token), now=int(now)))
        if user is None:
            raise AccountError("Deze uitnodiging is verlopen of al gebruikt. Vraag een nieuwe aan.")
        step = 0
        if user.needs_second_factor:
            step = _code_step(totp_secret, code, now)
            if step is None:
                raise AccountError("De code uit de app klopt niet. Kijk of de tijd op uw telefoon goed staat.")
        tx.rows("UPDATE portal_users SET password_hash = :hash, totp_secret = :secret, totp_last_step = :step, "
                "failed_logins = 0, locked_until = 0 WHERE id = :id", hash=_hasher.hash(password),
                secret=totp_secret if user.needs_second_factor else "", step=step, id=user.id)
        tx.rows("DELETE FROM portal_invitations WHERE user_id = :id", id=user.id)
    return user


def authenticate(db: Database, email: str, password: str, code: str, now: float | None = None) -> User | None:
    """The account, if the address, password and (where needed) TOTP code are right and it is not
    locked; None otherwise, for every reason alike."""
    now = now or time.time()
    password = password[:PASSWORD_MAX + 1]
    with db.transaction() as tx:
        row = tx.row("SELECT * FROM portal_users WHERE email = :email", email=normal_email(email)[:254])
        if row is None or not row["password_hash"]:
            _check(_NO_ACCOUNT, password)
            return None
        user = _user(row)
        right = _check(row["password_hash"], password)
        step = _code_step(user.totp_secret, code, now) if user.needs_second_factor else 0
        fresh = step is not None and (not user.needs_second_factor or step > row["totp_last_step"])
        if row["disabled"] or row["locked_until"] > now:
            return None
        if not (right and fresh):
            failures = row["failed_logins"] + 1
            locked = int(now) + LOCK_SECONDS if failures >= MAX_FAILURES else 0
            tx.rows("UPDATE portal_users SET failed_logins = :failures, locked_until = :locked WHERE id = :id",
                    failures=0 if locked else failures, locked=locked, id=user.id)
            return None
        tx.rows("UPDATE portal_users SET failed_logins = 0, totp_last_step = :step WHERE id = :id",
                step=step, id=user.id)
        if _hasher.check_needs_rehash(row["password_hash"]):
            tx.rows("UPDATE portal_users SET password_hash = :hash WHERE id = :id",
                    hash=_hasher.hash(password), id=user.id)
        return user


def _check(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(db: Database, user: User, now: float | None = None) -> str:
    token, now = secrets.token_urlsafe(32), int(now or time.time())
    with db.transaction() as tx:
        tx.rows("DELETE FROM portal_sessions WHERE created_at < :old OR seen_at < :idle",
                old=now - SESSION_MAX_SECONDS, idle=now - SESSION_IDLE_SECONDS)
        tx.rows("INSERT INTO portal_sessions (token_hash, user_id, created_at, seen_at) "
                "VALUES (:token, :user_id, :now, :now)", token=_hash(token), user_id=user.id, now=now)
    return token


def session_user(db: Database, token: str, now: float | None = None) -> User | None:
    """The account of a live session (used in the last SESSION_IDLE_SECONDS, younger than
    SESSION_MAX_SECONDS, account not disabled); using it keeps it alive."""
    now = int(now or time.time())
    with db.transaction() as tx:
        row = tx.row("SELECT u.*, s.seen_at AS seen FROM portal_sessions s JOIN portal_users u ON u.id = s.user_id "
                     "WHERE s.token_hash = :token AND s.created_at > :old AND s.seen_at > :idle AND u.disabled = 0",
                     token=_hash(token), old=now - SESSION_MAX_SECONDS, idle=now - SESSION_IDLE_SECONDS)
        if row is not None and now - row["seen"] >= 60:
            tx.rows("UPDATE portal_sessions SET seen_at = :now WHERE token_hash = :token", now=now, token=_hash(token))
        return _user(row)


def end_session(db: Database, token: str) -> None:
    db.rows("DELETE FROM portal_sessions WHERE token_hash = :token", token=_hash(token))
