"""Which pages there are: the URL resolver, walked, with a real object for every URL argument.

Nothing here lists pages. Every URL pattern Django knows is walked; its arguments come
from factories keyed by the argument's name (``org_slug``, ``thread_id``…), and each role
tries it with a GET. A pattern is then either a page some role reaches (it gets checked)
or named in NOT_PAGES, UNREACHED or OUT_OF_SCOPE with a reason. A new app's pages (the trainer studio)
are picked up as soon as their URLs exist; an argument name nobody knows yet fails the
walk with a message saying where to add its factory.
"""

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from courses.invites import invite_token
from dashboard.digest import digest_stop_token
from discussions.digest import digest_unsubscribe_token
from discussions.models import DiscussionDigestSent
from lessons.tokens import delivery_token
from organisations.models import Membership
from progress.certificates import certificate_token
from progress.reminders import reminder_token
from tests.standards.world import World

# Order matters: a page is checked as the first role that reaches it (see ALSO_AS).
# The two halfway sign-ins come last: each try starts a sign-in, and only one page needs each.
ROLES = ("anonymous", "learner", "admin", "trainer", "trainer_totp", "signing_in", "totp_signing_in")

# A URL argument's real value, by "url name:argument", "namespace:argument" or "argument"
# (the most specific key wins). A list means: check the page once with each value.
ARGUMENTS: dict[str, Callable[[World], object]] = {
    "org_slug": lambda w: w.organisation.slug,
    "upload_id": lambda w: w.upload.pk,
    "dashboard:staff_import_status:upload_id": lambda w: w.importing.pk,
    "dashboard:staff_import_result:upload_id": lambda w: w.imported.pk,
    "offering_id": lambda w: w.offering.pk,
    "dashboard:offering_edit:pk": lambda w: w.offering.pk,
    "dashboard:closure_delete:pk": lambda w: w.organisation.closures.get().pk,
    "dashboard:admin_remove:pk": lambda w: w.admin.memberships.get().pk,
    "enrolment_id": lambda w: w.eva.pk,
    "certificate_id": lambda w: w.certificate.pk,
    "group_id": lambda w: w.group.pk,
    "thread_id": lambda w: w.thread.pk,
    "post_id": lambda w: w.question.pk,
    "report_id": lambda w: w.report.pk,
    # Names the trainer studio is likely to use. A wrong guess gives every role a 404,
    # which fails the walk with the statuses: then give the route its own key.
    "course_id": lambda w: w.course.pk,
    "course_slug": lambda w: w.course.slug,
    "slug": lambda w: w.course.slug,
    "lesson_id": lambda w: w.course.lessons.order_by("position").first().pk,  # type: ignore[union-attr]
    "position": lambda w: 1,
    "studio:module_move:module_id": lambda w: w.course.modules.order_by("position").first().pk,  # type: ignore[union-attr]
    "studio:module_edit:module_id": lambda w: w.course.modules.order_by("position").first().pk,  # type: ignore[union-attr]
    "studio:module_delete:module_id": lambda w: w.course.modules.order_by("position").first().pk,  # type: ignore[union-attr]
    "studio:version_restore:number": lambda w: 1,
    "studio:import_preview:upload_id": lambda w: w.course_upload.pk,
    # A mail link: the delivery's signed token. The answer page looks different once answered.
    "lessons:token": lambda w: delivery_token(w.unanswered.pk),
    "lessons:answer:token": lambda w: [delivery_token(w.unanswered.pk), delivery_token(w.answered.pk)],
    "lessons:answer:option": lambda w: 2,
    "discussions:mail_thread:token": lambda w: delivery_token(w.unanswered.pk),
    "lesson_thread:token": lambda w: delivery_token(w.unanswered.pk),
    "discussions:digest_unsubscribe:token": lambda w: digest_unsubscribe_token(
        user_id=w.learner.pk, kind=DiscussionDigestSent.Kind.REPLIES
    ),
    "learners:reminders_off:token": lambda w: reminder_token(w.jonas.pk),
    "weekly_digest_stop:token": lambda w: digest_stop_token(
        Membership.objects.get(user=w.admin, organisation=w.organisation).pk
    ),
    "learners:certificate_link:token": lambda w: certificate_token(w.certificate.pk),
    "join:token": lambda w: invite_token(w.offering),
    "join_welcome:token": lambda w: invite_token(w.offering),
    # allauth: the trainer's real address confirmation; a password reset link already used.
    "account_confirm_email:key": lambda w: EmailConfirmationHMAC(EmailAddress.objects.get(user=w.trainer)).key,
    "account_reset_password_from_key:uidb36": lambda w: user_pk_to_url_str(w.trainer),
    "account_reset_password_from_key:key": lambda w: "used-up-reset-key",
}

