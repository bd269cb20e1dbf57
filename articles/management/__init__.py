"""The `manage.py` commands: thin shells that parse options and call the room that does the
work (importers, backup, editorial, demo). Nothing imports them."""
