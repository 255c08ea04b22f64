"""Which department's figures an officer may see: the admin API's stats and the dashboard's
analytics ask the same question here, and the app maps the refusals (``backend.api.app``)."""

from __future__ import annotations

from backend.auth import visible_department
from backend.models import Officer
from backend.tickets import InvalidRequest
from routing.directory import load_directory


class UnknownDepartment(InvalidRequest):
    """Not a department code of the directory (422): the code goes into the CSV file's name,
    and an unknown one would only give empty figures."""

    def __init__(self) -> None:
        super().__init__("department must be a department code of the directory, such as MSEFC-MH")


class DepartmentOutOfScope(Exception):
    """An officer or head asked for another department's figures (403)."""

    def __init__(self, own: str) -> None:
        super().__init__(f"you can see department {own} only")
        self.own = own


def stats_scope(officer: Officer, department: str | None) -> str | None:
    """The department the figures cover: an officer's or head's own; leadership any (None: all).

    Raises ``UnknownDepartment`` or ``DepartmentOutOfScope``."""
    if department and department not in load_directory().departments:
        raise UnknownDepartment
    scope = visible_department(officer)
    if department and scope and department != scope:
        raise DepartmentOutOfScope(scope)
    return department or scope
