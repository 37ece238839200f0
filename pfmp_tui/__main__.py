"""`python -m pfmp_tui` is the `pfmp` command."""

from pfmp_tui.cli.main import run

run()
