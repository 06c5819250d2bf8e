"""SendGrid's documented Mail Send rules, checked on every request (each cites its page)."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import TypeGuard

from tests.fake_sendgrid.shapes import _HELP_URL, JSONDict, _error

# -- SendGrid's documented Mail Send rules ------------------------------------------------
#
# Each rule below cites the page that documents it:
# [errors]      https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors
#               (the parameter-level error table; every error there is a 400, encoding a 415)
# [limitations] https://docs.sendgrid.com/api-reference/mail-send/limitations
# [request]     https://docs.sendgrid.com/api-reference/mail-send/mail-send
#               (request body parameters: types, minimums and maximums)
# Each violation is one SendGrid-shaped error, {"message", "field", "help"}; like SendGrid,
# the fake reports as many as it finds in one answer. Rules SendGrid checks against the
# account (template, IP pool and ASM group ids, the sender's verification) and parameters
# Druppel never sends (attachments, send_at, batch_id, asm, mail_settings) are not modelled.

# [errors] personalizations; [request] personalizations "Min 1, Max 1000".
MAX_PERSONALIZATIONS = 1000
# [errors] "There is a limit of 1000 total recipients (to + cc + bcc) per request"; [limitations].
MAX_RECIPIENTS = 1000
# [errors] "The To email exceeds the maximum total length of 320 characters" (also cc, bcc, from).
MAX_ADDRESS_LENGTH = 320
# [errors] personalizations.custom_args: "The combined size of both global and personalization
# custom arguments may not exceed 10,000 bytes per personalization"; [limitations]. SendGrid does
# not say how it counts; the fake counts the merged object as compact UTF-8 JSON.
MAX_CUSTOM_ARGS_BYTES = 10_000
# [request] personalizations.substitutions: "Max 100 substitutions, or 10K bytes, per
# personalization object" (counted like custom_args).
MAX_SUBSTITUTIONS = 100
MAX_SUBSTITUTION_BYTES = 10_000
# [errors] categories: at most 10, each at most 255 characters, unique, ASCII.
MAX_CATEGORIES = 10
MAX_CATEGORY_LENGTH = 255
# [errors] headers and personalizations.headers: "Header can not be one of the reserved keys"
# (the same list is in [request] under headers). Header names are case-insensitive in mail, so
# the fake compares them case-insensitively.
RESERVED_HEADERS = frozenset(
    name.lower()
    for name in (
        "x-sg-id", "x-sg-eid", "received", "dkim-signature", "Content-Type", "Content-Transfer-Encoding",
        "To", "From", "Subject", "Reply-To", "CC", "BCC",
    )
)  # fmt: skip


_SPACE = re.compile(r"\s")


def _invalid(message: str, field_name: str) -> JSONDict:
    """A validation error; its help link points at the [errors] table's row, as SendGrid's do."""
    anchor = ".".join(part for part in field_name.split(".") if not part.isdigit())
    return _error(message, field_name, f"{_HELP_URL}#message.{anchor}")


def _looks_like_email(value: object) -> TypeGuard[str]:
    if not isinstance(value, str):
        return False
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain and " " not in value)


def _string_map(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(type(item) is str for item in value.values())


def _over(value: dict[str, str], limit: int) -> bool:
    """Whether ``value`` is more than ``limit`` bytes as compact UTF-8 JSON. A character takes at
    most 6 bytes there (\\uXXXX), so a small object is known to fit without encoding it."""
    chars = sum(map(len, value)) + sum(map(len, value.values()))
    if 6 * chars + 6 * len(value) + 2 <= limit:
        return False
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()) > limit


def _new_message_id() -> str:
    # 16 random bytes are exactly 22 url-safe base64 characters.
    return secrets.token_urlsafe(16)


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value)


@dataclass
class _Checked:
    """What one pass over a request found."""

    errors: list[JSONDict] = field(default_factory=list)
    rejections: list[JSONDict] = field(default_factory=list)
    reject_status: int = 0
    # Lower-cased address -> the field that named it first ([errors]: each address once per request).
    seen: dict[str, str] = field(default_factory=dict)
    recipients: int = 0

    def add(self, message: str, field_name: str) -> None:
        self.errors.append(_invalid(message, field_name))


def _check_message(body: JSONDict, rejected: dict[str, int]) -> tuple[int, list[JSONDict]]:
    """Validate a mail-send body against SendGrid's documented rules; (status, errors), 202 when fine.

    One pass over the personalizations, so the cost is linear in the size of the request.
    Validation errors win over rejected recipients (``reject_recipients``).
    """
    checked = _Checked()
    personalizations = _check_personalization_list(body, checked)
    shared_args = body.get("custom_args")
    _check_custom_args(shared_args, "custom_args", checked)
    shared_over = _string_map(shared_args) and _over(shared_args, MAX_CUSTOM_ARGS_BYTES)
    for index, personalization in enumerate(personalizations):
        _check_personalization(personalization, f"personalizations.{index}", checked, rejected)
        if isinstance(personalization, dict):
            _check_merged_custom_args(shared_args, shared_over, personalization, f"personalizations.{index}", checked)
    if checked.recipients > MAX_RECIPIENTS:
        # [errors] personalizations; [limitations] "The total number of recipients must be no more than 1000".
        checked.add("There is a limit of 1000 total recipients (to + cc + bcc) per request.", "personalizations")
    _check_sender(body, checked)
    _check_subject(body, personalizations, checked)
    _check_content(body, checked)
    _check_headers(body.get("headers"), "headers", checked)
    _check_categories(body.get("categories"), checked)
    if checked.errors:
        return 400, checked.errors
    if checked.rejections:
        return checked.reject_status, checked.rejections
    return 202, []


def _check_personalization_list(body: JSONDict, checked: _Checked) -> list[object]:
    """[errors] personalizations: at least one, at most 1,000 (past that nothing else is looked at)."""
    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        checked.add(
            "The personalizations field is required and must have at least one personalization.", "personalizations"
        )
        return []
    if len(personalizations) > MAX_PERSONALIZATIONS:
        checked.add(
            f"The personalization block is limited to {MAX_PERSONALIZATIONS} personalizations per API request. "
            f"You have provided {len(personalizations)} personalizations. Please consider splitting this into "
            "multiple requests and resending your request.",
            "personalizations",
        )
        return []
    return personalizations


def _check_personalization(personalization: object, prefix: str, checked: _Checked, rejected: dict[str, int]) -> None:
    if not isinstance(personalization, dict):
        checked.add("Each personalization must be an object.", prefix)
        return
    to = personalization.get("to")
    if not isinstance(to, list) or not to:
        # [errors] personalizations: "The to parameter is required for all personalization objects."
        checked.add(
            "The to array is required for all personalization objects, and must have "
            "at least one email object with a valid email address.",
            f"{prefix}.to",
        )
    for kind in ("to", "cc", "bcc"):
        entries = personalization.get(kind)
        if entries is None or (kind == "to" and not (isinstance(entries, list) and entries)):
            continue
        if not isinstance(entries, list):
            checked.add(f"The {kind} array, when used, must be an array of email objects.", f"{prefix}.{kind}")
            continue
        for index, entry in enumerate(entries):
            _check_recipient(entry, kind, f"{prefix}.{kind}", index, checked, rejected)
    subject = personalization.get("subject")
    if subject is not None and not _nonempty_str(subject):
        # [errors] personalizations.subject
        checked.add("The subject of your email must be a string at least one character in length.", f"{prefix}.subject")
    _check_headers(personalization.get("headers"), f"{prefix}.headers", checked)
    _check_substitutions(personalization.get("substitutions"), f"{prefix}.substitutions", checked)


def _check_recipient(
    entry: object, kind: str, list_field: str, index: int, checked: _Checked, rejected: dict[str, int]
) -> None:
    """[errors] personalizations.to/cc/bcc: a valid address of at most 320 characters, named once per
    request; [limitations] and [request]: a name without ``;`` or ``,``."""
    checked.recipients += 1
    field_name = f"{list_field}.{index}"
    email = entry.get("email") if isinstance(entry, dict) else None
    if not isinstance(entry, dict) or not _looks_like_email(email):
        checked.add("Does not contain a valid address.", f"{field_name}.email")
        return
    if len(email) > MAX_ADDRESS_LENGTH:
        checked.add(
            f"The {kind.capitalize()} email exceeds the maximum total length of 320 characters", f"{field_name}.email"
        )
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or ";" in name or "," in name):
        checked.add(f"The {kind}.name may not contain ';' or ',' characters.", f"{field_name}.name")
    key = email.lower()
    if key in checked.seen:
        # [errors] personalizations: the duplicate rule that Druppel's planner relies on.
        checked.add(
            f"Each unique email address in the personalizations array should only be included once. "
            f"You have included {email} more than once (duplicate of {checked.seen[key]}).",
            list_field,
        )
    else:
        checked.seen[key] = field_name
    status = rejected.get(key) if rejected and kind == "to" else None
    if status is not None:
        checked.reject_status = checked.reject_status or status
        checked.rejections.append(_error("Does not contain a valid address.", f"{field_name}.email"))


def _check_sender(body: JSONDict, checked: _Checked) -> None:
    """[errors] from, reply_to: an email object with a valid address of at most 320 characters."""
    sender = body.get("from")
    if not isinstance(sender, dict) or not _looks_like_email(sender.get("email")):
        checked.add(
            "The from object must be provided for every email send. It is an object that "
            "requires the email parameter, but may also contain a name parameter.",
            "from.email" if isinstance(sender, dict) else "from",
        )
    elif len(sender["email"]) > MAX_ADDRESS_LENGTH:
        checked.add("The From email exceeds the maximum total length of 320 characters", "from.email")
    reply_to = body.get("reply_to")
    if reply_to is not None and not (isinstance(reply_to, dict) and _looks_like_email(reply_to.get("email"))):
        checked.add(
            "The reply_to object, when used, must at least have an email parameter with a valid email address "
            "and it may also contain a name parameter.",
            "reply_to",
        )


def _has_template(body: JSONDict) -> bool:
    return _nonempty_str(body.get("template_id"))


def _check_subject(body: JSONDict, personalizations: list[object], checked: _Checked) -> None:
    """[errors] subject: a non-empty string, required unless a template or every personalization has one."""
    subject = body.get("subject")
    if subject is not None and not _nonempty_str(subject):
        checked.add("The subject of your email must be a string at least one character in length.", "subject")
        return
    every_personalization_has_one = bool(personalizations) and all(
        isinstance(p, dict) and _nonempty_str(p.get("subject")) for p in personalizations
    )
    if subject is None and not _has_template(body) and not every_personalization_has_one:
        checked.add(
            "The subject is required. You can get around this requirement if you use a "
            "template with a subject defined or if every personalization has a subject defined.",
            "subject",
        )


def _check_content(body: JSONDict, checked: _Checked) -> None:
    """[errors] content, content.type, content.value: at least one block unless a template is used; each
    with a type (no ``;`` or CRLF) and a non-empty value; text/plain first, then text/html."""
    content = body.get("content")
    if content is None:
        if not _has_template(body):
            checked.add(
                "Unless a valid template_id is provided, the content parameter is required. "
                "There must be at least one defined content block.",
                "content",
            )
        return
    if not isinstance(content, list) or (not content and not _has_template(body)):
        checked.add("The content parameter must be a list of content blocks.", "content")
        return
    types = []
    for index, block in enumerate(content):
        kind = block.get("type") if isinstance(block, dict) else None
        if not isinstance(block, dict) or not isinstance(kind, str) or not kind:
            checked.add("The content type must be provided.", f"content.{index}.type")
            continue
        if any(char in kind for char in ";\r\n"):
            checked.add("Cannot contain ';', or CRLF characters.", f"content.{index}.type")
        if not _nonempty_str(block.get("value")):
            checked.add(
                "The content value must be a string at least one character in length.", f"content.{index}.value"
            )
        types.append(kind.lower())
    expected = [kind for kind in ("text/plain", "text/html") if kind in types]
    if types[: len(expected)] != expected:
        checked.add(
            "Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: "
            "text/plain needs to be first, followed by text/html, followed by any other content.",
            "content",
        )


def _check_headers(headers: object, field_name: str, checked: _Checked) -> None:
    """[errors] headers, personalizations.headers: string values, ASCII keys without spaces, no key
    twice, none of the reserved keys."""
    if headers is None:
        return
    if not isinstance(headers, dict):
        checked.add("The headers must be an object of header names and values.", field_name)
        return
    seen: set[str] = set()
    for name, value in headers.items():
        if not name or not name.isascii() or _SPACE.search(name):
            checked.add("Header keys cannot contain non-ASCII characters and empty spaces.", field_name)
        elif name.lower() in RESERVED_HEADERS:
            checked.add(f"Header can not be one of the reserved keys ({name}).", field_name)
        elif name.lower() in seen:
            checked.add("The headers cannot contain duplicate keys.", field_name)
        if not isinstance(value, str):
            checked.add("The header values must be strings.", field_name)
        seen.add(name.lower())


def _check_custom_args(args: object, field_name: str, checked: _Checked) -> None:
    """[errors] personalizations.custom_args: a non-empty object of strings."""
    if args is None:
        return
    if not isinstance(args, dict) or not args:
        checked.add("custom_args cannot be empty, and must be an object.", field_name)
    elif not _string_map(args):
        checked.add("All values of custom arguments object must be strings", field_name)


def _check_merged_custom_args(
    shared: object, shared_over: bool, personalization: JSONDict, prefix: str, checked: _Checked
) -> None:
    own = personalization.get("custom_args")
    _check_custom_args(own, f"{prefix}.custom_args", checked)
    if own is None:
        over = shared_over
    elif _string_map(own):
        # The personalization's keys win, as SendGrid merges them.
        over = _over({**shared, **own} if _string_map(shared) else own, MAX_CUSTOM_ARGS_BYTES)
    else:
        over = False
    if over:
        checked.add(
            "The combined size of both global and personalization custom arguments may not exceed "
            "10,000 bytes per personalization.",
            f"{prefix}.custom_args",
        )


def _check_substitutions(substitutions: object, field_name: str, checked: _Checked) -> None:
    """[errors] personalizations.substitutions: an object of strings; [request]: at most 100, 10K bytes."""
    if substitutions is None:
        return
    if not _string_map(substitutions):
        checked.add(
            "The substitution values must be an object of key/value pairs, where the values are all strings.",
            field_name,
        )
        return
    if len(substitutions) > MAX_SUBSTITUTIONS or _over(substitutions, MAX_SUBSTITUTION_BYTES):
        checked.add(
            "You may not include more than 100 substitutions per personalization object, and the total "
            "collective size of your substitutions may not exceed 10,000 bytes per personalization object.",
            field_name,
        )


def _check_categories(categories: object, checked: _Checked) -> None:
    """[errors] categories: an array of at most 10 unique ASCII strings of at most 255 characters."""
    if categories is None:
        return
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        checked.add("Categories must be an array of strings.", "categories")
        return
    if len(categories) > MAX_CATEGORIES:
        checked.add(
            f"There is a limit of {MAX_CATEGORIES} categories for each email that is sent. "
            f"You provided {len(categories)} categories.",
            "categories",
        )
    seen: set[str] = set()
    for category in categories:
        if len(category) > MAX_CATEGORY_LENGTH:
            checked.add(
                f"Each category must not be longer than 255 characters. {category[:40]}… exceeds this limit",
                "categories",
            )
        if not category.isascii():
            checked.add("Categories can not contain non-ASCII characters.", "categories")
        if category in seen:
            checked.add(
                f"The categories must be a unique list, and you have included {category} more than once.", "categories"
            )
        seen.add(category)
