"""Command-line options that several commands share."""

from __future__ import annotations

from pathlib import Path

import click

WAREHOUSE_HELP = "warehouse directory (default: $XXGK_WAREHOUSE or ./data)"

warehouse_option = click.option(
    "--warehouse",
    "warehouse",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=WAREHOUSE_HELP,
)
