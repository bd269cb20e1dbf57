"""What an installed Newsroom (a wheel) carries besides its Python modules."""

import tomllib
from fnmatch import fnmatch
from pathlib import Path


def test_every_data_file_in_the_packages_is_declared_as_package_data():
    """An installed Newsroom (a wheel) holds Python modules and only the other files
    pyproject.toml lists as package data: load_demo reads content.json from the package."""
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = config.get("package-data", {})
    packages = [name.rstrip("*") for name in config["packages"]["find"]["include"]]
    data_files = [
        (package, path.relative_to(root / package).as_posix())
        for package in packages
        for path in (root / package).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]
    assert ("articles", "demo/content.json") in data_files
    undeclared = [
        f"{package}/{name}" for package, name in data_files
        if not any(fnmatch(name, pattern) for pattern in declared.get(package, []))
    ]
    assert undeclared == []