# Patterns that are not pages: the walk checks that no role gets an HTML page from them.
NOT_PAGES: dict[str, str] = {
    "sendgrid_events": "SendGrid's event webhook: POST only",
    "healthz": "JSON for load balancers",
    "set_language": "the language switch: POST only",
    "dashboard:home": "redirects to the dashboard",
    "dashboard:dashboard_export": "CSV download",
    "studio:analytics_export": "CSV download",
    "dashboard:closure_add": "POST only",
    "dashboard:closure_delete": "POST only",
    "dashboard:offering_add": "POST only",
    "dashboard:admin_add": "POST only",
    "dashboard:admin_remove": "POST only",
    "dashboard:staff_import_confirm": "POST only",
    "dashboard:invite_new": "POST only",
    "dashboard:invite_domains": "POST only",
    "dashboard:invite_qr": "an SVG download (the QR code for a poster)",
    "learners:pause": "POST only",
    "learners:resume": "POST only",
    "learners:reminders": "POST only",
    "learners:data": "JSON download",
    "join_welcome": "redirects to /me/ after joining",
    "discussions:thread_lock": "POST only",
    "discussions:post_delete": "POST only",
    "discussions:post_report": "POST only",
    "discussions:post_moderate": "POST only",
    "discussions:report_resolve": "POST only",
    "lessons:read": "POST only (mark as read)",
    "lessons:unsubscribe_undo": "POST only (the undo on the unsubscribe page)",
    "mfa_download_recovery_codes": "a text file download",
    "studio:course_zip": "the course folder as a zip download",
    "studio:module_move": "POST only",
    "studio:module_delete": "POST only",
    "studio:lesson_move": "POST only",
    "studio:lesson_publish": "POST only",
    "studio:lesson_check": "POST only (JSON for the editor's script)",
    "studio:lesson_test_send": "POST only",
    "studio:version_restore": "POST only",
    "accounts/social/login/cancelled/": "allauth's old address: redirects to accounts/3rdparty/",
    "accounts/social/login/error/": "allauth's old address: redirects to accounts/3rdparty/",
    "accounts/social/signup/": "allauth's old address: redirects to accounts/3rdparty/",
    "accounts/social/connections/": "allauth's old address: redirects to accounts/3rdparty/",
}

# Pages the world does not reach yet, with the reason; the walk checks they are still unreached.
UNREACHED: dict[str, str] = {
    "socialaccount_signup": "needs a sign-in from Entra ID in progress (an outside provider)",
}

# Whole areas outside the brief, by name prefix; not walked.
OUT_OF_SCOPE: dict[str, str] = {
    "admin:": "Django's admin, for platform staff only",
    "admin/": "Django's admin, for platform staff only",
    "mailer:": "the local outbox viewer, only with DEBUG on a developer's machine",
}

# Pages where a later role sees markup the first one does not (moderation tools).
ALSO_AS: dict[str, tuple[str, ...]] = {
    "discussions:thread": ("trainer",),
    "discussions:group": ("trainer",),
}


