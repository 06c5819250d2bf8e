"""Read-side queries of the discussion group. Access is decided here, once, for every view."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from courses.models import Enrolment, Offering
from discussions.models import Group, Post, Report, Thread
from lessons.models import Delivery


def external_group_url(*, group: Group, enrolment: Enrolment | None) -> str:
    """The outside group (Teams, Facebook…) to show: the reader's organisation's own, else the course's."""
    organisation_id = group.organisation_id or (enrolment.membership.organisation_id if enrolment else None)
    own = ""
    if organisation_id is not None:
        offering = Offering.objects.filter(organisation_id=organisation_id, course_id=group.course_id).first()
        own = offering.external_group_url if offering else ""
    return own or group.course.external_group_url


def is_moderator(user: User) -> bool:
    """Trainers and platform staff read and moderate every group."""
    return bool(user.is_authenticated and (user.is_trainer or user.is_staff))


def _memberships_in(group: Group) -> QuerySet[Enrolment]:
    """Enrolments that make their person a member of the group."""
    enrolments = Enrolment.objects.filter(course_id=group.course_id, membership__is_active=True).exclude(
        status=Enrolment.Status.STOPPED
    )
    if group.organisation_id is not None:
        return enrolments.filter(membership__organisation_id=group.organisation_id)
    private = Offering.objects.filter(
        organisation_id=OuterRef("membership__organisation_id"), course_id=group.course_id, private_group=True
    )
    return enrolments.exclude(Exists(private))


def member_enrolment(*, user: User, group: Group) -> Enrolment | None:
    """The learner's enrolment that admits them to this group, or None."""
    if not user.is_authenticated:
        return None
    return _memberships_in(group).filter(membership__user=user).select_related("membership").first()


def group_can_read(*, user: User, group: Group) -> bool:
    return is_moderator(user) or member_enrolment(user=user, group=group) is not None


def _admit(*, user: User, group: Group) -> Enrolment | None:
    """The reader's enrolment (None for a moderator); 404 for anyone outside the group."""
    if is_moderator(user):
        return None
    enrolment = member_enrolment(user=user, group=group)
    if enrolment is None:
        raise Http404("Not found.")
    return enrolment


def group_for_user(*, user: User, group_id: int) -> tuple[Group, Enrolment | None]:
    """The group and the reader's enrolment, or 404 for anyone outside it (never 403)."""
    group = Group.objects.select_related("course", "organisation").filter(pk=group_id).first()
    if group is None:
        raise Http404("No such group.")
    return group, _admit(user=user, group=group)


def thread_for_user(*, user: User, thread_id: int) -> tuple[Thread, Enrolment | None]:
    thread = (
        Thread.objects.select_related("group__course", "group__organisation", "lesson__current_version")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None:
        raise Http404("No such thread.")
    return thread, _admit(user=user, group=thread.group)


def post_for_user(*, user: User, post_id: int) -> Post:
    post = Post.objects.select_related("thread__group").filter(pk=post_id).first()
    if post is None or not group_can_read(user=user, group=post.thread.group):
        raise Http404("No such post.")
    if post.hidden_at is not None and not is_moderator(user):
        raise Http404("No such post.")
    return post


def visible_posts(*, moderator: bool) -> QuerySet[Post]:
    """Posts a reader may see: moderators also see hidden ones (marked as such)."""
    posts = Post.objects.all()
    return posts if moderator else posts.filter(hidden_at__isnull=True)


def thread_posts(*, thread: Thread, moderator: bool) -> QuerySet[Post]:
    """Top-level posts with their replies, authors and organisations: three queries whatever the size."""
    people = ("author", "author_organisation")
    replies = visible_posts(moderator=moderator).select_related(*people).order_by("created_at", "pk")
    return (
        visible_posts(moderator=moderator)
        .filter(thread=thread, parent__isnull=True)
        .select_related(*people)
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("-pinned", "created_at", "pk")
    )


def group_threads(*, group: Group, enrolment: Enrolment | None = None) -> QuerySet[Thread]:
    """Lesson threads in lesson order, then free threads, newest first, with visible post counts.

    For a learner (``enrolment``) only the threads of lessons already sent to them, and the free
    threads: a later lesson's thread would give its content away. Moderators (None) see all.
    """
    shown = Q(posts__hidden_at__isnull=True, posts__deleted_at__isnull=True)
    threads = Thread.objects.filter(group=group)
    if enrolment is not None:
        received = Delivery.objects.filter(enrolment=enrolment, lesson_id=OuterRef("lesson_id"), sent_at__isnull=False)
        threads = threads.filter(Q(lesson__isnull=True) | Exists(received))
    return (
        threads.select_related("lesson__current_version")
        .annotate(post_count=Count("posts", filter=shown))
        .order_by("lesson__position", "-created_at")
    )


def thread_post_count(*, thread: Thread) -> int:
    return Post.objects.filter(thread=thread, hidden_at__isnull=True, deleted_at__isnull=True).count()


def open_reports() -> QuerySet[Report]:
    """The trainers' queue: unresolved reports, oldest first."""
    return (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("post__thread__group__course", "post__author", "reporter")
        .order_by("created_at")
    )


def unanswered_questions() -> QuerySet[Post]:
    """Visible top-level posts by learners that no trainer has replied to and that have no answer."""
    trainer_reply = Post.objects.filter(parent=OuterRef("pk"), author_is_trainer=True, hidden_at__isnull=True)
    return (
        Post.objects.filter(
            parent__isnull=True, author_is_trainer=False, hidden_at__isnull=True, deleted_at__isnull=True
        )
        .exclude(Exists(trainer_reply))
        .select_related("thread__group__course", "thread__lesson__current_version", "author")
        .order_by("created_at")
    )


def lesson_post_counts(*, lesson_id: int, organisation_ids: set[int], private: set[int]) -> dict[int, int]:
    """Visible posts in each organisation's group's thread of a lesson, in one query.

    ``private`` are the organisations with a private group; the others read the shared one.
    """
    shown = Q(posts__hidden_at__isnull=True, posts__deleted_at__isnull=True)
    rows = (
        Thread.objects.filter(lesson_id=lesson_id)
        .filter(Q(group__organisation__isnull=True) | Q(group__organisation_id__in=private & organisation_ids))
        .annotate(n=Count("posts", filter=shown))
        .values_list("group__organisation_id", "n")
    )
    shared = 0
    counts: dict[int, int] = {}
    for organisation_id, n in rows:
        if organisation_id is None:
            shared = n
        else:
            counts[organisation_id] = n
    return {pk: counts.get(pk, 0) if pk in private else shared for pk in organisation_ids}
