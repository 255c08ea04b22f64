"""The department directory: who handles what, for which states, and who is escalated to.

Data in ``routing/data/departments.yaml`` (departments, SLA policy) and
``routing/data/cpgrams_map.yaml`` (the CPGRAMS category tree -> category, department).
Reading those two files once per process is the only I/O of this package.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from routing.categories import CATEGORIES
from routing.states import STATE_CODES, STATES

_DATA_DIR = Path(__file__).parent / "data"
LEADERSHIP_CODE = "MINISTRY-LEADERSHIP"
# Used when a delayed-payment grievance names no state: the Ministry's Samadhaan cell forwards
# it to the right MSE Facilitation Council.
SAMADHAAN_CODE = "MSME-SAMADHAAN"

# Levels of the escalation chain, as stored on a ticket's ``escalation_level``.
LEVEL_OFFICER = 1
LEVEL_HEAD = 2
LEVEL_LEADERSHIP = 3


@dataclass(frozen=True)
class EscalationLevel:
    level: int  # 1 dealing officer, 2 head of the department, 3 ministry leadership
    department_code: str  # whose officers act at this level
    role: str  # officer role that acts: "officer", "head" or "leadership"
    title: str


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    name_hi: str
    kind: str  # leadership, ministry, division, development_commissioner, dfo, msefc, ...
    states: tuple[str, ...]  # states/UTs served (DFOs and MSEFCs); empty for national units
    escalation_chain: tuple[EscalationLevel, ...]
    parent: str | None = None
    head_title: str = ""
    handles: str = ""
    located_in: str | None = None  # the state a single-site unit is in (a Technology Centre)
    # How a complaint names this unit (routing.rules): the town it is in, and names or acronyms
    # (regexes) that identify it alone.
    city_names: tuple[str, ...] = ()
    named_as: tuple[str, ...] = ()

    def escalation_level(self, level: int) -> EscalationLevel:
        """Who acts at ``level`` (1-3); levels beyond the chain stay at its top."""
        if level < 1:
            raise ValueError(f"escalation levels start at 1, got {level}")
        return self.escalation_chain[min(level, len(self.escalation_chain)) - 1]


@dataclass(frozen=True)
class CpgramsMapping:
    code: int
    path: str
    category: str
    department_code: str
    # "msefc": the department is the Facilitation Council of the complainant's state if known.
    by_state: str | None = None


@dataclass(frozen=True, eq=False)
class Directory:
    departments: Mapping[str, Department]
    sla_default: tuple[int, int]
    sla_by_category: Mapping[str, tuple[int, int]]
    cpgrams: Mapping[str, CpgramsMapping]  # by normalised path
    critical_ack_hours: float = 4.0  # acknowledgement clock of a critical grievance

    def get(self, code: str) -> Department:
        return self.departments[code]

    def __contains__(self, code: object) -> bool:
        return code in self.departments

    def sla_for(self, category: str | None) -> tuple[int, int]:
        """(ack_days, resolve_days) for a category; the default for unknown or missing."""
        if category is None:
            return self.sla_default
        return self.sla_by_category.get(category, self.sla_default)

    def msefc_for(self, state: str | None) -> Department | None:
        return self._by_kind_and_state("msefc").get(state) if state else None

    def dfo_for(self, state: str | None) -> Department | None:
        return self._by_kind_and_state("dfo").get(state) if state else None

    def vigilance_of(self, unit_code: str) -> Department:
        """The vigilance unit that looks into complaints about ``unit_code``: its own, or that of
        the nearest unit above it (a Technology Centre -> the DC (MSME)'s)."""
        code: str | None = unit_code
        while code is not None:
            for department in self.departments.values():
                if department.kind == "vigilance" and department.parent == code:
                    return department
            parent = self.departments.get(code)
            code = parent.parent if parent is not None else None
        return self.departments["VIG-MIN"]

    def of_kind(self, kind: str) -> tuple[Department, ...]:
        return tuple(d for d in self.departments.values() if d.kind == kind)

    def map_cpgrams_path(self, path: str, state: str | None = None) -> tuple[str, str] | None:
        """(category, department code) for a CPGRAMS category path, or None if unknown.

        Accepts the path as CPGRAMS writes it ("Ministry of ... >> Schemes >> PMEGP"), with any
        spacing or case, or the numeric CPGRAMS category code.
        """
        entry = self.cpgrams.get(_normalize_path(path))
        if entry is None:
            stripped = path.strip()
            entry = next((e for e in self.cpgrams.values() if str(e.code) == stripped), None)
        if entry is None:
            return None
        if entry.by_state == "msefc":
            council = self.msefc_for(state)
            if council is not None:
                return entry.category, council.code
        return entry.category, entry.department_code

    @functools.cached_property
    def _kind_index(self) -> dict[str, dict[str, Department]]:
        index: dict[str, dict[str, Department]] = {}
        for department in self.departments.values():
            for state in department.states:
                index.setdefault(department.kind, {})[state] = department
        return index

    def _by_kind_and_state(self, kind: str) -> dict[str, Department]:
        return self._kind_index.get(kind, {})


def _normalize_path(path: str) -> str:
    parts = [" ".join(part.split()).casefold() for part in path.split(">>")]
    return " >> ".join(part for part in parts if part)


def _chain(code: str, head_title: str) -> tuple[EscalationLevel, ...]:
    return (
        EscalationLevel(LEVEL_OFFICER, code, "officer", "Dealing officer"),
        EscalationLevel(LEVEL_HEAD, code, "head", head_title or "Head of the department"),
        EscalationLevel(LEVEL_LEADERSHIP, LEADERSHIP_CODE, "leadership", "Ministry leadership"),
    )


def _sla_pair(raw: Mapping[str, Any]) -> tuple[int, int]:
    ack, resolve = int(raw["ack_days"]), int(raw["resolve_days"])
    if not 0 < ack <= resolve:
        raise ValueError(f"SLA needs 0 < ack_days <= resolve_days, got {ack}/{resolve}")
    return ack, resolve


def build_directory(
    departments_raw: Mapping[str, Any], cpgrams_raw: Mapping[str, Any]
) -> Directory:
    """Build and check a directory from parsed YAML; raises ValueError on inconsistent data."""
    departments: dict[str, Department] = {}
    for item in departments_raw["departments"]:
        code = item["code"]
        if code in departments:
            raise ValueError(f"department {code} listed twice")
        head = item.get("head", "")
        departments[code] = Department(
            code=code,
            name=item["name"],
            name_hi=item["name_hi"],
            kind=item["kind"],
            states=tuple(item.get("states") or ()),
            escalation_chain=_chain(code, head),
            parent=item.get("parent"),
            head_title=head,
            handles=item.get("handles", ""),
            located_in=item.get("located_in"),
            city_names=tuple(item.get("city_names") or ()),
            named_as=tuple(item.get("named_as") or ()),
        )
    _check_departments(departments)

    sla = departments_raw["sla"]
    sla_by_category = {cat: _sla_pair(v) for cat, v in (sla.get("categories") or {}).items()}
    unknown = set(sla_by_category) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"SLA for unknown categories: {sorted(unknown)}")

    cpgrams: dict[str, CpgramsMapping] = {}
    for row in cpgrams_raw["cpgrams"]:
        mapping = CpgramsMapping(
            code=int(row["code"]),
            path=row["path"],
            category=row["category"],
            department_code=row["department"],
            by_state=row.get("by_state"),
        )
        if mapping.category not in CATEGORIES or mapping.department_code not in departments:
            raise ValueError(f"CPGRAMS {mapping.code} maps to unknown category or department")
        cpgrams[_normalize_path(mapping.path)] = mapping

    return Directory(
        departments=MappingProxyType(departments),
        sla_default=_sla_pair(sla["default"]),
        sla_by_category=MappingProxyType(sla_by_category),
        cpgrams=MappingProxyType(cpgrams),
        critical_ack_hours=_critical_ack_hours(sla),
    )


