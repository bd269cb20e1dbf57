"""The demo newsroom: its stories, people and publications as data (content.json), and the
pictures drawn for them (images.py). manage.py load_demo builds the network from both."""

import json
from importlib.resources import files


def content():
    """content.json: {"publications": […], "sections": […], "people": […], "articles": […]}.

    Read through importlib.resources, so it is found in an installed package as well as in
    a checkout (pyproject.toml lists it as package data)."""
    return json.loads(files(__package__).joinpath("content.json").read_text(encoding="utf-8"))
