"""The catalogue's workspace holds a tiny quarter that runs, and a refusal is checked whole."""

from catalogue import QUARTER

from hcp_lib.exitcodes import OK, USAGE


def test_a_good_run_republishes_the_report(workspace):
    done = workspace.run()
    assert done.code == OK, done.output
    assert (workspace.report / f"bulletin-{QUARTER}.html").is_file()
    assert (workspace.report / "manifest.json").is_file()


def test_a_malformed_date_is_refused_and_nothing_changes(workspace):
    before = workspace.state()
    done = workspace.run("--date", "2022-13-40")
    workspace.assert_refused(done, USAGE, r"--date", before)
