"""numpy's linear-algebra library kept to one thread: hcp does no linear algebra.

numpy's wheels bundle OpenBLAS, which starts a thread per core when numpy is imported and
leaves them spinning for a while after: about 45 ms of CPU in every process on the two-core
machine the benchmarks run on. A run's three processes (its own, the previous quarter's, the
notebook kernel's) load numpy while both cores are busy, so that CPU came out of the run's
time. Nothing in hcp multiplies matrices, so one thread loses nothing.
"""

from __future__ import annotations

import os
import sys
from functools import cache

VARIABLES = ("OPENBLAS_NUM_THREADS",)
"""Read by OpenBLAS when numpy loads it; child processes (the previous quarter's, the
notebook kernel) inherit them."""


@cache
def one_thread() -> bool:
    """Ask for one BLAS thread, unless numpy is loaded already or the user chose a number.

    Returns whether the setting was made here."""
    if "numpy" in sys.modules or any(name in os.environ for name in VARIABLES):
        return False
    for name in VARIABLES:
        os.environ[name] = "1"
    return True
