"""The helpers the subcommands share: one error line, and reading input files in order until one fails."""

from __future__ import annotations

from app.commands.common import command_error, read_inputs


def test_command_error_prints_one_line_and_returns_2(capsys) -> None:
    assert command_error("convert", "folder x does not exist") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "tsfmicro convert: error: folder x does not exist\n"


def test_read_inputs_reads_every_file_in_order(capsys) -> None:
    assert read_inputs("agree", ["a", "b"], str.upper, (ValueError,)) == ["A", "B"]
    assert capsys.readouterr().err == ""


def test_read_inputs_stops_at_the_first_failure_and_names_it(capsys) -> None:
    seen = []

    def read(file: str) -> str:
        seen.append(file)
        if file == "bad":
            raise ValueError(f"{file}: not a label file")
        return file

    assert read_inputs("au", ["good", "bad", "never"], read, (ValueError, FileNotFoundError)) is None
    assert seen == ["good", "bad"]
    assert capsys.readouterr().err == "tsfmicro au: error: bad: not a label file\n"
