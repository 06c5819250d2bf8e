"""From a lesson mail to the lesson's thread, and the digest's unsubscribe link.

The mail's thread link (``lesson_thread``, made by discussions/mail.py) carries the delivery's signed token and
leads here. A signed-in member goes straight to the thread. Anyone else sees the
lesson's summary and one button that mails a sign-in code to the address the
token names, then lands on the thread. GET changes nothing: the code is sent
on the POST, so a link scanner sends no mail.
"""

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.http import token_page
from discussions.digest import digest_opt_out, digest_unsubscribe_resolve
from discussions.models import Group, Thread
from discussions.selectors import group_can_read, thread_post_count
from discussions.services import group_for_enrolment, lesson_thread
from lessons.models import Delivery
from lessons.selectors import delivery_from_token


def _thread_of(delivery: Delivery) -> tuple[Group, Thread]:
    enrolment = delivery.enrolment
    group = group_for_enrolment(enrolment=enrolment)
    return group, lesson_thread(group=group, lesson_id=delivery.lesson_id)


@never_cache
@csrf_exempt  # like lessons' token POSTs: the token is the credential, and it only mails its owner a code
@require_http_methods(["GET", "POST"])
def mail_thread(request: HttpRequest, token: str) -> HttpResponse:
    delivery = delivery_from_token(token)
    group, thread = _thread_of(delivery)
    thread_url = reverse("discussions:thread", args=[thread.pk])
    learner = delivery.enrolment.membership.user
    if request.user.is_authenticated and group_can_read(user=request.user, group=group):  # type: ignore[arg-type]
        return token_page(redirect(thread_url))
    if request.user.is_authenticated and request.user.pk == learner.pk:
        raise Http404("You are no longer a member of this group.")
    if request.method == "POST":
        # allauth's own login-by-code flow: it makes, mails, checks and rate-limits the code.
        LoginCodeVerificationProcess.initiate(request=request, user=learner, email=learner.email)
        return token_page(redirect(f"{reverse('account_confirm_login_code')}?{urlencode({'next': thread_url})}"))
    context = {
        "token": token,
        "course": delivery.enrolment.course,
        "version": delivery.version,
        "email": learner.email,
        "post_count": thread_post_count(thread=thread),
    }
    return token_page(render(request, "discussions/mail_sign_in.html", context))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST unsubscribes from that digest. The signed token is the credential."""
    resolved = digest_unsubscribe_resolve(token)
    if resolved is None:
        raise Http404("This link is not valid.")
    done = request.method == "POST"
    if done:
        digest_opt_out(user_id=resolved[0], kind=resolved[1])
    return token_page(render(request, "discussions/digest_unsubscribe.html", {"done": done, "kind": resolved[1]}))
