"""Unit labels as the editor shows them ("mbar" for "millibar")."""

from __future__ import annotations

import pint

from cams_module.cams2nomad.units import ureg


def unit_label(unit: str | None) -> str:
    """A short human label for a declared unit ("mbar" for "millibar"); '' when unitless."""
    if not unit:
        return ""
    try:
        return f"{ureg.Unit(unit):~P}" or unit
    except (pint.errors.PintError, ValueError, AttributeError):
        return unit