@dataclass(frozen=True)
class Route:
    pattern: str  # the full route, e.g. "org/<slug:org_slug>/staff/"
    name: str  # "dashboard:staff_list"; the pattern itself when the URL has no name
    namespace: str
    arguments: tuple[str, ...]


def _arguments(pattern: URLPattern) -> tuple[str, ...]:
    return tuple(pattern.pattern.regex.groupindex)


def routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URL pattern, nested includes flattened."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from routes(entry, prefix + str(entry.pattern), inner)
            continue
        full = prefix + str(entry.pattern)
        name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or full)
        # Arguments captured by enclosing includes count too.
        arguments = tuple(dict.fromkeys((*_include_arguments(prefix), *_arguments(entry))))
        yield Route(pattern=full, name=name, namespace=namespace, arguments=arguments)


def _include_arguments(prefix: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", prefix)


def out_of_scope(route: Route) -> str | None:
    for start, reason in OUT_OF_SCOPE.items():
        if route.name.startswith(start) or route.pattern.startswith(start):
            return reason
    return None


def _factory(route: Route, argument: str) -> Callable[[World], object] | None:
    for key in (f"{route.name}:{argument}", f"{route.namespace}:{argument}", argument):
        if key in ARGUMENTS:
            return ARGUMENTS[key]
    return None


def urls_for(route: Route, world: World) -> list[str]:
    """The route's URL for each combination of argument values; KeyError names a missing factory."""
    missing = [argument for argument in route.arguments if _factory(route, argument) is None]
    if missing:
        raise KeyError(", ".join(missing))
    values = []
    for argument in route.arguments:
        factory = _factory(route, argument)
        assert factory is not None
        try:
            value = factory(world)
        except Exception as exc:  # a broken factory is reported with its route, not as a crash
            raise KeyError(f"{argument} (its factory failed: {exc!r})") from exc
        values.append(value if isinstance(value, list) else [value])
    return [
        reverse(route.name, kwargs=dict(zip(route.arguments, combination, strict=True)))
        if route.name != route.pattern
        else "/" + route.pattern
        for combination in itertools.product(*values)
    ]


PAGE_STATUSES = ("200 text/html", "401 text/html")


@dataclass
class Reach:
    """What each role got from a GET of one URL."""

    url: str
    statuses: dict[str, str] = field(default_factory=dict)  # role -> "200 text/html", "302 /accounts/…"

    def pages(self) -> list[str]:
        # 401: allauth's "third-party sign-in failed" page is a page, with that status.
        return [role for role, status in self.statuses.items() if status.startswith(PAGE_STATUSES)]


def reach(url: str, clients: dict[str, Callable[[], Client]], *, every_role: bool) -> Reach:
    """GET ``url`` as each role in turn; unless ``every_role``, stop after the first that gets a page
    (and the roles of ALSO_AS, which the caller passes as every_role)."""
    result = Reach(url)
    for role in ROLES:
        response = clients[role]().get(url)
        detail = response.get("Location", "") if 300 <= response.status_code < 400 else response.get("Content-Type", "")
        result.statuses[role] = f"{response.status_code} {detail.split(';')[0]}".strip()
        if result.pages() and not every_role:
            break
    return result


def roles_to_check(route: Route, found: Reach) -> list[str]:
    """The first role that reaches the page, and any that see more of it (ALSO_AS)."""
    pages = found.pages()
    if not pages:
        return []
    return [pages[0], *(role for role in ALSO_AS.get(route.name, ()) if role in pages and role != pages[0])]


def _named_in_arguments() -> set[str]:
    """URL names that ARGUMENTS keys are specific to ("lessons:answer" of "lessons:answer:token")."""
    names = set()
    for key in ARGUMENTS:
        parts = key.split(":")
        if len(parts) >= 2:
            names.add(":".join(parts[:-1]))
    return names


ARGUMENTS_FOR_NAMES = _named_in_arguments()
