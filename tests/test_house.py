"""The house rules that keep the code easy to find one's way in, checked on every run:
small modules, no app holding more than a quarter of the code, and one place for each
change of an enrolment's status."""

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
# The apps and packages of the product (tests/ and bench/ measure it; they are not counted as its code).
PRODUCT = {
    "accounts", "core", "courses", "dashboard", "discussions", "drip", "druppel", "learners", "lessons",
    "mailer", "organisations", "progress", "studio",
}  # fmt: skip


def python_files() -> list[Path]:
    skipped = {".venv", "var", "node_modules", "migrations"}
    return [p for p in ROOT.rglob("*.py") if not skipped & set(p.relative_to(ROOT).parts)]


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_every_module_is_under_400_lines():
    big = {str(p.relative_to(ROOT)): n for p in python_files() if (n := lines(p)) >= MAX_LINES}
    assert big == {}


def test_no_app_holds_more_than_a_quarter_of_the_product_code():
    per_app: Counter[str] = Counter()
    for path in python_files():
        top = path.relative_to(ROOT).parts[0]
        if top in PRODUCT:
            per_app[top] += lines(path)
    total = sum(per_app.values())
    assert total > 5000  # the count found the code
    shares = {app: round(n / total, 3) for app, n in per_app.items()}
    assert max(shares.values()) <= 0.25, shares


def test_only_the_enrolment_queryset_writes_an_enrolments_status():
    pattern = re.compile(r"\.update\([^)]*\bstatus=Enrolment\.Status|\.status\s*=\s*Enrolment\.Status")
    writers = [
        str(path.relative_to(ROOT))
        for path in python_files()
        if path.relative_to(ROOT).parts[0] in PRODUCT and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert writers == []
    # And the queryset's one writer is the transition table's.
    tree = ast.parse((ROOT / "courses" / "models.py").read_text(encoding="utf-8"))
    moves = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == "_move"]
    assert len(moves) == 1
