"""The back-shape stage: the back edge of the person's silhouette, between pose and metrics."""
