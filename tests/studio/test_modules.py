"""Modules in the studio: a new one at the end, its title and intro, removing an empty one."""

import pytest

from lessons.models import Module
from tests.studio.conftest import Studio
from tests.studio.helpers import url

pytestmark = pytest.mark.django_db


def test_a_new_module_goes_last_and_can_be_renamed_and_removed_while_empty(studio: Studio) -> None:
    response = studio.client.post(url("module_new", studio), {"title": "Reageren", "intro": "Hoe je antwoordt."})
    assert response.status_code == 302
    module = Module.objects.get(course=studio.course, slug="reageren")
    assert list(Module.objects.filter(course=studio.course).order_by("position").values_list("slug", flat=True)) == [
        "module-1",
        "module-2",
        "reageren",
    ]
    studio.client.post(url("module_edit", studio, module_id=module.pk), {"title": "Reageren op reacties", "intro": ""})
    module.refresh_from_db()
    assert (module.title, module.intro, module.slug) == ("Reageren op reacties", "", "reageren")
    assert studio.client.post(url("module_delete", studio, module_id=module.pk)).status_code == 302
    assert not Module.objects.filter(pk=module.pk).exists()


def test_a_module_with_lessons_is_not_removed(studio: Studio) -> None:
    module = studio.lessons[0].module
    response = studio.client.post(url("module_delete", studio, module_id=module.pk), follow=True)
    assert Module.objects.filter(pk=module.pk).exists()
    assert "Verplaats" in response.content.decode()


def test_a_slug_taken_is_refused_in_plain_words(studio: Studio) -> None:
    response = studio.client.post(url("module_new", studio), {"title": "Dubbel", "slug": "module-1"})
    assert response.status_code == 200
    assert "module-1" in response.content.decode()
    assert Module.objects.filter(course=studio.course).count() == 2
