"""Every page a learner, an organisation admin and a trainer can reach, every error page and every
mail, checked by published checkers: axe-core in Chromium (no critical or serious violation)
and the Nu Html Checker (no error). The pages come from the URL resolver, not from a list.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests.standards import mails, walk
from tests.standards.audit import OUT, Audit
from tests.standards.axe import BLOCKING, describe
from tests.standards.nu import nu_check

pytestmark = pytest.mark.browser

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Page templates the walk does not reach, with the reason.
TEMPLATES_NOT_WALKED = {
    "mailer/outbox.html": "the outbox viewer exists only with DEBUG on a developer's machine",
    "dashboard/staff_import_done.html": "only a second POST of an import's confirmation shows it "
    "(tests/dashboard/test_staff_import_preview.py)",
}


def _keep(name: str, lines: list[str]) -> None:
    """The moderate and minor findings, for a person to read after the run."""
    (OUT / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _report(audit: Audit, kinds: tuple[str, ...]) -> tuple[list[str], list[str]]:
    blocking: list[str] = []
    other: list[str] = []
    for item in audit.checked:
        if item.kind not in kinds:
            continue
        for violation in item.violations:
            line = f"{item.label}: {describe(violation)}"
            (blocking if violation["impact"] in BLOCKING else other).append(line)
    return blocking, other


def test_every_get_url_is_checked_or_excluded_with_a_reason(audit: Audit) -> None:
    print(f"\n{len(audit.checked)} pages and mails checked; seconds per phase: {audit.seconds}")
    assert not audit.problems, "\n".join(audit.problems)
    names = {route.name for route in walk.routes()} | {route.namespace for route in walk.routes()}
    stale = sorted((set(walk.NOT_PAGES) | set(walk.UNREACHED) | set(walk.ARGUMENTS_FOR_NAMES)) - names)
    assert not stale, f"NOT_PAGES, UNREACHED or ARGUMENTS name URLs that no longer exist: {stale}"
    assert sum(item.kind == "page" for item in audit.checked) >= 40


def test_no_page_has_a_critical_or_serious_accessibility_violation(audit: Audit) -> None:
    blocking, other = _report(audit, ("page", "error page"))
    print("\naxe, moderate and minor on pages:\n" + "\n".join(other))
    _keep("axe-pages.txt", other)
    assert not blocking, "\n".join(blocking)


def test_no_mail_has_a_critical_or_serious_accessibility_violation(audit: Audit) -> None:
    blocking, other = _report(audit, ("mail",))
    print("\naxe, moderate and minor in mails:\n" + "\n".join(other))
    _keep("axe-mails.txt", other)
    assert not blocking, "\n".join(blocking)


def test_every_page_and_mail_is_valid_html_to_the_nu_checker(audit: Audit) -> None:
    messages = nu_check(audit.files)
    warnings = [str(m) for m in messages if m.type != "error"]
    print("\nNu warnings:\n" + "\n".join(warnings))
    _keep("nu-warnings.txt", warnings)
    errors = [str(m) for m in messages if m.type == "error"]
    assert not errors, f"{len(errors)} HTML errors (files in var/standards/):\n" + "\n".join(errors)


def test_every_mail_kind_is_rendered_through_its_sending_code(audit: Audit) -> None:
    kinds = mails.mail_kinds()
    assert kinds - set(mails.MAILS) == set(), "add a renderer to MAILS in tests/standards/mails.py"
    assert set(mails.MAILS) - kinds == set(), "MAILS names a mail kind whose templates are gone"
    checked = {item.label.removeprefix("mail ") for item in audit.checked if item.kind == "mail"}
    assert checked | set(audit.text_only) == kinds
    print(f"\nmails without an HTML part (nothing for axe or Nu to check): {sorted(audit.text_only)}")


def test_every_mail_table_is_a_data_table_or_marked_as_layout(audit: Audit) -> None:
    """Screen readers announce a table's rows and columns: a table for layout must say role="presentation"."""
    unmarked = {
        item.label: count
        for item in audit.checked
        if item.kind == "mail" and (count := mails.layout_tables_unmarked(item.file.read_text(encoding="utf-8")))
    }
    assert not unmarked, f"tables without <th> and without role=presentation: {unmarked}"


def test_every_page_template_is_rendered_by_the_walk(audit: Audit) -> None:
    pages = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if path.relative_to(TEMPLATES).parts[0] not in ("emails", "account")
    }
    missed = sorted(pages - audit.templates - set(TEMPLATES_NOT_WALKED))
    assert not missed, f"page templates no visit rendered (give the world the state that shows them): {missed}"
