"""Fault checks: spec rules turned into debounced fault events."""
