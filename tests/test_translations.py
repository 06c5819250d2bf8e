"""The Dutch catalogue is complete and its compiled .mo matches the .po we ship."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
# msgids our templates share with allauth: its own Dutch catalogue translates them.
FROM_ALLAUTH = {
    "Hello from %(site_name)s!",
    "This mail can be safely ignored if you did not initiate this action.",
    "Sign-In Code",
}


def entries() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, is_plural) for every entry of the .po file."""
    result, current, key = [], {}, None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")):
            key, _, value = line.partition(" ")
            current[key] = json.loads(value)
        elif line.startswith('"') and key:
            current[key] += json.loads(line)
        elif not line.strip() and current:
            if current.get("msgid"):
                translated = current.get("msgstr", current.get("msgstr[0]", ""))
                result.append((current["msgid"], translated, "msgid_plural" in current))
            current, key = {}, None
        elif line.startswith("msgstr[1]"):
            key = "msgstr[1]"
            current[key] = json.loads(line.partition(" ")[2])
    return result


def test_every_message_has_a_dutch_translation():
    missing = [msgid for msgid, msgstr, _ in entries() if not msgstr and msgid not in FROM_ALLAUTH]
    assert missing == []
    assert len(entries()) > 200


def test_the_compiled_catalogue_matches_the_po_file():
    with translation.override("nl"):
        stale = [
            msgid
            for msgid, msgstr, plural in entries()
            if msgstr and not plural and "%" not in msgid and translation.gettext(msgid) != msgstr
        ]
        for msgid in FROM_ALLAUTH - {"Hello from %(site_name)s!"}:
            assert translation.gettext(msgid) != msgid
    assert stale == [], "run `make messages` to recompile locale/nl"
