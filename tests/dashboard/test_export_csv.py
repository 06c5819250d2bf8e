"""The CSV export opens in Excel in Belgium: `;`, UTF-8 with a BOM, the dashboard's filters."""

import csv
import io

import pytest
from django.urls import reverse

from organisations.models import Membership

pytestmark = pytest.mark.django_db

HEADER = [
    "Name",
    "Email",
    "Department",
    "Course",
    "Status",
    "Sent",
    "Opened",
    "Read",
    "Completed",
    "Progress (%)",
    "Behind",
]


def export(client, **params):  # type: ignore[no-untyped-def]
    response = client.get(reverse("dashboard:dashboard_export", args=["avelgem"]), params)
    assert response.status_code == 200
    return response


def rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_export_starts_with_a_bom_and_uses_semicolons(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    response = export(org_admin_client)
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="avelgem-dashboard-' in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").splitlines()[0] == ";".join(HEADER)


def test_the_export_has_a_row_per_employee_with_their_counters(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    header, *body = rows(export(org_admin_client))
    assert header == HEADER
    assert body == [
        [
            "Jonas Claes",
            "jonas@avelgem.example",
            "Communicatie",
            "Sociale media",
            "active",
            "4",
            "1",
            "0",
            "1",
            "25",
            "yes",
        ],
        ["Lotte Maes", "lotte@avelgem.example", "Financiën", "Sociale media", "active", "4", "0", "0", "0", "0", "yes"],
        [
            "Eva Peeters",
            "eva@avelgem.example",
            "Communicatie",
            "Sociale media",
            "active",
            "4",
            "4",
            "2",
            "4",
            "100",
            "no",
        ],
    ]


def test_the_export_applies_the_dashboards_filters(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    assert [row[0] for row in rows(export(org_admin_client, behind="1", department="Communicatie"))[1:]] == [
        "Jonas Claes"
    ]
    assert [row[0] for row in rows(export(org_admin_client, sort="completed"))[1:]] == [
        "Eva Peeters",
        "Jonas Claes",
        "Lotte Maes",
    ]


def test_a_department_that_looks_like_a_formula_is_exported_as_text(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    Membership.objects.filter(pk=small_org.lotte.membership_id).update(department="=HYPERLINK(1)")
    lotte = next(row for row in rows(export(org_admin_client)) if row[0] == "Lotte Maes")
    assert lotte[2] == "'=HYPERLINK(1)"
