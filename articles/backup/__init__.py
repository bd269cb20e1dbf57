"""A whole newsroom as one archive: export it, restore it on another site."""
