"""How a year's learners behave: who opens, clicks, reads and answers a lesson mail, and when.

Pure Python, no database: ``Learner`` and ``LessonFacts`` describe the people and
the lessons, ``deliver`` turns one (learner, lesson, batch) into the delivery's
timestamps and answer, and the events SendGrid would have posted for it. The
shares are those of a plain corporate e-learning mail, set once here:

* 99.6 % of mails are delivered (the rest stay deferred: no delivered event);
* 10 % of learners read mail in Apple Mail with Privacy Protection, which fetches
  every image on arrival: a machine open (``sg_machine_open``) on every mail and
  no pixel open of their own, so their opens are known from their clicks only;
* the others open a mail with a chance of about 60 %, driven by how engaged the
  learner is (Beta(2.2, 1.5): most are fairly engaged, some hardly at all) and a
  slow decline over the year (-25 % by lesson 150); an opener opens again now
  and then (on average 0.7 more open events);
* about three in four openers answer the question (a click on an answer button,
  then the POST), which completes the lesson; a lesson without a question is
  completed by "Mark as read"; about 15 % of the other openers click through to
  read online, and some of them mark a lesson with a question as read;
* an answer is right with the lesson's own rate (55-92 %) moved by the
  learner's skill (+-10 points).

Times are whole seconds since the epoch (UTC). Delays come from small tables
drawn once, so the hot loop costs a table lookup per delay.
"""

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass

DELIVERED = 0.996
APPLE_PRIVACY = 0.10
EXTRA_OPEN = 0.42  # chance of one more open event, repeated: 0.72 more on average
ANSWER_GIVEN_OPEN = 0.75
CLICK_WITHOUT_ANSWER = 0.15
READ_AFTER_CLICK = 0.30
EXTRA_CLICK = 0.25
_TABLE = 4096


@dataclass(frozen=True)
class Learner:
    index: int
    enrolment_id: int
    organisation: int  # index of the organisation in the data set
    engagement: float
    apple_privacy: bool
    skill: float


@dataclass(frozen=True)
class LessonFacts:
    position: int
    lesson_id: int
    version_id: int
    options: int  # 0: no question, completed by "Mark as read"
    correct_option: int  # 0-based
    right_rate: float


def _table(rng: random.Random, draw: Callable[[random.Random], float]) -> list[int]:
    return [max(1, round(draw(rng))) for _ in range(_TABLE)]


def _open_delay(rng: random.Random) -> float:
    """Minutes after arrival for most, later that day for some, days later for a few."""
    pick = rng.random()
    if pick < 0.55:
        return rng.expovariate(1 / 1800)
    if pick < 0.85:
        return rng.uniform(2 * 3600, 10 * 3600)
    return rng.uniform(86400, 6 * 86400)


