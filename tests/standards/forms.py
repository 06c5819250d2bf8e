"""The POST forms of a page, read as a browser would submit them without anyone typing.

Each form's fields as rendered: text inputs with their value, checked boxes and radios only,
a select's selected option (or its first), a textarea's text, and the first submit button's
name and value. File inputs are listed so the caller can supply a file.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    data: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    required_empty: list[str] = field(default_factory=list)
    button: tuple[str, str] | None = None

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def payload(self) -> dict[str, list[str]]:
        data = {name: list(values) for name, values in self.data.items()}
        if self.button and self.button[0]:
            data.setdefault(self.button[0], []).append(self.button[1])
        return data


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str], bool] | None = None  # name, options, selected, required
        self._option: str | None = None
        self._option_text = ""
        self._textarea: tuple[str, bool] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", "")) if a.get("method", "get").lower() == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if tag == "input":
            self._input(form, a)
        elif tag == "button" and a.get("type", "submit") == "submit" and form.button is None:
            form.button = (a.get("name", ""), a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [], [], "required" in a)
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = a.get("value"), ""
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = (a["name"], "required" in a), ""

    def _input(self, form: Form, a: dict[str, str]) -> None:
        name, kind = a.get("name", ""), a.get("type", "text").lower()
        if kind == "submit":
            if form.button is None:
                form.button = (name, a.get("value", ""))
            return
        if not name or kind in ("button", "reset", "image"):
            return
        if kind == "file":
            form.files.append(name)
        elif kind in ("checkbox", "radio"):
            if "checked" in a:
                form.add(name, a.get("value", "on"))
        else:
            value = _sanitised(kind, a.get("value", ""))
            if "required" in a and not value:
                form.required_empty.append(name)
            form.add(name, value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data
        elif self._option is not None or self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None:
            value = self._option if self._option is not None else self._option_text.strip()
            self._select[1].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options, selected, required = self._select
            value = selected[0] if selected else (options[0] if options else "")
            if required and not value:
                self._form.required_empty.append(name)
            self._form.add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, required = self._textarea
            text = self._text.removeprefix("\n")
            if required and not text:
                self._form.required_empty.append(name)
            self._form.add(name, text)
            self._textarea = None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _sanitised(kind: str, value: str) -> str:
    """What a browser keeps of a value (HTML's value sanitisation): a date input shows and sends
    nothing for "01-12-2026", a number input nothing for "12,5"."""
    if kind == "date" and value and not _ISO_DATE.fullmatch(value):
        return ""
    if kind == "number" and value and not _NUMBER.fullmatch(value):
        return ""
    return value


def post_forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms
