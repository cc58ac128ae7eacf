"""`tsfmicro report`: one self-contained HTML file, on the demo video with its true events and on a
real project file written through the project store."""

import base64
import shutil
from html.parser import HTMLParser

import numpy as np
import pytest

from app.cli import main
from app.core.events_csv import read_events_csv
from app.core.project_store import ProjectStore
from app.media import content_hash
from app.report import gather, write_report
from app.resources import resource_path

DEMO = resource_path("demo", "astronaut_demo.mp4")
EVENTS = resource_path("demo", "astronaut_demo.events.csv")


class Page(HTMLParser):
    """The parts of a report the tests look at: images, attributes, rows per table."""

    def __init__(self, text: str):
        super().__init__()
        self.images, self.attributes, self.rows, self.table = {}, [], {}, None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.attributes += [(tag, k, v or "") for k, v in attrs.items()]
        if tag == "img":
            self.images[attrs.get("id") or f"img{len(self.images)}"] = attrs["src"]
        if tag == "table":
            self.table = attrs.get("id", "")
            self.rows[self.table] = 0
        if tag == "tr" and self.table is not None:
            self.rows[self.table] += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None


def assert_self_contained(text: str, page: Page) -> None:
    for tag, name, value in page.attributes:
        assert not value.strip().lower().startswith(("http:", "https:", "//", "file:")), (tag, name, value)
        if name in ("src", "href"):
            assert value.startswith("data:image/png;base64,"), (tag, name, value[:60])
    assert "url(" not in text and "@import" not in text and "<script" not in text and "<link" not in text


def test_demo_video_with_its_events(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(DEMO), "--events", str(EVENTS), "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert_self_contained(text, page)
    assert base64.b64decode(page.images["timeline"].split(",", 1)[1]).startswith(b"\x89PNG")
    n_events = len(read_events_csv(EVENTS).accepted)
    assert page.rows["events"] == 1 + n_events  # header + one row per event
    assert sum(1 for k in page.images if k != "timeline") == 2 * n_events  # onset and apex faces
    assert page.rows["model-card"] >= 2 and "Not validated on real micro-expressions" in text
    assert content_hash(DEMO) in text and "300" in text and "10.00 s" in text
    assert page.rows["counts"] == 1 + 3 + 1  # header, disgust / others / surprise, all


@pytest.fixture
def project(tmp_path):
    video = tmp_path / "interview.mp4"
    shutil.copy(DEMO, video)
    events = [e.__class__(**{**e.__dict__, "video": str(video), "annotator": "Dr. Ada Example",
                             "source": "manual", "notes": "brow <raised> & held"})
              for e in read_events_csv(EVENTS).accepted]
    path = tmp_path / "interview.tsfproj"
    with ProjectStore.create(path, video, content_hash(video), 30.0, 300) as store:
        for event in events:
            store.add_event(event)
        store.replace_event(events[1].__class__(**{**events[1].__dict__, "emotion": "others"}))
        store.remove_event(events[3].event_id)
        t = np.arange(300) / 300
        store.put_curve_chunks(0, {"p_onset": t, "p_apex": 1 - t, "p_offset": t * (1 - t), "p_none": t})
        store.put_curve_chunk("motion", 0, np.abs(np.sin(np.arange(300) / 9.0)) * 4)
    return path, video


def test_project_file(project, tmp_path):
    path, _ = project
    data = gather(path, with_card=False)
    assert set(data.curves) == {"p_onset", "p_apex", "p_offset", "motion"}
    assert [e["action"] for e in data.edits] == ["add"] * 4 + ["edit", "remove"]
    out = write_report(tmp_path / "project.html", data)
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert_self_contained(text, page)
    assert page.rows["events"] == 1 + 3 and page.rows["edits"] == 1 + 6
    assert "Dr. Ada Example (3 events)" in text and "project created" in text
    assert "brow &lt;raised&gt; &amp; held" in text and "<raised>" not in text
    assert "Model" in text and "No model card" in text


def test_project_whose_video_moved(project, tmp_path, capsys):
    path, video = project
    video.unlink()
    out = tmp_path / "moved.html"
    assert main(["report", str(path), "--out", str(out), "--no-card"]) == 0
    assert "the video is not at" in capsys.readouterr().err
    page = Page(out.read_text(encoding="utf-8"))
    assert list(page.images) == ["timeline"] and page.rows["events"] == 4


@pytest.mark.parametrize("args, problem", [
    (["nope.mp4"], "nope.mp4"),
    ([str(DEMO), "--events", "missing.csv"], "missing.csv: labels file not found"),
    ([str(DEMO), "--out", "/no/such/folder/r.html"], "/no/such/folder"),
])
def test_errors_name_the_file(tmp_path, capsys, args, problem):
    argv = ["report", *args, "--no-card"]
    if "--out" not in args:
        argv += ["--out", str(tmp_path / "r.html")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tsfmicro report: error:") and problem in err
    assert not (tmp_path / "r.html").exists()
