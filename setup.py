"""The one packaging step pyproject.toml can't say: ``saved_models/`` installs as the package
``seq2add_models`` (the shipped models, read through importlib.resources by core/store.py) while
the clone keeps its folder name. Everything else about the package is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["core", "core.*", "seq2add_tui", "seq2add_tui.*"]),
        "seq2add_models",
    ],
    package_dir={"seq2add_models": "saved_models"},
    package_data={
        "seq2add_tui": ["*.tcss", "web/*"],
        "seq2add_models": ["*/*.json", "*/*.h5"],
    },
)
