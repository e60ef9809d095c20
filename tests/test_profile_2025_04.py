"""The fabrication-utilities-2025.04 profile: every step type with realistic values (numbers
checked exactly, in the unit the quantity declares) and every defect of the original mapping
proven fixed."""

import json
from pathlib import Path

import pytest

from cams_module.cams2nomad.profile import load_profile
from cams_module.export import export_process

PROFILE = "fabrication-utilities-2025.04"
DOCS = Path(__file__).parent / "data" / "process_documents"
P = "fabrication_facilities.schema_packages."
NOTES = "CAMS fields without a NOMAD quantity:\n"
COMMON = {"m_def", "name", "starting_date", "operator", "step_type"}

# What each step of the three realistic documents must become (besides name, date, operator).
EXPECTED = {
    "Starting Materials": (P + "fabrication_utilities.StartingMaterial", {
        "wafer_quantity": 25, "wafer_resistivity": 1.5, "wafer_orientation": "<100>",
        "wafer_thickness": 525.0, "wafer_surface_finish": "SSP", "short_name": "Si p-type",
        "manufacturer_name": "Siegert Wafer"}),
    "Labeling and Cleaning": (P + "transform.LabelingCleaning", {
        "wafer_label_position": "back", "wafer_label_name": "PT3-01..PT3-25",
        "wafer_cleaning_DI_ultrasound_required": "No", "wafer_cleaning_piranha_required": "Yes",
        "wafer_cleaning_dipHF_required": "Yes", "wafer_cleaning_rinse_spin_dryer_required": "Yes"}),
    "Thermal oxidation": (P + "transform.ThermalOxidation", {
        "oxidation_type": "wet", "thickness_target": 500.0, "thickness_measured": 512.3,
        "duration_measured": 5700.0,  # 95 min -> s
        "temperature_final_target": 1050.0, "job_number": 4711, "recipe_name": "WETOX-1050"}),
    "Coating": (P + "add.Spin_Coating", {
        "dewetting_duration": 10.0, "dewetting_temperature": 110.0, "exposure_duration": 4.5,
        "exposure_required": True, "hdms_required": True, "baking_required": True,
        "baking_duration": 1.5,  # 00:01:30 -> minutes
        "baking_temperature": 110.0, "exposure_intensity": 12.5, "peb_required": True,
        "peb_duration": 60.0,  # 00:01:00 -> seconds
        "peb_temperature": 115.0, "short_name": "AZ5214E"}),
    "Track": (P + "transform.Track", {
        "dewetting_duration": 5.0, "dewetting_temperature": 110.0, "developing_duration": 60.0,
        "exposure_duration": 7.5, "mask_aligner_name": "MA6", "alignment_type": "top side",
        "exposure_mask_contact_type": "hard contact", "hdms_required": "Yes",
        "exposure_intensity": 11.8, "mask_name": "PT3-M1", "mask_set_name": "PicoTCD-v3",
        "short_name": "AZ5214E", "mask_target": "PT3-M1-ALN", "thickness_target": 1.4,
        "peb_required": "Yes", "peb_temperature": 110.0, "peb_duration": 90.0,
        "hardbake_required": "Yes", "hardbake_duration": 120.0, "hardbake_temperature": 120.0,
        "softbake_temperature": 100.0, "softbake_duration": 60.0, "softbake_required": "Yes",
        "developing_rinse_spin_dryer_required": "Yes"}),
    "RIE PlasmaPro": (P + "remove.RIE", {
        "depth_target": 1500.0,  # 1.5 um -> nm
        "duration_target": 330.0,  # 00:05:30 -> s
        "depth_measured": 1470.0, "duration_measured": 342.0, "short_name": "SiO2",
        "job_number": 1207, "recipe_name": "SiO2-fast",
        "notes": NOTES + "chamber_comment: slight polymer at edges"}),
    "Stripping": (P + "remove.Stripping", {
        "stripping_type": "O2 plasma", "short_name": "AZ5214E",
        "duration_target": 330.0,  # 5.5 min -> s
        "removing_temperature": 80.0, "ultrasound_required": "No"}),
    "Sputtering": (P + "add.Sputtering", {
        "short_name": "Pt", "duration_measured": 600.0, "thickness_measured": 100.0,
        "chuck_temperature": 25.0, "power": 150.0,
        "delay_between_stack_layers": 10.0}),  # 00:10:00 -> minutes
    "Dicing": (P + "transform.Dicing", {
        "dicing_blade_name": "Z09-SD3000", "depth_target": 600.0,
        "protective_film_required": True}),
    "Observation end Measurement": (P + "fabrication_utilities.ObservationMeasurements", {
        "activity_type": "profilometry", "duration_target": 30.0, "short_name": "Dektak XT"}),
    "Wet Cleaning": (P + "remove.WetCleaning", {
        "removing_solution": "RCA-1", "removing_temperature": 75.0, "removing_duration": 10.0}),
    "LPCVD deposition": (P + "add.ICP_CVD", {
        "short_name": "Si3N4", "job_number": 2301, "thickness_target": 300.0,
        "thickness_measured": 297.5, "duration_measured": 62.5, "recipe_name": "LS-SiN-800"}),
    "Track 2": (P + "transform.Track", {
        "dewetting_duration": 5.0, "dewetting_temperature": 110.0, "developing_duration": 45.0,
        "exposure_duration": 12.0, "mask_aligner_name": "MA6", "alignment_type": "back side",
        "exposure_mask_contact_type": "soft contact", "hdms_required": "No",
        "exposure_intensity": 12.1, "mask_name": "GY-M2", "mask_set_name": "Gyro-B2",
        "short_name": "AZ9260", "mask_target": "GY-M2-ALN", "thickness_target": 8.0,
        "peb_required": "No", "hardbake_required": "No", "softbake_temperature": 110.0,
        "softbake_duration": 180.0, "softbake_required": "Yes",
        "developing_rinse_spin_dryer_required": "Other (see Note)"}),
    "DRIE": (P + "remove.DRIE", {
        "short_name": "Si", "duration_target": 30.0, "duration_measured": 30.5,  # s -> min
        "depth_target": 150000.0, "depth_measured": 148200.0,  # um -> nm
        "job_number": 2302, "recipe_name": "BOSCH-deep"}),
    "DRIE Cobra": (P + "remove.DRIE", {
        "short_name": "Si", "duration_target": 1.5, "duration_measured": 1.6,
        "depth_target": 2500.0, "depth_measured": 2450.0, "recipe_name": "COBRA-SOI"}),
    "Silicon Wet Micromachining": (P + "remove.WetEtching", {
        "etching_solution": "KOH", "etching_solution_proportions": "30 % wt",
        "duration_target": 240.0, "depth_target": 380000.0, "duration_measured": 255.0,
        "depth_measured": 382500.0}),
    "Bonding": (P + "add.Bonding", {
        "wafer_bonding_type": "anodic", "job_number": 2303, "alignment_required": "Yes",
        "wafer_stack_1_name": "GY-07", "wafer_stack_2_name": "Borofloat-07",
        "wafer_space_required": False, "alignment_target_mask_name": "GY-M1",
        "alignment_viewfinder_mask_name": "GY-VF", "recipe_name": "ANODIC-400"}),
    "Annealing": (P + "transform.Annealing", {
        "short_name": "Si3N4", "temperature_start": 400.0, "temperature_final_target": 1000.0,
        "duration_measured": 60.0, "gas_formula": "O2", "gas_percentage": 20.5,
        "job_number": 2304, "recipe_name": "ANN-1000"}),
    "Metal Annealing": (P + "transform.Annealing", {
        "short_name": "Ti/Pt", "duration_measured": 30.0, "temperature_final_target": 450.0}),
    "Wet Etching": (P + "remove.WetEtching", {
        "short_name": "SiO2", "duration_target": 5.5, "depth_target": 250.0,
        "duration_measured": 6.25, "depth_measured": 252.0, "etching_solution": "BHF 7:1"}),
    "RIE": (P + "remove.RIE", {
        "depth_target": 220.0, "duration_target": 300.0, "depth_measured": 218.5,
        "duration_measured": 305.0, "short_name": "Si3N4", "job_number": 3101,
        "recipe_name": "SiN-CHF3"}),
    "RIE Metal": (P + "remove.RIE", {
        "depth_target": 150.0, "duration_target": 240.0, "depth_measured": 151.0,
        "duration_measured": 250.0, "short_name": "Al", "job_number": 3102,
        "recipe_name": "Al-Cl2"}),
    "LTO Densification": (P + "transform.LTODensification", {
        "densification_type": "N2 anneal", "temperature_target": 900.0,
        "duration_measured": 60.0, "job_number": 3103, "recipe_name": "LTO-DENS-900",
        "notes": NOTES + "Out_Thickness: 480 nm"}),
    "Sputtering-2": (P + "add.Sputtering", {
        "short_name": "Ti", "duration_measured": 120.0, "thickness_measured": 10.2,
        "thickness_target": 10.0, "chuck_temperature": 25.0, "power": 200.0,
        "delay_between_stack_layers": 2.0, "job_number": 3104}),
    "Sputtering KSE": (P + "add.Sputtering", {
        "power": 300.0, "short_name": "Al", "chuck_temperature": 150.0,
        "thickness_target": 500.0, "thickness_measured": 505.0, "duration_target": 900.0,
        "delay_between_stack_layers": 5.0}),
    "SOG": (P + "add.SOG", {
        "short_name": "Si", "thickness_target": 400.0, "pre_cleaning": "O2 plasma 2 min",
        "dewetting_duration": 10.0, "dewetting_temperature": 110.0}),
    "SOD": (P + "transform.SOD", {
        "short_name": "P509", "spin_dipHF_duration": 30, "dipping_HFsolution_proportions": "1:50",
        "water_rinse_required": "Yes", "spin_dryer_required": "Yes", "peb_duration": 900.0,
        "spin_frequency": 3000.0, "spin_dispensed_volume": 1.5}),
    "Doping": (P + "transform.Doping", {
        "doping_type": "phosphorus", "duration_target": 30.0, "temperature_target": 1000.0,
        "job_number": 3105, "recipe_name": "POCl3-1000"}),
    "Electron Gun KSE": (P + "add.ElectronGun", {
        "chamber_pressure": 2e-06, "short_name": "Cr", "thickness_target": 20.0,
        "thickness_measured": 21.5, "duration_target": 45.0, "spin_frequency": 20.0,
        "job_number": 3106, "recipe_name": "CR-20"}),
    "Electron Gun": (P + "add.ElectronGun", {
        "chamber_pressure": 5e-07, "short_name": "Au", "thickness_target": 200.0,
        "thickness_measured": 198.0, "duration_target": 600.0, "spin_frequency": 10.0,
        "job_number": 3107, "recipe_name": "AU-200"}),
}


