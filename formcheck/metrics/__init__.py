"""Pure-numpy geometry, smoothing and the metric table that exercise specs refer to."""
