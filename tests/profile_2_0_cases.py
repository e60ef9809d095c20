"""The shared cases of the ``fabrication-utilities-2.0`` profile tests: the 30 CAMS step types
with realistic values and their exact expected 2.0 values, a process document around one
step, and the fixtures ``profile`` and ``schemas`` (a test module takes them with
``profile = cases.profile``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cams_module.cams2nomad.paths import get_value, parse_path
from cams_module.cams2nomad.profile import load_profile
from cams_module.schema import load_schema_set, validate_archive

ROOT = Path(__file__).resolve().parents[1]
PROFILE_NAME = "fabrication-utilities-2.0"
PROFILE_FILE = ROOT / "cams_module" / "cams2nomad" / "profiles" / f"{PROFILE_NAME}.json"
REVIEW_DOC = ROOT / "docs" / "profile-2.0-review.md"
SP = "schema_packages."
GENERIC = SP + "fabrication_utilities.FabricationProcessStep"
# CAMS step types whose 2.0 class NOMAD cannot load -> exported as loadable 2.0 steps.
FALLBACK_TYPES = {
    "Track": "Track", "Track 2": "Track", "LTO Densification": "LTODensification",
    "SOD": "SOD", "Doping": "Doping",
}
# The 30 CAMS step types of the facility (the seed mapping's names, typos included).
CAMS_STEP_TYPES = {
    "Labeling and Cleaning", "Stripping", "Wet Etching", "Coating", "Wet Cleaning",
    "Starting Materials", "LPCVD deposition", "Track", "Track 2", "RIE", "RIE Metal",
    "RIE PlasmaPro", "Thermal oxidation", "LTO Densification", "Sputtering", "Sputtering-2",
    "Sputtering KSE", "SOG", "DRIE", "DRIE Cobra", "Silicon Wet Micromachining", "Bonding",
    "Annealing", "Metal Annealing", "Observation end Measurement", "SOD", "Dicing", "Doping",
    "Electron Gun KSE", "Electron Gun",
}

# Realistic CAMS values per step type: (fields, {target path: exact expected value}).
CASES: dict[str, tuple[dict, dict]] = {
    "Labeling and Cleaning": (
        {"labeled_face": "back", "wafers_lables": "PT-01..PT-05", "Ultrasound": "Yes",
         "piranha_cleaning": "No", "dip_hf": "Yes", "rinse_and_dry_": "Yes"},
        {"wafer_label_position": "back", "wafer_label_name": "PT-01..PT-05",
         "wafer_cleaning_DI_ultrasound_required": "Yes",
         "wafer_cleaning_piranha_required": "No", "wafer_cleaning_dipHF_required": "Yes",
         "wafer_cleaning_rinse_spin_dryer_required": "Yes"},
    ),
    "Stripping": (
        {"stripping_type": "wet", "material_to_remove": "AZ5214E", "duration": 15,
         "temperature": 70, "ultrasaund": "Yes"},
        {"stripping_steps[0].stripping_type": "wet",
         "stripping_steps[0].resist_to_strip.name": "AZ5214E",
         "stripping_steps[0].duration": 15.0,
         "stripping_steps[0].removing_temperature": 70.0,
         "stripping_steps[0].ultrasound_required": True},
    ),
    "Wet Etching": (
        {"material_to_etch": "SiO2", "In_Time": "00:05:30", "In_thickness": 500,
         "Out_duration": "00:05:45", "Out_thickness": 498.5, "etchant_solution": "BHF 7:1"},
        {"etching_steps[0].materials_etched[0].name": "SiO2",
         "duration_target": 5.5,                      # minutes
         "depth_target": 500.0,
         "outputs.duration_measured": 345.0,          # seconds
         "etching_steps[0].reactives_used_to_etch[0].name": "BHF 7:1"},
    ),
    "Coating": (
        {"De_wetting": 10, "Exposure_time": 12, "exposure": "Yes", "hmds": "Yes", "bake": "Yes",
         "bake_time": "00:01:30", "bake_temp": 115, "lamp_flow": 10.5, "peb": "Yes",
         "peb_time": "00:01:00", "peb_temperature": 110, "photoresist": "AZ5214E"},
        {"coating_steps[0].priming.priming_duration": 600.0,   # 10 min in seconds
         "coating_steps[0].priming.primer_temperature": 110.0,
         "coating_steps[0].priming.primer_name": "HMDS",
         "coating_steps[0].resist_material[0].name": "AZ5214E"},
    ),
    "Wet Cleaning": (
        {"solution_type": "Piranha H2SO4:H2O2 3:1", "temperature": 120, "duration": 10},
        {"cleaning_steps[0].reactives_used_to_etch[0].name": "Piranha H2SO4:H2O2 3:1",
         "cleaning_steps[0].tank_temperature": 120.0,
         "cleaning_steps[0].duration": 10.0},
    ),
    "Starting Materials": (
        {"Wafer_n": 25, "resistivity": "1.5", "orientation": "<100>", "thickness": 525,
         "finishing": "SSP", "type": "Si p-type", "manufacture": "Siegert Wafer"},
        {"wafer_quantity": 25, "wafer_resistivity": 1.5, "wafer_orientation": "<100>",
         "wafer_thickness": 525.0, "wafer_surface_finish": "SSP", "short_name": "Si p-type",
         "manufacturer_name": "Siegert Wafer"},
    ),
    "LPCVD deposition": (
        {"deposited_material": "Si3N4", "process_number": "1234", "In_Thikness": 150,
         "Out_Thickness": 148.2, "Out_Time": 62.5, "recipe_name": "LS-SiN-800"},
        {"synthesis_steps[0].material_deposited[0].name": "Si3N4",
         "outputs.job_number": 1234, "thickness_target": 150.0,
         "outputs.duration_measured": 62.5, "recipe_name": "LS-SiN-800"},
    ),
    "RIE": (
        {"In_depth": 200, "In_time": 120, "Out_depth": 205, "Out_duration": 125,
         "etched_material": "Si3N4", "process_number": 77, "recipe": "CHF3-O2"},
        {"depth_target": 200.0, "duration_target": 120.0,
         "outputs[0].duration_measured": 125.0, "outputs[0].job_number": 77,
         "etching_steps[0].materials_etched[0].name": "Si3N4", "recipe_name": "CHF3-O2"},
    ),
    "RIE Metal": (
        {"required_depth": 100, "In_time": 300, "Out_depth": 102, "Out_time": 310,
         "material": "Al", "process_number": "78", "recipe": "Cl2-BCl3"},
        {"depth_target": 100.0, "duration_target": 300.0,
         "outputs[0].duration_measured": 310.0, "outputs[0].job_number": 78,
         "etching_steps[0].materials_etched[0].name": "Al", "recipe_name": "Cl2-BCl3"},
    ),
    "RIE PlasmaPro": (
        {"depth_IN": 1.5, "time_IN": "00:05:30", "depth_OUT": 1.48, "time_OUT": "00:05:40",
         "etched_material": "SiO2", "process_number": 79, "recipe": "SiO2-fast"},
        {"depth_target": 1500.0,                      # um -> nm
         "duration_target": 330.0,                    # H:M:S -> s
         "outputs[0].duration_measured": 340.0, "outputs[0].job_number": 79,
         "etching_steps[0].materials_etched[0].name": "SiO2", "recipe_name": "SiO2-fast"},
    ),
    "Thermal oxidation": (
        {"oxidation_type": "wet", "In_Thickness": 1000, "Out_Thickness": 1012,
         "Out_duration": 95, "process_tempere": 1050, "process_number": 12,
         "recipe_name": "WETOX1050"},
        {"oxidation_steps[0].oxidation_type": "wet", "thickness_target": 1000.0,
         "outputs.duration_measured": 5700.0,         # 95 min in s
         "oxidation_steps[0].temperature_final_target": 1050.0,
         "outputs.job_number": 12, "recipe_name": "WETOX1050"},
    ),
    "Sputtering": (
        {"material": "Ti", "duration": 300, "thickness": 50, "temperature": 25, "power": 200,
         "waiting_time": "00:02:00"},
        {"sputtering_steps.material_deposited[0].name": "Ti",
         "outputs.duration_measured": 5.0,            # 300 s in minutes
         "sputtering_steps.chuck.chuck_temperature": 25.0, "sputtering_steps.power": 200.0,
         "sputtering_steps.delay_between_stack_layers": 2.0},
    ),
    "Sputtering-2": (
        {"deposition_material": "Pt", "Out_time": 450, "Out_thickness": 101,
         "In_thickness": 100, "substrate_temperature": 150, "deposition_power_": 300,
         "waiting_time": "00:00:30", "process_number": 5},
        {"sputtering_steps.material_deposited[0].name": "Pt",
         "outputs.duration_measured": 7.5, "thickness_target": 100.0,
         "sputtering_steps.chuck.chuck_temperature": 150.0, "sputtering_steps.power": 300.0,
         "sputtering_steps.delay_between_stack_layers": 0.5, "outputs.job_number": 5},
    ),
    "Sputtering KSE": (
        {"dep_power": 150, "deposited_material": "Au", "sub_temp": 20, "thickness_IN": 80,
         "thickness_OUT": 79, "time_IN": 600, "wait_time": "00:10:00"},
        {"sputtering_steps.power": 150.0, "sputtering_steps.material_deposited[0].name": "Au",
         "sputtering_steps.chuck.chuck_temperature": 20.0, "thickness_target": 80.0,
         "duration_target": 10.0, "sputtering_steps.delay_between_stack_layers": 10.0},
    ),
    "SOG": (
        {"subatrate_material": "Si", "desired_thickness": 400, "pre_cleaning": "O2 plasma",
         "De_wetting": 5},
        {"sog_steps[0].substrate_material.name": "Si", "thickness_target": 400.0,
         "sog_steps[0].pre_cleaning": "O2 plasma", "sog_steps[0].dewetting_duration": 5.0,
         "sog_steps[0].dewetting_temperature": 110.0},
    ),
    "DRIE": (
        {"etched_material": "Si", "In_duration": 900, "Out_duration": 930, "In_Depth": 50,
         "Out_Deppth": 51.2, "process_number": 101, "drie_type": "BOSCH-HAR"},
        {"etching_steps[0].materials_etched[0].name": "Si", "duration_target": 900.0,
         "outputs[0].duration_measured": 930.0, "depth_target": 50000.0,
         "outputs[0].job_number": 101, "recipe_name": "BOSCH-HAR"},
    ),
    "DRIE Cobra": (
        {"etched_materia": "Si", "IN_time": 600, "OYT_time": 610, "IN_depth": 20,
         "OUT_depth": 20.5, "recipe": "COBRA-STD"},
        {"etching_steps[0].materials_etched[0].name": "Si", "duration_target": 600.0,
         "outputs[0].duration_measured": 610.0, "depth_target": 20000.0,
         "recipe_name": "COBRA-STD"},
    ),
    "Silicon Wet Micromachining": (
        {"solution_type": "KOH", "solution_concentration": "30%", "estimated_duration": 240,
         "In_depth": 300, "Out_duration": 250, "Out_depth": 305},
        {"etching_steps[0].reactives_used_to_etch[0].name": "KOH",
         "duration_target": 240.0, "depth_target": 300000.0,
         "outputs.duration_measured": 15000.0},
    ),
    "Bonding": (
        {"bonding_type": "anodic", "process_number": 8, "ba6_alignement_required": "Yes",
         "load_sequence_i_wafer": "W-Si-01", "load_sequence_ii_wafer": "W-Glass-01",
         "spacers": "No", "target_mask": "TM-3", "viewfinder_mask": "VF-3",
         "sb6_recipe": "ANODIC-400"},
        {"bonding_steps[0].wafer_bonding_type": "anodic", "outputs.job_number": 8,
         "bonding_steps[0].alignment_required": "Yes",
         "bonding_steps[0].wafer_stack_1_name": "W-Si-01",
         "bonding_steps[0].wafer_stack_2_name": "W-Glass-01",
         "bonding_steps[0].wafer_space_required": False,
         "bonding_steps[0].alignment_target_mask_name": "TM-3",
         "bonding_steps[0].alignment_viewfinder_mask_name": "VF-3",
         "recipe_name": "ANODIC-400"},
    ),
    "Annealing": (
        {"material": "Si", "starting_temperature": 400, "final_temperature": 1000,
         "duration": 30, "oxigen_": 20, "process_number": 9, "recipe": "ANN1000"},
        {"annealing_steps[0].annealed_material.name": "Si",
         "annealing_steps[0].ramp_up.start_value": 400.0,
         "annealing_steps[0].ramp_up.end_value": 1000.0,
         "outputs.duration_measured": 30.0,
         "annealing_steps[0].fluximeters[0].chemical_formula": "O2",
         "outputs.job_number": 9, "recipe_name": "ANN1000"},
    ),
    "Metal Annealing": (
        {"annealed_material_": "Al-Si", "annealing_duration": 20, "annealing_temperature": 430},
        {"annealing_steps[0].annealed_material.name": "Al-Si",
         "outputs.duration_measured": 20.0,
         "annealing_steps[0].ramp_up.end_value": 430.0},
    ),
    "Observation end Measurement": (
        {"activity_type": "SEM inspection", "estimeted_time": 45,
         "equipment_used": "Zeiss Supra 40"},
        {"activity_type": "SEM inspection", "duration_target": 45.0,
         "short_name": "Zeiss Supra 40"},
    ),
    "Dicing": (
        {"dicing_blade": "Z09-SD2000", "dicing_depth": 550, "double_dicing_film": "Yes"},
        {"dicing_blade_name": "Z09-SD2000", "depth_target": 550.0,
         "dicing_steps[0].protective_film_required": True},
    ),
    "Electron Gun KSE": (
        {"cambi_vac": 2.5e-6, "deposited_material": "Cr", "thickness_IN": 10,
         "thickness_OUT": 10.2, "time_IN": 90, "rot_speed": 20, "process_number": 44,
         "doping_recipe": "CR10"},
        {"deposition_steps[0].chamber_pressure": 2.5e-6,
         "deposition_steps[0].material_deposited[0].name": "Cr", "thickness_target": 10.0,
         "duration_target": 1.5,                      # 90 s in minutes
         "deposition_steps[0].spin_parameters.spin_frequency": 20.0,
         "outputs.job_number": 44, "recipe_name": "CR10"},
    ),
    "Electron Gun": (
        {"chamber_vacuum": "3.0e-6", "deposited_material": "Ti", "In_thickness": 20,
         "Out_thickness": 19.5, "In_duration": 120, "rot_speed": 15, "process_number": "45",
         "doping_recipe": "TI20"},
        {"deposition_steps[0].chamber_pressure": 3.0e-6,   # the seed's str2int gave -1
         "deposition_steps[0].material_deposited[0].name": "Ti", "thickness_target": 20.0,
         "duration_target": 2.0,
         "deposition_steps[0].spin_parameters.spin_frequency": 15.0,
         "outputs.job_number": 45, "recipe_name": "TI20"},
    ),
    # exported as the generic FabricationProcessStep (classes NOMAD 2.0.0 cannot load)
    "Track": (
        {"DeWetting": 10, "Dev": 60, "Expo": 8.5, "aligner": "MA6", "alignment_type": "top side",
         "contact_type": "hard contact", "hmds": "Yes", "lamp_flow": 10.2, "mask_name": "M1",
         "set_mask_name": "SET-A", "photoresist": "AZ5214E", "target_mask": "TM-1",
         "photoresist_thiknes": 1.4, "peb": "Yes", "PEB_TEMP": 110, "PEB_TIME": "00:01:00",
         "hardbake": "Yes", "harbake_time": 120, "hardbake_temp": 120, "sftbake_temp": 100,
         "softbake": "Yes", "softbake_time": 60, "water_rinse_and_spin_dryer": "Yes"},
        {"coating_steps[0].priming.priming_duration": 600.0,   # 10 min in seconds
         "coating_steps[0].priming.primer_name": "HMDS",
         "coating_steps[0].resist_material[0].name": "AZ5214E",
         "thickness_target": 1400.0},                          # um -> nm
    ),
    "Track 2": (
        {"DeWetting": 5, "Dev": 45, "Expo": 6, "aligner": "MA6", "alignment_type": "back side",
         "contact_type": "soft contact", "hmds": "No", "lamp_flow": 9.8, "mask_name": "M2",
         "set_mask_name": "SET-B", "photoresist": "S1813", "target_mask": "TM-2",
         "photoresist_thiknes": 1.3, "peb": "No", "PEB_TEMP": 0, "PEB_TIME": "00:00:00",
         "hardbake": "Yes", "harbake_time": 120, "hardbake_temp": 115, "sftbake_temp": 95,
         "softbake": "Yes", "softbake_time": 90, "water_rinse_and_spin_dryer": "No"},
        {"coating_steps[0].priming.priming_duration": 300.0,
         "coating_steps[0].priming.primer_name": "none",
         "coating_steps[0].resist_material[0].name": "S1813",
         "thickness_target": 1300.0,
         # the sub-steps whose switch is not Yes, with the CAMS answer
         "keywords": "post-exposure bake: No; rinse and dry: No"},
    ),
    "LTO Densification": (
        {"lto_densification_type": "N2 anneal", "densification_temperature": 900,
         "densification_duration": 60, "Out_Thickness": 480, "process_number": 31,
         "recepi_name": "DENS900"},
        {"annealing_steps[0].name": "N2 anneal",
         "annealing_steps[0].ramp_up.end_value": 900.0,
         "annealing_steps[0].duration": 60.0, "outputs.job_number": 31,
         "recipe_name": "DENS900"},
    ),
    "SOD": (
        {"sod_tipe": "P509", "HF": 30, "Water_Rinse": "Yes", "spin_dryer": "Yes",
         "peb_duration": "00:15:00", "spinner_speed": 3000, "sod_amount": 2},
        {"coating_steps[0].resist_material[0].name": "P509",
         "coating_steps[0].spin_phase.spin_frequency": 3000.0,
         "coating_steps[0].dispensed_volume": 2.0},
    ),
    "Doping": (
        {"doping_type": "Boron", "duration": 45, "temperature": 950, "process_number": 3,
         "doping_recipe": "BDOP950"},
        {"annealing_steps[0].name": "Boron", "annealing_steps[0].duration": 45.0,
         "annealing_steps[0].ramp_up.end_value": 950.0, "outputs.job_number": 3,
         "recipe_name": "BDOP950"},
    ),
}

PROCESS = {
    "id": 17, "name": "PicoTCDv3", "description": "Thermal conductivity detector, run 3",
    "owner": "m.rossi", "project": "PicoTCD", "start_date": "2025-03-02T09:00:00+01:00",
    "end_date": "2025-04-11T18:30:00+02:00", "notes": "Wafer batch B-2025-07",
}


def document(step_type: str, fields: dict, **step: object) -> dict:
    """A process document (Contract 1) with one step of ``step_type``."""
    one = {"id": 101, "position": 1, "type": step_type, "name": f"{step_type} run",
           "date": "2025-03-03T10:00:00+01:00", "operator": "m.rossi", "fields": fields}
    one.update(step)
    return {"process": dict(PROCESS), "steps": [one]}


def every_type_document() -> dict:
    """One step of each of the 30 CAMS step types, in one process."""
    steps = [{"id": 200 + i, "position": i + 1, "type": name, "name": f"{name} #{i + 1}",
              "date": "2025-03-03T10:00:00+01:00", "operator": "a.bianchi", "fields": fields}
             for i, (name, (fields, _)) in enumerate(sorted(CASES.items()))]
    return {"process": dict(PROCESS), "steps": steps}


def step_data(result) -> dict:
    return result.archives[result.step_files[0][1]]["data"]


def at(data: dict, path: str):
    return get_value(data, parse_path(path))


def raw_profile() -> dict:
    return json.loads(PROFILE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def profile():
    return load_profile(PROFILE_NAME)


@pytest.fixture(scope="module")
def schemas():
    return load_schema_set("fabrication-utilities-2.0")


def assert_valid(result, schemas) -> None:
    mainfiles = set(result.archives)
    for name, archive in result.archives.items():
        problems = validate_archive(archive, schemas, mainfile=name, upload_mainfiles=mainfiles)
        assert problems == [], [str(p) for p in problems]


def walk_values(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from walk_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_values(value)
    else:
        yield node
