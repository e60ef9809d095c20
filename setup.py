"""cams-nomad: publish CAMS (jam.py LIMS) fabrication processes to NOMAD as FAIR data."""

from pathlib import Path

from setuptools import find_packages, setup

PACKAGE = "cams_module"


def package_data(root: str = PACKAGE) -> dict[str, list[str]]:
    """Every file of the package that is not Python (mapping profiles, the field catalogue,
    schema snapshots, ...), declared with the package whose folder holds it, so that a wheel
    ships all the data the product reads and no data folder is mistaken for a package."""
    data: dict[str, list[str]] = {}
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        owner = path.parent
        while not (owner / "__init__.py").is_file():
            owner = owner.parent
        data.setdefault(".".join(owner.parts), []).append(path.relative_to(owner).as_posix())
    return data


setup(
    name="cams-nomad",
    version="0.1.0",
    description="Bridge from the CAMS LIMS (jam.py) to the NOMAD FAIR data repository",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=[PACKAGE, f"{PACKAGE}.*"]),
    include_package_data=False,
    package_data=package_data(),
    # jam.py is the facility's: 5.5.4 (`pip install cams-nomad[jam5]`) or 7
    # (`cams-nomad[jam7]`); the command line tools need neither.
    install_requires=[
        "requests>=2.31",
        "pint>=0.23",
        "orjson>=3.9",
        "pyyaml>=6",
        "urllib3>=2",
        "werkzeug>=3",
        "huey>=2.5",
        "cryptography>=41",
    ],
    extras_require={
        "test": [
            "pytest>=8",
            "pytest-timeout>=2.3",
            "hypothesis>=6.100",
            "playwright==1.65.2",
            "psycopg2-binary>=2.9",
            "ruff>=0.6",
            "gunicorn>=22",
            "wheel>=0.40",
            "redis>=5",
        ],
        "web": ["gunicorn>=22"],
        "redis": ["redis>=5"],
        "postgres": ["psycopg2-binary>=2.9"],
        "jam5": ["jam.py-v5==5.5.4"],
        "jam7": ["jam.py-v7==7.0.120"],
    },
    entry_points={
        "console_scripts": [
            "cams-nomad=cams_module.cli:main",
            "official=cams_module.official:main",
        ]
    },
)
