"""`manage.py check --deploy` is clean with the production environment of docs/operations.md,
and the settings refuse what production must never run with."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

OPERATIONS = Path(settings.BASE_DIR) / "docs" / "operations.md"


def production_environment() -> dict[str, str]:
    """The env file block of docs/operations.md, its `<…>` secrets filled with random strings."""
    text = OPERATIONS.read_text()
    block = re.search(r"<!-- production-environment -->\n```sh\n(.*?)```", text, re.S)
    assert block, "docs/operations.md lost its production environment block"
    environment = {}
    for line in block.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        # systemd's EnvironmentFile (and a shell) take a double-quoted value without its quotes.
        if len(value) > 1 and value[0] == value[-1] == '"':
            value = value[1:-1]
        # "Druppel <lessen@…>" is a value; "<a key with …>" is a placeholder (it has spaces).
        environment[name] = re.sub(r"<[^<>@]*>", lambda _: secrets.token_urlsafe(50), value)
    return environment


def manage(args: list[str], environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # Only what the block says, plus a PATH: nothing from this test run leaks in.
    env = {"PATH": os.environ["PATH"], **environment, "DRUPPEL_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_finds_no_issue_with_the_documented_production_environment(tmp_path):  # type: ignore[no-untyped-def]
    environment = production_environment()
    assert environment["DEBUG"] == "0"
    assert environment["SITE_URL"].startswith("https://")
    result = manage(["check", "--deploy", "--fail-level", "WARNING"], environment, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_documented_environment_turns_on_hsts_the_ssl_redirect_and_the_proxy_header(tmp_path):  # type: ignore[no-untyped-def]
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = manage(["shell", "-c", script], production_environment(), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (
        result.stdout.strip().splitlines()[-1]
        == "31536000 True True True ('HTTP_X_FORWARDED_PROTO', 'https') True True"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SITE_URL", "http://druppel.example.be", "SITE_URL must be an https:// URL when DEBUG is off"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS must be a whole number"),
        ("SECURE_SSL_REDIRECT", "maybe", "SECURE_SSL_REDIRECT must be a boolean"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https", "SECURE_PROXY_SSL_HEADER must be a header name"),
    ],
)
def test_a_bad_production_value_stops_every_process_at_start(tmp_path, name, value, message):  # type: ignore[no-untyped-def]
    result = manage(["check"], {**production_environment(), name: value}, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_an_http_site_url_is_fine_with_debug_on(tmp_path):  # type: ignore[no-untyped-def]
    environment = {"DEBUG": "1", "SITE_URL": "http://127.0.0.1:8000"}
    result = manage(["check"], environment, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.django_db
def test_behind_the_proxy_http_is_redirected_https_gets_hsts_and_healthz_stays_reachable(client, settings):  # type: ignore[no-untyped-def]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert client.get("/healthz?check=database").status_code == 200