class Delays:
    """Tables of delays in seconds, drawn once from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.delivered = _table(rng, lambda r: r.lognormvariate(1.5, 0.8))  # seconds after sending
        self.machine = _table(rng, lambda r: r.uniform(5, 900))  # after arrival
        self.open = _table(rng, _open_delay)
        self.reading = _table(rng, lambda r: r.uniform(40, 420))  # open -> answer or mark as read
        self.click_lead = _table(rng, lambda r: r.uniform(5, 40))  # click -> the POST
        self.again = _table(rng, lambda r: r.expovariate(1 / 20000))  # a later open or click
        self.webhook = _table(rng, lambda r: r.uniform(2, 30))  # event -> received by the webhook
        self.fold = _table(rng, lambda r: r.uniform(1, 5))  # completion -> counted by the fold


def learners_for(rng: random.Random, *, enrolment_ids: list[int], organisation_of: list[int]) -> list[Learner]:
    return [
        Learner(
            index=i,
            enrolment_id=pk,
            organisation=organisation_of[i],
            engagement=rng.betavariate(2.2, 1.5),
            apple_privacy=rng.random() < APPLE_PRIVACY,
            skill=rng.uniform(-0.10, 0.10),
        )
        for i, pk in enumerate(enrolment_ids)
    ]


@dataclass
class Facts:
    """What happened to one delivery (``None``: it did not happen)."""

    delivered_at: int | None = None
    machine_opened_at: int | None = None
    opened_at: int | None = None
    clicked_at: int | None = None
    read_at: int | None = None
    completed_at: int | None = None
    answer: int | None = None
    correct: bool | None = None
    counted_at: int | None = None
    # (kind, timestamp) of every event SendGrid posted, "processed" first.
    events: list[tuple[str, int]] | None = None


class Behaviour:
    """Turns a sent mail into what its learner did with it."""

    def __init__(self, rng: random.Random, lessons: int) -> None:
        self.rng = rng
        self.random = rng.random
        self.delays = Delays(rng)
        self.lessons = lessons

    def _pick(self, table: list[int]) -> int:
        return table[int(self.random() * _TABLE)]

    def deliver(self, learner: Learner, lesson: LessonFacts, sent_at: int) -> Facts:
        rnd, delays = self.random, self.delays
        facts = Facts(events=[("processed", sent_at)])
        events = facts.events
        assert events is not None
        if rnd() >= DELIVERED:
            return facts
        arrived = sent_at + delays.delivered[int(rnd() * _TABLE)]
        facts.delivered_at = arrived
        events.append(("delivered", arrived))
        if learner.apple_privacy:
            facts.machine_opened_at = arrived + delays.machine[int(rnd() * _TABLE)]
            events.append(("open", facts.machine_opened_at))
        engaged = learner.engagement * (1 - 0.25 * lesson.position / self.lessons)
        if rnd() >= min(0.98, 0.08 + engaged):
            return facts
        seen = arrived + delays.open[int(rnd() * _TABLE)]
        if not learner.apple_privacy:
            facts.opened_at = seen
            events.append(("open", seen))
            while rnd() < EXTRA_OPEN:
                events.append(("open", seen + delays.again[int(rnd() * _TABLE)]))
        done = seen + delays.reading[int(rnd() * _TABLE)]
        if rnd() < ANSWER_GIVEN_OPEN:
            self._complete(facts, learner, lesson, done)
        elif rnd() < CLICK_WITHOUT_ANSWER:
            self._click(facts, seen + delays.click_lead[int(rnd() * _TABLE)])
            if rnd() < READ_AFTER_CLICK:
                self._read(facts, done)
        return facts

    def _click(self, facts: Facts, at: int) -> None:
        assert facts.events is not None
        facts.clicked_at = at
        facts.opened_at = min(facts.opened_at or at, at)  # a click is a person's open
        facts.events.append(("click", at))
        if self.random() < EXTRA_CLICK:
            facts.events.append(("click", at + self._pick(self.delays.again)))

    def _read(self, facts: Facts, at: int) -> None:
        facts.read_at = at
        facts.opened_at = min(facts.opened_at or at, at)

    def _complete(self, facts: Facts, learner: Learner, lesson: LessonFacts, at: int) -> None:
        """An answer (a click on an answer button, then the POST), or "Mark as read" for a lesson
        without a question (reached through the mail's "Read online" link: a click too)."""
        self._click(facts, at - self._pick(self.delays.click_lead))
        facts.completed_at = at
        facts.counted_at = at + self._pick(self.delays.fold)
        if not lesson.options:
            self._read(facts, at)
            return
        right = self.random() < min(0.98, max(0.3, lesson.right_rate + learner.skill))
        facts.correct = right
        if right:
            facts.answer = lesson.correct_option
        else:
            wrong = int(self.random() * (lesson.options - 1))
            facts.answer = wrong if wrong < lesson.correct_option else wrong + 1


class EventIds:
    """SendGrid-shaped ``sg_event_id`` values (22 url-safe characters), drawn in blocks."""

    def __init__(self, rng: random.Random, block: int = 20_000) -> None:
        self.rng = rng
        self.block = block
        self.ids: list[str] = []

    def take(self) -> str:
        if not self.ids:
            raw = base64.urlsafe_b64encode(self.rng.randbytes(18 * self.block)).decode()
            self.ids = [raw[i : i + 22] for i in range(0, len(raw), 24)]
        return self.ids.pop()


def message_id(rng: random.Random) -> str:
    """An ``X-Message-Id`` as SendGrid returns it for one request."""
    return base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")
