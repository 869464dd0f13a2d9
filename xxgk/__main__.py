from xxgk.cli import cli

cli()
