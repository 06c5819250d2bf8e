"""Browse the local outbox in DEBUG, so a developer can click through demo mails."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_replace
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from mailer.outbox import mail_html, outbox_dir, outbox_mails, read_mail


def outbox_list(request: HttpRequest) -> HttpResponse:
    return render(request, "mailer/outbox.html", {"mails": outbox_mails()})


# A mail as a mail client shows it: its CSS is inlined (style attributes) and it may show
# images from anywhere. Still no script. This view exists only with DEBUG.
@csp_replace({"style-src": [UNSAFE_INLINE], "img-src": ["*", "data:"]})  # type: ignore[arg-type]
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    path = outbox_dir() / name
    if path.suffix != ".eml" or path.parent != outbox_dir() or not path.exists():
        raise Http404("No such mail.")
    message = read_mail(path)
    if message is None:
        raise Http404("No such mail.")
    return HttpResponse(mail_html(message))
