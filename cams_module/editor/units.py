"""Unit labels as the editor shows them ("mbar" for "millibar"): the parser's own symbols."""

from __future__ import annotations

from cams_module.cams2nomad.units import unit_symbol


def unit_label(unit: str | None) -> str:
    """A short human label for a declared unit ("mbar" for "millibar"); '' when unitless."""
    return unit_symbol(unit)
