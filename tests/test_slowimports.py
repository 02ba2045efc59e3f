"""``hcp run`` keeps jsonschema's rfc3987_syntax import (a Lark grammar built at import, about
1.6 s of CPU) out of its process; notebooks still read and validate."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
from hcp_lib.slowimports import skip_unused
skip_unused()
import nbformat, papermill
nb = nbformat.read(sys.argv[1], as_version=4)
nbformat.validate(nb)
print(sys.modules.get("rfc3987_syntax"), len(nb.cells))
"""


def test_notebooks_validate_without_rfc3987_syntax():
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "notebooks/bulletin.ipynb")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    module, cells = done.stdout.split()
    assert module == "None" and int(cells) > 10