def _critical_ack_hours(sla: Mapping[str, Any]) -> float:
    hours = float((sla.get("critical") or {}).get("ack_hours", 4))
    if not 0 < hours <= 72:
        raise ValueError(f"sla.critical.ack_hours must be in (0, 72], got {hours}")
    return hours


def _check_departments(departments: Mapping[str, Department]) -> None:
    if LEADERSHIP_CODE not in departments:
        raise ValueError(f"the directory needs {LEADERSHIP_CODE}")
    for department in departments.values():
        if department.parent is not None and department.parent not in departments:
            raise ValueError(f"{department.code}: unknown parent {department.parent}")
        for state in (*department.states, *filter(None, [department.located_in])):
            if state not in STATE_CODES:
                raise ValueError(f"{department.code}: unknown state {state!r}")
    # Every state and UT needs exactly one MSEFC and one DFO, or routing has a hole.
    for kind in ("msefc", "dfo"):
        served = [s for d in departments.values() if d.kind == kind for s in d.states]
        missing = set(STATES) - set(served)
        doubled = {s for s in served if served.count(s) > 1}
        if missing or doubled:
            raise ValueError(f"{kind}: states missing {sorted(missing)}, doubled {sorted(doubled)}")


@functools.cache
def load_directory() -> Directory:
    """The directory shipped with the package (read once per process)."""
    departments_raw = yaml.safe_load((_DATA_DIR / "departments.yaml").read_text(encoding="utf-8"))
    cpgrams_raw = yaml.safe_load((_DATA_DIR / "cpgrams_map.yaml").read_text(encoding="utf-8"))
    return build_directory(departments_raw, cpgrams_raw)


def map_cpgrams_path(path: str, state: str | None = None) -> tuple[str, str] | None:
    """(category, department code) for a CPGRAMS category path of the Ministry of MSME."""
    return load_directory().map_cpgrams_path(path, state)
