"""The articles app's one migration history."""
