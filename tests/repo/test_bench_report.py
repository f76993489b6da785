"""The bench helpers: report sections, percentiles, backlog growth, the open-loop verdict."""

from pathlib import Path

from bench.openloop import Outcome, _parse_head, percentile, slope
from bench.report import command, replace_section, table


def test_a_section_is_replaced_in_place_and_the_others_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "PERFORMANCE.md"
    replace_section("render", "## Rendering\nold", path)
    replace_section("pipeline", "## Pipeline\nfirst", path)
    replace_section("render", "## Rendering\nnew", path)
    text = path.read_text()
    assert text.startswith("# Performance\n")
    assert "new" in text and "old" not in text and "first" in text
    assert text.index("## Rendering") < text.index("## Pipeline")


def test_the_header_goes_first_even_when_written_last(tmp_path: Path) -> None:
    path = tmp_path / "PERFORMANCE.md"
    replace_section("render", "## Rendering", path)
    replace_section("header", "Measured on a machine.", path)
    text = path.read_text()
    assert text.index("Measured on a machine.") < text.index("## Rendering")


def test_command_quotes_what_needs_it() -> None:
    assert command("bench.x", "--name", "a b") == ".venv/bin/python -m bench.x --name 'a b'"


def test_table_aligns_numbers_right() -> None:
    assert table(["what", "n"], [["a", 1]]).splitlines()[1] == "| --- | ---: |"


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0


def test_slope_of_a_growing_backlog() -> None:
    assert slope([(0.0, 0.0), (1.0, 10.0), (2.0, 20.0)]) == 10.0
    assert slope([(0.0, 5.0)]) == 0.0


def test_a_phase_whose_backlog_grows_falls_behind() -> None:
    steady = Outcome("bare", rate=50, seconds=10, sent=2, latencies_ms=[5.0, 6.0])
    steady.backlog = [(t / 4, 2.0) for t in range(41)]
    growing = Outcome("bare", rate=50, seconds=10, sent=2, latencies_ms=[5.0, 6.0])
    growing.backlog = [(t / 4, 10.0 * t) for t in range(41)]
    assert steady.sustained
    assert not growing.sustained


def test_response_head_parsing() -> None:
    head = b"HTTP/1.1 201 Created\r\ncontent-length: 12\r\nconnection: close\r\n\r\n"
    assert _parse_head(head) == (201, 12, True)
