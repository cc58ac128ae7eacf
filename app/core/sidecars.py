"""The column layouts of a test set's sidecar files, shared by what writes them (`tsfmicro testset`) and what reads
them (`tsfmicro evaluate`'s breakdown), so the two cannot drift apart."""

VIDEOS_COLUMNS = ("video", "renderer", "face", "face_kind", "fps", "n_frames", "injected_events")  # videos.csv
INTERVAL_COLUMNS = ("video", "kind", "start_frame", "end_frame")  # nuisance.csv (blinks, ...) and parts.csv
