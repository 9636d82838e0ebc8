"""The install is quiet: `make venv` upgrades pip before installing, because
the pip that Python 3.11's venv bundles (23.2) does not normalise the names of
extras and warns on every install that lxml has no extra 'html_clean' (which
jusText, under trafilatura, asks for so spelled; lxml names it html-clean)."""

from __future__ import annotations

import subprocess
import sys


def test_the_virtualenvs_pip_reads_lxmls_extra_as_justext_spells_it() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert int(version.split(".")[0]) >= 24, f"pip {version}: run `make venv`"
    # nothing installed is missing a requirement (lxml_html_clean among them)
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
