"""JobRunner: the one owner of the window's background work. Every worker thread (counting a new
video's frames, face tracking, the motion spotter, model analysis) and every child process (training,
batch scoring) the window starts is started here, and so are the status-bar widgets that show their
progress. Closing the window calls `stop_all`; closing a project, `stop_project_jobs`.

A job has a name ("frame count", "face tracking", "spotter", "analysis", "training", "batch"); one
job of a name runs at a time. Its callbacks run in the main thread (worker signals are relayed
there). Ending a job:

- `cancel(name)` asks it to stop (a worker's cancel flag; Ctrl-C for a child process) and returns;
  the job still reports how it ended through its callbacks.
- `stop(name)` cancels it and waits for it (a child process that does not end within
  PROCESS_TIMEOUT_MS is killed). A stopped job calls back nothing but `on_done`, so nothing it
  reports late reaches a project that has been closed.

`on_done()` is called exactly once per job, when it has ended in any way; then the progress
widgets are cleared if that job was the last to write them.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Callable, Optional, Sequence

from PySide6.QtCore import QObject, QProcess, QThread, SignalInstance
from PySide6.QtWidgets import QLabel, QProgressBar

from app.ui.jobs import Worker, start_in_thread

THREAD_TIMEOUT_MS = 30000
PROCESS_TIMEOUT_MS = 30000

Callback = Optional[Callable[..., None]]


class _Relay(QObject):
    """Calls `callback` in the main thread (its thread) for a signal emitted anywhere, while the job is live."""

    def __init__(self, job: "_Job", callback: Callable[..., None]):
        super().__init__(job)
        self._job, self._callback = job, callback

    def forward(self, *args) -> None:
        if self._job.live:
            self._callback(*args)


class _Job(QObject):
    def __init__(self, runner: "JobRunner", name: str, on_done: Callback, project: bool):
        super().__init__(runner)
        self.name, self.project, self.live = name, project, True
        self._runner, self._on_done = runner, on_done
        self.worker: Optional[Worker] = None
        self.thread: Optional[QThread] = None
        self.process: Optional[QProcess] = None
        self.ended = False

    def relay(self, signal: SignalInstance, callback: Callback) -> None:
        if callback is not None:
            signal.connect(_Relay(self, callback).forward)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        if self.process is not None and self.process.processId():
            try:
                os.kill(self.process.processId(), signal.SIGINT)  # Ctrl-C: it saves its state and exits
            except OSError:
                pass  # it ended meanwhile

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait(THREAD_TIMEOUT_MS)
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            if not self.process.waitForFinished(PROCESS_TIMEOUT_MS):
                self.process.kill()
                self.process.waitForFinished(5000)

    def on_thread_finished(self) -> None:  # a method of a main-thread QObject: queued to the main thread
        self._runner._ended(self)

    def on_process_finished(self, exit_code: int, _status=None) -> None:
        self._runner._ended(self)

    def done(self) -> None:
        if not self.ended:
            self.ended = True
            if self._on_done is not None:
                self._on_done()


class JobRunner(QObject):
    def __init__(self, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.label = QLabel()
        self._jobs: dict[str, _Job] = {}
        self._label_by: Optional[str] = None  # the job that wrote the label last
        self._bar_by: Optional[str] = None  # the job that showed the bar last

    # -- what runs ------------------------------------------------------------------------------------

    def running(self, name: str) -> bool:
        return name in self._jobs

    def names(self) -> list[str]:
        return list(self._jobs)

    def thread(self, name: str) -> Optional[QThread]:
        job = self._jobs.get(name)
        return job.thread if job is not None else None

    def process(self, name: str) -> Optional[QProcess]:
        job = self._jobs.get(name)
        return job.process if job is not None else None

    # -- starting -------------------------------------------------------------------------------------

    def _new_job(self, name: str, on_done: Callback, project: bool) -> _Job:
        if name in self._jobs:
            raise RuntimeError(f"a job named {name!r} is running already")
        job = _Job(self, name, on_done, project)
        self._jobs[name] = job
        return job

    def start_worker(self, name: str, worker: Worker, *, on_finished: Callback = None, on_errored: Callback = None,
                     on_cancelled: Callback = None, on_progress: Callback = None, on_done: Callback = None,
                     signals: Sequence[tuple[SignalInstance, Callable[..., None]]] = (),
                     project: bool = True) -> QThread:
        """Run `worker` in a new thread. `signals`: more of the worker's signals, each with its callback.
        `project`: the job belongs to the open project (closing the project stops it)."""
        job = self._new_job(name, on_done, project)
        for sig, callback in ((worker.finished, on_finished), (worker.errored, on_errored),
                              (worker.cancelled, on_cancelled), (worker.progress, on_progress), *signals):
            job.relay(sig, callback)
        job.worker = worker
        job.thread = start_in_thread(worker, job, job.on_thread_finished)
        return job.thread

    def start_process(self, name: str, arguments: list[str], *, on_output: Callback = None,
                      on_finished: Callback = None, on_done: Callback = None, project: bool = True) -> QProcess:
        """Run `python arguments...` (this interpreter) as a child process, its output and errors merged.
        `on_output(text)` gets what it printed; `on_finished(exit_code)` its end (not after `stop`)."""
        job = self._new_job(name, on_done, project)
        process = QProcess(job)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        job.relay(process.readyReadStandardOutput,
                  (lambda: on_output(bytes(process.readAllStandardOutput()).decode(errors="replace")))
                  if on_output is not None else None)
        job.relay(process.finished, (lambda exit_code, _status: on_finished(exit_code))
                  if on_finished is not None else None)
        process.finished.connect(job.on_process_finished)
        job.process = process
        process.start(sys.executable, arguments)
        return process

    # -- ending ---------------------------------------------------------------------------------------

    def cancel(self, name: str) -> None:
        """Ask the job to stop; it still reports how it ended."""
        job = self._jobs.get(name)
        if job is not None:
            job.cancel()

    def wait(self, name: str) -> None:
        """Wait for the job to end (its callbacks still run)."""
        job = self._jobs.get(name)
        if job is not None:
            job.wait()

    def stop(self, *names: str) -> None:
        """Cancel these jobs and wait for each; they call back nothing more but `on_done`."""
        jobs = [self._jobs[name] for name in names if name in self._jobs]
        for job in jobs:
            job.live = False
            if job.process is not None:
                job.process.waitForStarted(5000)  # a process just started may have no id yet
            job.cancel()
        for job in jobs:
            job.wait()
            self._ended(job)

    def stop_project_jobs(self) -> None:
        """The project closes: stop the jobs that belong to it (not the frame count of a video being
        opened, nor a batch run)."""
        self.stop(*[name for name, job in self._jobs.items() if job.project])

    def stop_all(self) -> None:
        """The window closes: stop every job."""
        self.stop(*self._jobs)

    def _ended(self, job: _Job) -> None:
        if self._jobs.get(job.name) is job:
            del self._jobs[job.name]
        elif job.ended:
            return  # a stopped job's late signal: already handled
        job.worker = None
        job.done()
        self.clear_progress(job.name)

    # -- progress in the status bar -------------------------------------------------------------------

    def show_progress(self, name: str, text: str, value: Optional[int] = None,
                      maximum: Optional[int] = None) -> None:
        """Show `text` for job `name`; with `value` or `maximum` also the bar (maximum 0: busy)."""
        self._label_by = name
        self.label.setText(text)
        if maximum is not None:
            self.progress.setRange(0, maximum)
        if value is not None or maximum is not None:
            self._bar_by = name
            self.progress.setValue(value or 0)
            self.progress.show()

    def clear_progress(self, name: str) -> None:
        """Clear the label and hide the bar, each if job `name` wrote it last."""
        if self._label_by == name:
            self._label_by = None
            self.label.clear()
        if self._bar_by == name:
            self._bar_by = None
            self.progress.hide()
