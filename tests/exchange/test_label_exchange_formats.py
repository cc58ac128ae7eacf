"""The reviewer's File > Export / Import: the same formats as `tsfmicro convert`, chosen by extension."""

import json

from app.core.events import Event
from app.core.label_exchange import export_labels, labels_for_video
from app.resources import demo_video_path
from tests.exchange.test_eaf import ELAN_FILE

EVENTS = [Event("x", "s1", "e1", 3, 5, 9, 30.0, "micro", "fear", "1+2"),
          Event("x", "s1", "e2", 40, 41, 90, 30.0, "macro", "anger", "")]


def test_export_and_import_through_elan_and_boris(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")
    for name in ("clip.eaf", "clip.boris"):
        export_labels(tmp_path / name, EVENTS, video)
        events, report, elsewhere = labels_for_video(tmp_path / name, video)
        assert report.ok and elsewhere == 0
        assert [(e.event_id, e.onset_frame, e.apex_frame, e.offset_frame, e.video) for e in events] == [
            ("e1", 3, 5, 9, str(video.resolve())), ("e2", 40, 41, 90, str(video.resolve()))]
    assert json.loads((tmp_path / "clip.boris").read_text())["observations"]["clip"]["file"]["1"] == ["clip.mp4"]


def test_an_elan_file_without_fps_takes_the_videos(tmp_path):
    (tmp_path / "interview7.eaf").write_text(ELAN_FILE)
    events, report, _ = labels_for_video(tmp_path / "interview7.eaf", demo_video_path())  # the demo is 30 fps
    assert report.ok and [(e.kind, e.onset_frame, e.offset_frame, e.fps) for e in events][0] == ("micro", 30, 41, 30.0)
