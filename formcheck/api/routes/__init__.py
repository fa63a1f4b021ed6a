"""One module per resource; ``formcheck.api.main`` mounts them."""