def _exported_steps():
    out = {}
    for name in ("picotcdv3", "mems_gyro_b2", "sin_waveguide_07"):
        document = json.loads((DOCS / f"{name}.json").read_text(encoding="utf-8"))
        result = export_process(document, profile=PROFILE)
        by_file = dict(result.step_files)
        for step in document["steps"]:
            out.setdefault(step["type"], (step, result.archives[by_file[step["id"]]]["data"]))
    return out


STEPS = _exported_steps()


def test_profile_covers_the_30_seed_step_types():
    assert sorted(load_profile(PROFILE).step_types) == sorted(EXPECTED)
    assert len(EXPECTED) == 30


@pytest.mark.parametrize("step_type", sorted(EXPECTED))
def test_step_type_exports_exact_values(step_type):
    m_def, expected = EXPECTED[step_type]
    step, data = STEPS[step_type]
    assert data["m_def"] == m_def
    assert data["step_type"] == step_type
    assert data["name"] == step["name"]
    assert data["operator"] == step["operator"]
    assert data["starting_date"] == step["date"]
    own = {k: v for k, v in data.items() if k not in COMMON}
    assert own == expected
    for key, value in expected.items():  # exact types too: 25 stays int, 1500.0 is a float
        assert type(own[key]) is type(value), key


# The 32 defects of the original mapping (restated from the seed's known_defects), each with
# CAMS input that triggered it and what the fixed profile must produce instead. ABSENT: the
# key must not be written; NOTES: the value must be kept in the step's notes.
ABSENT = object()
DEFECTS = [
    # step type, NOMAD key, what went wrong, CAMS fields, expected {key: value}
    ("Labeling and Cleaning", "wafer_cleaning_rca_required",
     "a Yes/No transform on a key with no CAMS field", {"labeled_face": "back"},
     {"wafer_cleaning_rca_required": ABSENT}),
    ("Labeling and Cleaning", "wafer_cleaning_rca_required",
     "bools passed unchanged into a Yes/No/Other enum", {"Ultrasound": True},
     {"wafer_cleaning_rca_required": ABSENT, "wafer_cleaning_DI_ultrasound_required": "Yes"}),
    ("Labeling and Cleaning", "wafer_cleaning_DI_ultrasound_required",
     "bools passed unchanged into a Yes/No/Other enum", {"Ultrasound": False},
     {"wafer_cleaning_DI_ultrasound_required": "No"}),
    ("Labeling and Cleaning", "wafer_cleaning_piranha_required",
     "bools passed unchanged into a Yes/No/Other enum", {"piranha_cleaning": True},
     {"wafer_cleaning_piranha_required": "Yes"}),
    ("Labeling and Cleaning", "wafer_cleaning_dipHF_required",
     "bools passed unchanged into a Yes/No/Other enum", {"dip_hf": "no"},
     {"wafer_cleaning_dipHF_required": "No"}),
    ("Labeling and Cleaning", "wafer_cleaning_rinse_spin__driyer_required",
     "misspelt key: NOMAD dropped the rinse/dry answer", {"rinse_and_dry_": "Yes"},
     {"wafer_cleaning_rinse_spin__driyer_required": ABSENT,
      "wafer_cleaning_rinse_spin_dryer_required": "Yes"}),
    ("Coating", "hdms_required", "'Yes' text written into a bool", {"hmds": "Yes"},
     {"hdms_required": True}),
    ("Coating", "baking_required", "'No' text written into a bool", {"bake": "No"},
     {"baking_required": False}),
    ("Coating", "peb_required", "'Yes' text written into a bool", {"peb": "Yes"},
     {"peb_required": True}),
    ("Coating", "peb_duration", "H:M:S turned into minutes, stored as seconds",
     {"peb_time": "00:01:30"}, {"peb_duration": 90.0}),
    ("Starting Materials", "wafer_resistivity", "str2int made decimals -1",
     {"resistivity": "0,015"}, {"wafer_resistivity": 0.015}),
    ("Track", "exposure_duration", "duplicate key: the 'Expo' value was lost",
     {"Expo": 7.5}, {"exposure_duration": 7.5}),
    ("Track", "peb_duration", "H:M:S turned into minutes, stored as seconds",
     {"PEB_TIME": "00:02:00"}, {"peb_duration": 120.0}),
    ("Track", "hardbake_temperature", "a time conversion run on a temperature",
     {"hardbake_temp": 120}, {"hardbake_temperature": 120.0}),
    ("Track", "softbake_temperature", "a time conversion run on a temperature",
     {"sftbake_temp": "95"}, {"softbake_temperature": 95.0}),
    ("Track 2", "exposure_duration", "duplicate key: the 'Expo' value was lost",
     {"Expo": "12"}, {"exposure_duration": 12.0}),
    ("Track 2", "peb_duration", "H:M:S turned into minutes, stored as seconds",
     {"PEB_TIME": "00:00:45"}, {"peb_duration": 45.0}),
    ("Track 2", "hardbake_temperature", "a time conversion run on a temperature",
     {"hardbake_temp": 125.5}, {"hardbake_temperature": 125.5}),
    ("Track 2", "softbake_temperature", "a time conversion run on a temperature",
     {"sftbake_temp": 90}, {"softbake_temperature": 90.0}),
    ("LTO Densification", "thickness_measured", "key not in LTODensification: dropped",
     {"Out_Thickness": 480},
     {"thickness_measured": ABSENT, "notes": NOTES + "Out_Thickness: 480"}),
    ("Bonding", "alignment_required", "bools passed unchanged into a Yes/No/Other enum",
     {"ba6_alignement_required": True}, {"alignment_required": "Yes"}),
    ("Bonding", "wafer_space_required", "'Yes' text written into a bool",
     {"spacers": "Yes"}, {"wafer_space_required": True}),
    ("SOD", "water_rinse_required", "bools passed unchanged into a Yes/No/Other enum",
     {"Water_Rinse": False}, {"water_rinse_required": "No"}),
    ("SOD", "spin_dryer_required", "bools passed unchanged into a Yes/No/Other enum",
     {"spin_dryer": True}, {"spin_dryer_required": "Yes"}),
    ("SOD", "peb_duration", "H:M:S turned into minutes, stored as seconds",
     {"peb_duration": "00:15:00"}, {"peb_duration": 900.0}),
    ("Dicing", "blade_name", "key not in Dicing: the blade was dropped",
     {"dicing_blade": "Z09-SD3000"}, {"blade_name": ABSENT, "dicing_blade_name": "Z09-SD3000"}),
    ("Dicing", "protective_film_required", "'No' text written into a bool",
     {"double_dicing_film": "No"}, {"protective_film_required": False}),
    ("Electron Gun KSE", "spin_frequency ", "key with a trailing space",
     {"rot_speed": "20"}, {"spin_frequency ": ABSENT, "spin_frequency": 20.0}),
    ("Electron Gun KSE", "spin_frequency ", "key not in ElectronGun: dropped",
     {"rot_speed": 15.5}, {"spin_frequency ": ABSENT, "spin_frequency": 15.5}),
    ("Electron Gun", "chamber_pressure", "str2int made 5e-7 mbar into -1",
     {"chamber_vacuum": "5e-7"}, {"chamber_pressure": 5e-07}),
    ("Electron Gun", "spin_frequency ", "key with a trailing space",
     {"rot_speed": 10}, {"spin_frequency ": ABSENT, "spin_frequency": 10.0}),
    ("Electron Gun", "spin_frequency ", "key not in ElectronGun: dropped",
     {"rot_speed": "12,5"}, {"spin_frequency ": ABSENT, "spin_frequency": 12.5}),
]


