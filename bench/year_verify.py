"""Check a freshly built year: the stored aggregates must agree with the delivery rows.

Each check recounts from ``lessons_delivery`` what the product keeps in a
counter, and counts the rows where the two differ (0 is the only good answer):
LessonStats per organisation and lesson (delivered too), AnswerCount per option,
WeeklyLessonCompletion per local week, each enrolment's lessons sent and
completed, EnrolmentStats (a missing row means zeros), DailyCompletion per
organisation and local day (the organisation's time zone), one certificate per
enrolment that completed every lesson, and the events against the delivery
timestamps they set. A build whose year disagrees with itself fails.
"""

import psycopg

_PER_LESSON = """
WITH counted AS (
    SELECT m.organisation_id, d.lesson_id, count(*) AS sent, count(d.opened_at) AS opened, count(d.read_at) AS read,
           count(d.counted_at) AS completed, count(*) FILTER (WHERE d.counted_at IS NOT NULL AND d.answer_correct)
           AS correct, count(d.delivered_at) AS delivered
    FROM lessons_delivery d JOIN courses_enrolment e ON e.id = d.enrolment_id
    JOIN organisations_membership m ON m.id = e.membership_id GROUP BY 1, 2)
SELECT count(*) FROM counted c FULL JOIN lessons_lessonstats s
    ON s.organisation_id = c.organisation_id AND s.lesson_id = c.lesson_id
WHERE (c.sent, c.opened, c.read, c.completed, c.correct, c.delivered)
    IS DISTINCT FROM (s.sent, s.opened, s.read, s.completed, s.correct, s.delivered)
"""
_PER_OPTION = """
WITH counted AS (
    SELECT m.organisation_id, d.lesson_id, d.answer, count(*) AS n
    FROM lessons_delivery d JOIN courses_enrolment e ON e.id = d.enrolment_id
    JOIN organisations_membership m ON m.id = e.membership_id
    WHERE d.counted_at IS NOT NULL AND d.answer IS NOT NULL GROUP BY 1, 2, 3)
SELECT count(*) FROM counted c FULL JOIN lessons_answercount s
    ON (s.organisation_id, s.lesson_id, s.option) = (c.organisation_id, c.lesson_id, c.answer)
WHERE c.n IS DISTINCT FROM s.chosen
"""
_PER_WEEK = """
WITH counted AS (
    SELECT m.organisation_id, d.lesson_id, date_trunc('week', d.completed_at AT TIME ZONE o.timezone)::date AS week,
           count(*) AS n
    FROM lessons_delivery d JOIN courses_enrolment e ON e.id = d.enrolment_id
    JOIN organisations_membership m ON m.id = e.membership_id
    JOIN organisations_organisation o ON o.id = m.organisation_id
    WHERE d.counted_at IS NOT NULL GROUP BY 1, 2, 3)
SELECT count(*) FROM counted c FULL JOIN lessons_weeklylessoncompletion s
    ON (s.organisation_id, s.lesson_id, s.week) = (c.organisation_id, c.lesson_id, c.week)
WHERE c.n IS DISTINCT FROM s.completed
"""
_PER_ENROLMENT = """
WITH counted AS (
    SELECT enrolment_id, count(*) AS sent, count(completed_at) AS completed, count(opened_at) AS opened,
           count(read_at) AS read, count(*) FILTER (WHERE counted_at IS NOT NULL AND answer_correct) AS correct
    FROM lessons_delivery GROUP BY 1)
SELECT count(*) FROM courses_enrolment e LEFT JOIN counted c ON c.enrolment_id = e.id
    LEFT JOIN lessons_enrolmentstats s ON s.enrolment_id = e.id
WHERE (e.lessons_sent, e.lessons_completed, coalesce(s.opened, 0), coalesce(s.read, 0), coalesce(s.correct, 0))
    IS DISTINCT FROM (coalesce(c.sent, 0), coalesce(c.completed, 0), coalesce(c.opened, 0), coalesce(c.read, 0),
                      coalesce(c.correct, 0))
"""
_PER_DAY = """
WITH counted AS (
    SELECT m.organisation_id, e.course_id, (d.completed_at AT TIME ZONE o.timezone)::date AS day, count(*) AS n
    FROM lessons_delivery d JOIN courses_enrolment e ON e.id = d.enrolment_id
    JOIN organisations_membership m ON m.id = e.membership_id
    JOIN organisations_organisation o ON o.id = m.organisation_id
    WHERE d.counted_at IS NOT NULL GROUP BY 1, 2, 3)
SELECT count(*) FROM counted c FULL JOIN lessons_dailycompletion s
    ON (s.organisation_id, s.course_id, s.day) = (c.organisation_id, c.course_id, c.day)
WHERE c.n IS DISTINCT FROM s.completed
"""
_CERTIFICATES = """
SELECT count(*) FROM courses_enrolment e LEFT JOIN courses_certificate c ON c.enrolment_id = e.id
WHERE (e.lessons_completed = e.lessons_sent AND e.lessons_sent > 0) IS DISTINCT FROM (c.id IS NOT NULL)
"""
_EVENTS = """
WITH per_delivery AS (
    SELECT delivery_id, count(*) FILTER (WHERE kind = 'delivered') AS delivered,
           count(*) FILTER (WHERE kind = 'click') AS clicks FROM mailer_providerevent GROUP BY 1)
SELECT count(*) FROM lessons_delivery d LEFT JOIN per_delivery p ON p.delivery_id = d.id
WHERE (d.delivered_at IS NOT NULL) IS DISTINCT FROM (coalesce(p.delivered, 0) = 1)
   OR (d.clicked_at IS NOT NULL) IS DISTINCT FROM (coalesce(p.clicks, 0) > 0)
"""
CHECKS = {
    "lesson_stats": _PER_LESSON,
    "enrolments_and_enrolment_stats": _PER_ENROLMENT,
    "daily_completions": _PER_DAY,
    "answer_counts": _PER_OPTION,
    "weekly_completions": _PER_WEEK,
    "certificates": _CERTIFICATES,
}


def year_verify(url: str, *, events_complete: bool) -> dict[str, int]:
    """Rows that disagree, per check; raises when any does. The events check only when every event is kept."""
    checks = {**CHECKS, **({"events": _EVENTS} if events_complete else {})}
    with psycopg.connect(url) as connection:
        connection.execute("SET work_mem = '256MB'")
        wrong = {name: connection.execute(sql).fetchone()[0] for name, sql in checks.items()}  # type: ignore[index,arg-type]
    if any(wrong.values()):
        raise RuntimeError(f"the year's aggregates disagree with its deliveries: {wrong}")
    return wrong
