"""The JobRunner, the one owner of the window's threads and child processes: callbacks in the main
thread, cancel (the job says how it ended) versus stop (waited for, then silent but for on_done), one
job per name, project jobs versus window jobs, and the progress widgets cleared by the job that wrote them."""

import threading

import pytest
from PySide6.QtCore import QCoreApplication, QProcess

from app.ui.job_runner import JobRunner
from app.ui.jobs import Worker

pytestmark = pytest.mark.gui


class Spin(Worker):
    """Ticks until cancelled (or until `frames`), recording the thread it ran in."""

    what = "spinning"

    def __init__(self, frames: int = 10**9):
        super().__init__("nothing.mp4")
        self.frames, self.thread_id = frames, None

    def work(self):
        self.thread_id = threading.get_ident()
        for done in range(self.frames):
            self.tick(done, self.frames)
        return self.frames


class Calls:
    def __init__(self):
        self.log, self.threads = [], set()

    def __getattr__(self, name):
        def record(*args):
            self.log.append((name, *args))
            self.threads.add(threading.get_ident())
        return record


@pytest.fixture
def runner(qapp):
    runner = JobRunner()
    yield runner
    runner.stop_all()


def _start(runner, name="spin", worker=None, project=True):
    calls, worker = Calls(), worker or Spin()
    thread = runner.start_worker(name, worker, on_finished=calls.finished, on_errored=calls.errored,
                                 on_cancelled=calls.cancelled, on_progress=calls.progress, on_done=calls.done,
                                 project=project)
    return calls, worker, thread


def test_a_finished_job_reports_in_the_main_thread_then_ends(runner, qtbot):
    calls, worker, thread = _start(runner, worker=Spin(frames=100))
    assert runner.running("spin") and runner.thread("spin") is thread
    qtbot.waitUntil(lambda: not runner.running("spin"), timeout=10000)
    assert thread.isFinished() and worker.thread_id != threading.get_ident()
    assert calls.threads == {threading.get_ident()}  # every callback ran in the main thread
    names = [entry[0] for entry in calls.log]
    assert names[-2:] == ["finished", "done"] and ("finished", 100) in calls.log and "progress" in names


def test_cancel_lets_the_job_say_how_it_ended(runner, qtbot):
    calls, _, _ = _start(runner)
    qtbot.waitUntil(lambda: any(entry[0] == "progress" for entry in calls.log), timeout=10000)
    runner.cancel("spin")
    qtbot.waitUntil(lambda: not runner.running("spin"), timeout=10000)
    assert [entry[0] for entry in calls.log][-2:] == ["cancelled", "done"]


def test_stop_waits_and_nothing_but_on_done_calls_back(runner, qtbot):
    calls, _, thread = _start(runner)
    qtbot.waitUntil(lambda: any(entry[0] == "progress" for entry in calls.log), timeout=10000)
    before = len(calls.log)
    runner.stop("spin")
    assert thread.isFinished() and not runner.running("spin")
    QCoreApplication.processEvents()  # whatever the worker emitted before it stopped is delivered now: dropped
    assert calls.log[before:] == [("done",)]


def test_one_job_per_name(runner):
    _start(runner)
    with pytest.raises(RuntimeError, match="running already"):
        _start(runner)


def test_closing_a_project_stops_its_jobs_only_and_closing_the_window_stops_all(runner):
    project_calls, _, project_thread = _start(runner, "analysis")
    window_calls, _, window_thread = _start(runner, "frame count", project=False)
    runner.stop_project_jobs()
    assert project_thread.isFinished() and runner.names() == ["frame count"]
    runner.stop_all()
    assert window_thread.isFinished() and runner.names() == []
    assert project_calls.log[-1] == window_calls.log[-1] == ("done",)


def test_a_child_process_is_interrupted_and_waited_for(runner, qtbot):
    calls = Calls()
    code = "import sys, time\nprint('ready', flush=True)\ntime.sleep(600)"
    process = runner.start_process("training", ["-c", code], on_output=calls.output, on_finished=calls.finished,
                                   on_done=calls.done)
    printed = lambda: "".join(entry[1] for entry in calls.log if entry[0] == "output")  # noqa: E731
    qtbot.waitUntil(lambda: printed() == "ready\n", timeout=20000)
    assert runner.process("training") is process and process.state() == QProcess.ProcessState.Running
    runner.stop("training")
    assert process.state() == QProcess.ProcessState.NotRunning and runner.names() == []
    assert printed() == "ready\n"  # not the trace of its Ctrl-C
    assert [entry for entry in calls.log if entry[0] != "output"] == [("done",)]  # no on_finished after stop


def test_a_child_process_that_ends_reports_its_exit_code(runner, qtbot):
    calls = Calls()
    runner.start_process("batch", ["-c", "import sys; sys.exit(3)"], on_finished=calls.finished,
                         on_done=calls.done)
    qtbot.waitUntil(lambda: not runner.running("batch"), timeout=20000)
    assert calls.log == [("finished", 3), ("done",)]


def test_progress_is_cleared_by_the_job_that_wrote_it(runner):
    runner.show_progress("face tracking", "tracking the face…", 0, 300)
    assert not runner.progress.isHidden() and runner.progress.maximum() == 300
    runner.show_progress("spotter", "motion spotter: frame 32")  # the label only
    runner.clear_progress("face tracking")  # the bar was its own; the label is the spotter's now
    assert runner.label.text() == "motion spotter: frame 32" and runner.progress.isHidden()
    runner.clear_progress("spotter")
    assert runner.label.text() == ""
