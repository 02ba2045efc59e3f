"""Charts shared between ``hcp run``'s thread and the notebook (``present.drawn``): each drawn
once, by whichever side claims it; a notebook run by hand draws everything itself."""

import subprocess
import sys
import threading
import time

import pytest

from hcp_lib.present import drawn


def _drawer(calls: list[str], name: str, png: bytes = b"\x89PNG fake"):
    def draw() -> bytes:
        calls.append(name)
        return png

    return draw


def test_a_notebook_run_by_hand_draws_itself(tmp_path):
    (tmp_path / "charts").mkdir()
    drawn.publish(tmp_path, "trends", b"an earlier hand run's chart")
    calls: list[str] = []
    assert drawn.take(tmp_path, "trends", _drawer(calls, "trends")) is None
    assert calls == []  # the caller draws; nothing stale is shown


def test_each_chart_is_drawn_once_by_whoever_claims_it(tmp_path):
    drawn.announce(tmp_path)
    calls: list[str] = []
    first = drawn.take(tmp_path, "trends", _drawer(calls, "trends", b"one"))
    second = drawn.take(tmp_path, "trends", _drawer(calls, "trends", b"two"))
    assert first == second == b"one" and calls == ["trends"]
    assert drawn.chart_path(tmp_path, "trends").read_bytes() == b"one"


def test_a_claimed_chart_is_waited_for(tmp_path):
    drawn.announce(tmp_path)
    assert drawn.claim(tmp_path, "bad_reviews")  # the other side is drawing it
    later = threading.Timer(0.2, drawn.publish, (tmp_path, "bad_reviews", b"theirs"))
    later.start()
    calls: list[str] = []
    start = time.monotonic()
    assert drawn.take(tmp_path, "bad_reviews", _drawer(calls, "bad_reviews")) == b"theirs"
    assert calls == [] and time.monotonic() - start >= 0.15
    later.join()


def test_a_failed_drawing_releases_its_claim(tmp_path):
    drawn.announce(tmp_path)

    def broken() -> bytes:
        raise RuntimeError("no font")

    with pytest.raises(RuntimeError):
        drawn.take(tmp_path, "trends", broken)
    calls: list[str] = []
    assert drawn.take(tmp_path, "trends", _drawer(calls, "trends")) == b"\x89PNG fake"
    assert calls == ["trends"]


def test_waiting_ends_when_the_run_gives_up(tmp_path):
    drawn.announce(tmp_path)
    assert drawn.claim(tmp_path, "trends")
    threading.Timer(0.1, drawn.finish, (tmp_path, False)).start()
    assert drawn.take(tmp_path, "trends", _drawer([], "trends")) is None


def test_a_complete_set_is_read_and_the_markers_cleared(tmp_path):
    drawn.announce(tmp_path)
    for name in ("region_levels", "trends"):
        assert drawn.claim(tmp_path, name)
        drawn.draw_claimed(tmp_path, name, _drawer([], name, name.encode()))
    drawn.finish(tmp_path, complete=True)
    calls: list[str] = []
    assert drawn.take(tmp_path, "region_levels", _drawer(calls, "x")) == b"region_levels"
    assert calls == []
    drawn.clear(tmp_path)
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == ["region_levels.png",
                                                                       "trends.png"]


def test_the_thread_draws_what_the_print_copies_and_the_mail_show_first(config):
    from hcp_lib.documents.background import chart_order, needed_charts
    from hcp_lib.present.chart_names import CAPTIONS

    needed = needed_charts(config)
    assert needed == list(dict.fromkeys([*config.documents.leadership_charts,
                                         *config.mail.charts]))
    order = chart_order(config)
    assert sorted(order) == sorted(CAPTIONS)
    assert order[:len(needed)] == needed
    rest = [n for n in CAPTIONS if n not in needed]
    assert order[len(needed):] == rest[::-1]  # the notebook's 附图 starts from the other end
    # the mail written elsewhere: only the print copies' charts are waited for
    assert needed_charts(config, mail=False) == list(config.documents.leadership_charts)


def test_a_print_copy_with_every_chart_waits_for_every_chart(config):
    from hcp_lib.documents.background import needed_charts
    from hcp_lib.present.chart_names import CAPTIONS

    analyst = config.documents.analyst.model_copy(update={"formats": ("html", "pdf")})
    documents = config.documents.model_copy(update={"analyst": analyst})
    printed = config.model_copy(update={"documents": documents})
    assert "figures" in analyst.sections
    assert sorted(needed_charts(printed, mail=False)) == sorted(CAPTIONS)


def test_a_claim_names_its_process_and_one_whose_process_died_is_taken_over(tmp_path):
    drawn.announce(tmp_path)
    code = ("import sys; from hcp_lib.present import drawn; "
            "assert drawn.claim(sys.argv[1], 'trends')")
    died = subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    assert died.returncode == 0
    claim = tmp_path / "charts" / ".trends.claim"
    assert claim.read_text().isdigit()  # the dead process's id
    calls: list[str] = []
    deadline = time.monotonic() + 5
    assert drawn.take(tmp_path, "trends", _drawer(calls, "trends"),
                      give_up=lambda: time.monotonic() > deadline) == b"\x89PNG fake"
    assert calls == ["trends"]
    assert drawn.claim(tmp_path, "region_levels")  # a living claimer is waited for
    assert drawn.take(tmp_path, "region_levels", _drawer(calls, "again"),
                      give_up=lambda: True) is None
    assert calls == ["trends"]


def test_a_claim_not_yet_signed_is_not_taken_over(tmp_path):
    drawn.announce(tmp_path)
    (tmp_path / "charts" / ".trends.claim").touch()  # created; its process id not yet written
    calls: list[str] = []
    assert drawn.take(tmp_path, "trends", _drawer(calls, "trends"), give_up=lambda: True) is None
    assert calls == []


def test_the_kernel_draws_ahead_only_in_a_run_that_shares_its_charts(tmp_path):
    calls: list[str] = []
    assert drawn.ahead(tmp_path, ["trends"], lambda name: _drawer(calls, name)) is None
    assert calls == []  # a notebook run by hand draws each chart when its cell asks


def test_drawing_ahead_skips_what_the_other_side_claimed(tmp_path):
    drawn.announce(tmp_path)
    assert drawn.claim(tmp_path, "unit_satisfaction")  # the run's thread is drawing it
    calls: list[str] = []
    names = ["unit_satisfaction", "region_levels", "active_rates"]
    thread = drawn.ahead(tmp_path, names, lambda name: _drawer(calls, name, name.encode()))
    thread.join(5)
    assert calls == ["region_levels", "active_rates"]
    # the cells find them drawn: nothing is drawn twice
    assert drawn.take(tmp_path, "active_rates", _drawer(calls, "again")) == b"active_rates"
    assert calls == ["region_levels", "active_rates"]


def test_a_failure_ahead_is_met_where_the_chart_is_needed(tmp_path):
    drawn.announce(tmp_path)
    tried: list[str] = []

    def drawer(name: str):
        def draw() -> bytes:
            tried.append(name)
            raise RuntimeError("no font")

        return draw

    drawn.ahead(tmp_path, ["trends", "bad_reviews"], drawer).join(5)
    assert tried == ["trends"]  # the thread stopped at the first failure, its claim released
    with pytest.raises(RuntimeError, match="no font"):
        drawn.take(tmp_path, "trends", drawer("trends"))
    calls: list[str] = []
    assert drawn.take(tmp_path, "bad_reviews", _drawer(calls, "bad_reviews")) is not None
    assert calls == ["bad_reviews"]
