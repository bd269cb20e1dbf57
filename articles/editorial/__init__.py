"""How a story moves through the newsroom: the workflow's transitions and the signals they
send, roles, revisions and diffs, notifications and go-live events."""