def test_defect_table_has_the_32_known_defects():
    assert len(DEFECTS) == 32


def _one_step(step_type, fields):
    document = {
        "process": {"id": 9, "name": "defect check", "start_date": "2025-04-01T08:00:00+02:00"},
        "steps": [{"id": 1, "position": 1, "type": step_type, "name": "s",
                   "date": "2025-04-01T09:00:00+02:00", "operator": "x", "fields": fields}],
    }
    result = export_process(document, profile=PROFILE)  # also validated: no dropped key
    return result.archives[result.step_files[0][1]]["data"]


@pytest.mark.parametrize(
    ("step_type", "key", "defect", "fields", "expected"),
    DEFECTS,
    ids=[f"{d[0]}:{d[1].strip()}:{i}" for i, d in enumerate(DEFECTS)],
)
def test_known_defect_is_fixed(step_type, key, defect, fields, expected):
    data = _one_step(step_type, fields)
    for target, value in expected.items():
        if value is ABSENT:
            assert target not in data, defect
        else:
            assert data.get(target) == value, defect
            assert type(data[target]) is type(value), defect


def test_no_minus_one_for_a_decimal():
    """str2int's -1: a decimal or range into an integer is now an error, never -1."""
    from cams_module.export import ExportError

    with pytest.raises(ExportError) as err:
        _one_step("RIE", {"process_number": "1-10"})
    assert "whole number" in str(err.value)
    assert _one_step("Starting Materials", {"resistivity": "1.5"})["wafer_resistivity"] == 1.5


def test_no_duplicate_targets_and_no_empty_field_transforms():
    prof = load_profile(PROFILE)
    for st in prof.step_types.values():
        targets = [e.target for e in st.entries]
        assert len(targets) == len(set(targets)), st.name
        for e in st.own_entries:
            assert e.field or e.has_constant, (st.name, e.target)
            assert e.field != "", (st.name, e.target)


def test_no_time_conversion_on_temperatures():
    prof = load_profile(PROFILE)
    for st in prof.step_types.values():
        for e in st.entries:
            if e.quantity.unit and "Celsius" in e.quantity.unit and "/" not in e.quantity.unit:
                assert e.convert == "number", (st.name, e.target)
