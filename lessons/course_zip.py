"""A course folder as a zip: the studio's download, and its upload checked before an import."""

import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from courses.models import Course
from lessons.course_export import course_export_files
from lessons.course_folder import CourseSource, check_course_folder
from lessons.validation import Level, Problem

# An upload larger than this is not a course folder.
MAX_ZIP_FILES = 5_000
MAX_ZIP_BYTES = 50 * 1024 * 1024  # uncompressed
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed dates: the same course gives the same bytes


def course_zip(course: Course) -> bytes:
    """The course folder (as ``export_course`` writes it) in a zip, under a folder named after the course."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(course_export_files(course).items()):
            archive.writestr(zipfile.ZipInfo(f"{course.slug}/{name}", _EPOCH), text.encode("utf-8"))
    return buffer.getvalue()


def check_course_zip(data: bytes) -> tuple[CourseSource | None, list[Problem]]:
    """Read an uploaded zip of a course folder (its files at the top, or in one folder) like
    ``check_course_folder``: every problem, and the source when there is no error."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None, [Problem(Level.ERROR, _("This is not a zip file."))]
    with archive, tempfile.TemporaryDirectory() as name:
        root = Path(name)
        refused = _extract(archive, root)
        if refused:
            return None, [refused]
        entries = [path for path in root.iterdir() if not path.name.startswith((".", "__MACOSX"))]
        if not (root / "course.yaml").exists() and len(entries) == 1 and entries[0].is_dir():
            root = entries[0]
        return check_course_folder(root)


def _extract(archive: zipfile.ZipFile, root: Path) -> Problem | None:
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_ZIP_FILES or sum(info.file_size for info in members) > MAX_ZIP_BYTES:
        return Problem(Level.ERROR, _("The zip is too large for a course folder."))
    budget = MAX_ZIP_BYTES  # file_size is what the zip claims; count what it really holds
    for info in members:
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
            message = _("The zip holds a file outside its folder: %(name)s")
            return Problem(Level.ERROR, message % {"name": info.filename})
        target = root.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source:
            data = source.read(budget + 1)
        budget -= len(data)
        if budget < 0:
            return Problem(Level.ERROR, _("The zip is too large for a course folder."))
        target.write_bytes(data)
    return None
