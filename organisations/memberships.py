"""Who belongs to an organisation: members added, updated, deactivated and joining, and its admins."""

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Sequence

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import F

from accounts.models import User
from core.sql import Among, AmongText
from organisations.models import Membership, Organisation
from organisations.staff_csv import StaffRow

# Rows per INSERT: well under PostgreSQL's 65,535 parameters, and what SQLite's limit allows.
BULK_BATCH = 1000


@transaction.atomic
def organisation_admin_add(*, organisation: Organisation, email: str) -> Membership:
    """Make a person an admin, creating them (without a password) if Druppel does not know them yet."""
    user, created = User.objects.get_or_create(email=email.strip().lower())
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.get_or_create(organisation=organisation, user=user)
    membership.role = Membership.Role.ADMIN
    membership.is_active = True
    membership.save(update_fields=["role", "is_active"])
    return membership


def organisation_admin_remove(*, organisation: Organisation, membership_id: int, by: User) -> bool:
    """Demote an admin to learner. Refuses to remove oneself, so an organisation keeps an admin."""
    return bool(
        Membership.objects.filter(organisation=organisation, pk=membership_id, role=Membership.Role.ADMIN)
        .exclude(user=by)
        .update(role=Membership.Role.LEARNER)
    )


@transaction.atomic
def member_upsert(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    department: str,
    role: str = "",
    imported_at: dt.datetime | None = None,
) -> tuple[Membership, bool]:
    """Create or update a person and their membership. Returns (membership, changed).

    ``imported_at`` marks the membership as coming from a staff list (kept from
    the first import), which makes it removable by a later complete list.
    """
    email = email.strip().lower()
    user, user_created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if user_created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    changed = user_created
    if not user_created and (user.first_name, user.last_name) != (first_name, last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
        changed = True
    membership, created = Membership.objects.get_or_create(
        organisation=organisation,
        user=user,
        defaults={"department": department, "role": role or Membership.Role.LEARNER, "imported_at": imported_at},
    )
    updates: dict[str, object] = {"department": department, "is_active": True, **({"role": role} if role else {})}
    if imported_at is not None and membership.imported_at is None:
        updates["imported_at"] = imported_at
    stale = {name: value for name, value in updates.items() if getattr(membership, name) != value}
    if not created and stale:
        for name, value in stale.items():
            setattr(membership, name, value)
        membership.save(update_fields=list(stale))
    return membership, changed or created or bool(set(stale) - {"imported_at"})


def members_upsert(
    *, organisation: Organisation, people: Sequence[StaffRow], imported_at: dt.datetime
) -> dict[str, int]:
    """``member_upsert`` for many people at once, in a fixed number of statements: returns email → membership id.

    People new to Druppel get an account without a password; known people get the
    names on the list. Memberships are created, or brought to the list's department,
    reactivated and marked imported (``imported_at`` is kept from the first import).
    Roles are left alone. Call it inside a transaction.
    """
    user_ids = _users_upsert(people)
    memberships = _memberships_of(organisation, list(user_ids.values()))
    new = [person for person in people if user_ids[person.email] not in memberships]
    Membership.objects.bulk_create(
        [
            Membership(
                organisation=organisation,
                user_id=user_ids[person.email],
                department=person.department,
                role=Membership.Role.LEARNER,
                imported_at=imported_at,
            )
            for person in new
        ],
        batch_size=BULK_BATCH,
        ignore_conflicts=True,  # a person who joined by invite meanwhile is updated below
    )
    if new:
        memberships |= _memberships_of(organisation, [user_ids[person.email] for person in new])
    _memberships_update(people, user_ids, memberships, imported_at)
    return {person.email: memberships[user_ids[person.email]][0] for person in people}


def _users_upsert(people: Sequence[StaffRow]) -> dict[str, int]:
    """Email → user id, creating the missing people and renaming the known ones."""
    emails = [person.email for person in people]
    known = {email: (pk, first, last) for email, pk, first, last in _users_by_email(emails)}
    User.objects.bulk_create(
        [
            # An unusable password, random like Django's own (set_unusable_password), minus its cost per row.
            User(email=p.email, first_name=p.first_name, last_name=p.last_name, password=_unusable_password())
            for p in people
            if p.email not in known
        ],
        batch_size=BULK_BATCH,
        ignore_conflicts=True,  # someone signing up by invite meanwhile: selected below
    )
    renamed = [
        User(pk=known[p.email][0], first_name=p.first_name, last_name=p.last_name)
        for p in people
        if p.email in known and known[p.email][1:] != (p.first_name, p.last_name)
    ]
    User.objects.bulk_update(renamed, ["first_name", "last_name"], batch_size=BULK_BATCH)
    missing = [email for email in emails if email not in known]
    ids = {email: pk for email, (pk, _, _) in known.items()}
    ids |= {email: pk for email, pk, _, _ in _users_by_email(missing)} if missing else {}
    return ids


def _users_by_email(emails: list[str]) -> list[tuple[str, int, str, str]]:
    return list(
        User.objects.filter(AmongText(F("email"), emails)).values_list("email", "pk", "first_name", "last_name")
    )


def _unusable_password() -> str:
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _memberships_of(organisation: Organisation, user_ids: list[int]) -> dict[int, tuple]:
    """User id → (membership id, department, is_active, imported_at) in this organisation."""
    rows = Membership.objects.filter(Among(F("user_id"), user_ids), organisation=organisation).values_list(
        "user_id", "pk", "department", "is_active", "imported_at"
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _memberships_update(
    people: Sequence[StaffRow], user_ids: dict[str, int], memberships: dict[int, tuple], imported_at: dt.datetime
) -> None:
    """One UPDATE per department that changed (a list has a few dozen), one to reactivate, one to mark imported."""
    moved: dict[str, list[int]] = defaultdict(list)
    inactive, unmarked = [], []
    for person in people:
        pk, department, is_active, first_imported = memberships[user_ids[person.email]]
        if department != person.department:
            moved[person.department].append(pk)
        if not is_active:
            inactive.append(pk)
        if first_imported is None:
            unmarked.append(pk)
    for department, ids in moved.items():
        Membership.objects.filter(Among(F("pk"), ids)).update(department=department)
    if inactive:
        Membership.objects.filter(Among(F("pk"), inactive)).update(is_active=True)
    if unmarked:
        Membership.objects.filter(Among(F("pk"), unmarked)).update(imported_at=imported_at)


def members_deactivate(*, organisation: Organisation, membership_ids: list[int]) -> int:
    """Mark members as gone; their history stays. Returns how many were active."""
    return Membership.objects.filter(Among(F("pk"), membership_ids), organisation=organisation, is_active=True).update(
        is_active=False
    )


@transaction.atomic
def member_join(
    *, organisation: Organisation, email: str, first_name: str, last_name: str, department: str = ""
) -> Membership:
    """A person joins through an invite link: add them as a learner, keeping what HR already set
    (the department they give is stored only where the staff list gave none)."""
    email = email.strip().lower()
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first_name, "last_name": last_name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif not (user.first_name or user.last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    department = department.strip()[:100]
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"department": department}
    )
    changed = []
    if not created and not membership.is_active:
        membership.is_active = True
        changed.append("is_active")
    if not created and department and not membership.department:
        membership.department = department
        changed.append("department")
    if changed:
        membership.save(update_fields=changed)
    return membership
