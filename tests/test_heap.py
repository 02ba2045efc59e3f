"""The heap between batches: freed pages kept for reuse, returned past a limit or a one-off free.

Each check runs in a fresh interpreter: the settings are process-wide."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap")


def _run(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("ARROW_DEFAULT_MEMORY_POOL", "MIMALLOC_PURGE_DELAY")}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env={**environ, **env}, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_arrow_buffers_come_from_the_shared_heap_when_arrow_loaded_first():
    """Arrow loaded before ``prepare`` (a notebook): its pool purges as it always did, so its
    buffers move to glibc's heap, which keeps them."""
    out = _run("""
        import pyarrow as pa
        from hcp_lib import heap
        print(heap.reuse_pages(), pa.default_memory_pool().backend_name)
    """)
    assert out == "True system"


def test_prepared_before_arrow_loads_its_pool_keeps_freed_pages_a_while():
    """The stream's commands call ``prepare`` first: Arrow's mimalloc reads the purge delay
    as it loads and stays the pool, and the spawned previous quarter inherits the delay."""
    out = _run("""
        import os
        from hcp_lib import heap
        heap.prepare()
        import pyarrow as pa
        print(heap.reuse_pages(), pa.default_memory_pool().backend_name,
              os.environ["MIMALLOC_PURGE_DELAY"] == str(heap.PURGE_DELAY_MS))
    """)
    assert out == "True mimalloc True"


def test_a_delay_the_user_chose_is_kept():
    out = _run("""
        import os
        from hcp_lib import heap
        heap.prepare()
        import pyarrow as pa
        heap.reuse_pages()
        print(os.environ["MIMALLOC_PURGE_DELAY"], pa.default_memory_pool().backend_name)
    """, MIMALLOC_PURGE_DELAY="5")
    assert out == "5 system"


ARROW_RESIDENT = """
    import pyarrow as pa, pyarrow.compute as pc
    from hcp_lib import heap

    def resident_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20

    heap.reuse_pages()
    one = pa.array([1.0] * (1 << 17))
    blocks = [pc.add(one, i) for i in range(300)]     # 300 buffers of 1 MB from Arrow's pool
    before = resident_mb()
    del blocks
    heap.give_back()
    print(round(before - resident_mb()))
"""


def test_arrow_pages_a_batch_freed_stay_for_the_next():
    out = _run("from hcp_lib import heap; heap.prepare()\n" + textwrap.dedent(ARROW_RESIDENT))
    assert int(out) < 50  # kept for the next batch (returned once idle for a second)


def test_a_pool_the_user_chose_is_asked_to_return_its_pages():
    out = _run(ARROW_RESIDENT, ARROW_DEFAULT_MEMORY_POOL="mimalloc")
    assert int(out) > 250


def test_a_pool_the_user_chose_is_kept():
    out = _run("""
        import pyarrow as pa
        from hcp_lib import heap
        before = pa.default_memory_pool().backend_name
        heap.reuse_pages()
        print(pa.default_memory_pool().backend_name == before, before)
    """, ARROW_DEFAULT_MEMORY_POOL="jemalloc")
    assert out.startswith("True")


RESIDENT = """
    import numpy as np
    from hcp_lib import heap

    def resident_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20

    heap.reuse_pages()
    blocks = [np.ones(1 << 17) for _ in range(300)]   # 300 blocks of 1 MB, on the heap
    keep = np.ones(1 << 17)                           # above them: the heap's top stays
    del blocks
    freed = resident_mb()
"""


def test_pages_a_batch_freed_stay_for_the_next():
    out = _run(RESIDENT + """
    heap.give_back()
    print(round(freed - resident_mb()))
    """)
    assert int(out) < 50  # 300 MB free is below the limit: kept, not faulted in again


def test_a_one_off_free_is_returned_at_once():
    out = _run(RESIDENT + """
    heap.give_back(freed=heap.ONE_OFF)
    print(round(freed - resident_mb()))
    """)
    assert int(out) > 250


def test_free_memory_past_the_limit_is_returned():
    out = _run(RESIDENT + """
    heap.HELD_LIMIT = 100 << 20
    heap.give_back()
    print(round(freed - resident_mb()))
    """)
    assert int(out) > 250
