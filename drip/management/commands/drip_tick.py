import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone

from drip.tasks import drip_tick
from lessons.models import SendBatch


class Command(BaseCommand):
    help = "Run one scheduler tick now (or --at a moment), synchronously, as beat would; then report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="ISO-8601 moment with offset, e.g. 2027-03-01T08:30:00+01:00")

    def handle(self, *args: object, **options: object) -> None:
        at = _moment(options["at"])
        # The same task beat runs, executed inline: its sends run inline too.
        report = drip_tick.apply(kwargs={"at": at.isoformat()}, throw=True).get()
        batch_ids = report["batches"] + report["requeued"]
        counts = dict(SendBatch.objects.filter(pk__in=batch_ids).values_list("status").annotate(n=Count("deliveries")))
        states = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("sent", "unknown", "failed", "queued", "sending"))
        self.stdout.write(
            f"tick at {report['at']}: planned {report['planned']} deliveries in {len(report['batches'])} batches, "
            f"requeued {len(report['requeued'])}, finished {report['finished']}; deliveries {states}"
        )


def _moment(raw: object) -> dt.datetime:
    if not raw:
        return timezone.now()
    try:
        moment = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        raise CommandError(f"--at must be an ISO-8601 moment like 2027-03-01T08:30:00+01:00, got {raw!r}") from None
    if timezone.is_naive(moment):
        raise CommandError("--at needs a UTC offset, e.g. 2027-03-01T08:30:00+01:00")
    return moment
