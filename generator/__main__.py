"""Allow `python -m generator`."""

from .cli import run

run()
