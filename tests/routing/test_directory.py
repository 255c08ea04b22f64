from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from routing.categories import CATEGORIES, CATEGORY_CODES, is_category
from routing.directory import (
    LEADERSHIP_CODE,
    build_directory,
    load_directory,
    map_cpgrams_path,
)
from routing.states import STATE_CODES, STATES

DATA = Path(__file__).parents[2] / "routing" / "data"


def test_categories_are_the_contract_codes() -> None:
    assert CATEGORY_CODES == (
        "delayed_payment",
        "finance_credit",
        "raw_material",
        "marketing_procurement",
        "labour",
        "regulation_licensing",
        "infrastructure_power",
        "skill_technology",
        "udyam_registration",
        "schemes_subsidy",
        "pmegp_khadi",
        "coir",
        "corruption_vigilance",
        "employee_related",
        "policy_suggestion",
        "other",
    )
    assert CATEGORIES == set(CATEGORY_CODES)
    assert is_category("coir") and not is_category("Coir") and not is_category(None)


def test_core_units_exist_with_three_level_escalation() -> None:
    directory = load_directory()
    for code in [
        "MIN-MAIN",
        "DCMSME",
        "NSIC",
        "KVIC",
        "COIR",
        "MGIRI",
        "NIMSME",
        "CREDIT-CELL",
        "VIG-MIN",
        "VIG-NSIC",
        "VIG-KVIC",
        "VIG-COIR",
        "VIG-MGIRI",
        "VIG-NIMSME",
        "VIG-DCMSME",
        LEADERSHIP_CODE,
    ]:
        assert code in directory
    kvic = directory.get("KVIC")
    assert [level.level for level in kvic.escalation_chain] == [1, 2, 3]
    assert kvic.escalation_level(2).department_code == "KVIC"
    assert kvic.escalation_level(2).role == "head"
    assert kvic.escalation_level(3).department_code == LEADERSHIP_CODE
    assert kvic.escalation_level(9).level == 3
    with pytest.raises(ValueError):
        kvic.escalation_level(0)


@pytest.mark.parametrize("state", STATES)
def test_every_state_has_its_msefc_and_a_dfo(state: str) -> None:
    directory = load_directory()
    council = directory.msefc_for(state)
    assert council is not None and council.code == f"MSEFC-{STATE_CODES[state]}"
    assert council.states == (state,)
    dfo = directory.dfo_for(state)
    assert dfo is not None and dfo.kind == "dfo" and state in dfo.states


def test_shared_dfos_and_unknown_state() -> None:
    directory = load_directory()
    assert directory.dfo_for("Ladakh") == directory.dfo_for("Jammu and Kashmir")
    assert directory.dfo_for("Puducherry").code == "DFO-CHENNAI"  # type: ignore[union-attr]
    assert directory.dfo_for(None) is None
    assert directory.msefc_for("Atlantis") is None


def test_sla_default_and_overrides() -> None:
    directory = load_directory()
    assert directory.sla_for("labour") == (3, 7)
    assert directory.sla_for(None) == (3, 7)
    assert directory.sla_for("delayed_payment") == (3, 7)


def _raw() -> tuple[dict, dict]:
    departments = yaml.safe_load((DATA / "departments.yaml").read_text(encoding="utf-8"))
    cpgrams = yaml.safe_load((DATA / "cpgrams_map.yaml").read_text(encoding="utf-8"))
    return departments, cpgrams


def test_inconsistent_data_is_refused() -> None:
    departments, cpgrams = _raw()
    departments["departments"] = [d for d in departments["departments"] if d["code"] != "MSEFC-GA"]
    with pytest.raises(ValueError, match="Goa"):
        build_directory(departments, cpgrams)

    departments, cpgrams = _raw()
    cpgrams["cpgrams"][0]["department"] = "NOPE"
    with pytest.raises(ValueError, match="unknown"):
        build_directory(departments, cpgrams)

    departments, cpgrams = _raw()
    departments["sla"]["categories"]["labour"] = {"ack_days": 9, "resolve_days": 7}
    with pytest.raises(ValueError, match="ack_days"):
        build_directory(departments, cpgrams)


def _cpgrams_rows() -> list[dict[str, str]]:
    with (DATA / "cpgrams_msme_category_tree.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_the_project_copy_of_the_cpgrams_tree_is_complete() -> None:
    rows = _cpgrams_rows()
    assert len(rows) == 67
    assert {row["stage"] for row in rows} == {"1", "2", "3"}
    assert all(row["name_hi"] for row in rows)


@pytest.mark.parametrize("row", _cpgrams_rows(), ids=lambda row: row["code"])
def test_every_cpgrams_category_and_unit_maps_to_a_department(row: dict[str, str]) -> None:
    mapped = map_cpgrams_path(row["path"])
    assert mapped is not None, row["path"]
    category, department = mapped
    assert is_category(category)
    assert department in load_directory()
    assert map_cpgrams_path(row["code"]) == mapped


def test_cpgrams_mapping_follows_the_unit() -> None:
    base = "Ministry of Micro Small and Medium Enterprises"
    assert map_cpgrams_path(f"{base} >> Schemes >> PMEGP") == ("pmegp_khadi", "KVIC")
    assert map_cpgrams_path(f"{base}>>Corruption/Vigilance related>>NSIC") == (
        "corruption_vigilance",
        "VIG-NSIC",
    )
    delayed = f"{base} >> Loan/ Subsidy and Delayed Payment Related >> Delayed Payment to MSME"
    assert map_cpgrams_path(delayed) == ("delayed_payment", "MSME-SAMADHAAN")
    assert map_cpgrams_path(delayed, state="Gujarat") == ("delayed_payment", "MSEFC-GJ")
    assert map_cpgrams_path(f"{base} >> Schemes >> Nonexistent") is None


def test_technology_centres_are_in_the_directory_with_hindi_names_and_chains() -> None:
    directory = load_directory()
    centres = directory.of_kind("technology_centre")
    towns = {name for centre in centres for name in centre.city_names}
    for town in (
        "Ludhiana",
        "Indore",
        "Kolkata",
        "Guwahati",
        "Hyderabad",
        "Bhubaneswar",
        "Aurangabad",
        "Jamshedpur",
        "Mumbai",
        "Agra",
        "Meerut",
        "Ramnagar",
        "Rohtak",
        "Bhiwadi",
        "Visakhapatnam",
        "Puducherry",
    ):
        assert town in towns
    for centre in centres:
        assert centre.parent == "DCMSME-TECH" and centre.name_hi and centre.located_in
        assert [level.role for level in centre.escalation_chain] == [
            "officer",
            "head",
            "leadership",
        ]
        assert centre.escalation_chain[2].department_code == LEADERSHIP_CODE
    assert directory.vigilance_of("TC-IGTR-INDORE").code == "VIG-DCMSME"
