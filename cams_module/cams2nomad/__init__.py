"""CAMS -> NOMAD mapping: profiles as JSON data, named converters, the profile loader."""
