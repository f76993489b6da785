"""The operator's "Who did what" list: subjects in words, details as changes, several services'
records merged newest first."""

from services.portal.operator.activity import detail_lines, newest_first, subject_words


def test_a_subject_is_named_by_its_kind_and_id() -> None:
    assert subject_words("facilitator 12") == ("Facilitator %(id)s", "12")
    assert subject_words("API key 7") == ("API key %(id)s", "7")
    assert subject_words("window 2031-01-01/2031-01-08") == (
        "Cohorts starting %(id)s",
        "2031-01-01 \u2013 2031-01-08",
    )
    assert subject_words("something new 3") == ("%(id)s", "something new 3")


def test_details_read_as_values_and_changes() -> None:
    details = {"pd_hours": {"from": 3.0, "to": 4.5}, "to": ["a", "b"], "affiliate_id": None}
    assert detail_lines(details) == [
        ("pd_hours", "3.0 → 4.5"),
        ("to", "a, b"),
        ("affiliate_id", "—"),
    ]


def _page(*stamps: str, total: int | None = None) -> dict[str, object]:
    items = [{"id": n, "at": at} for n, at in enumerate(stamps, start=1)]
    return {"items": items, "total": len(items) if total is None else total}


def test_records_of_several_services_merge_newest_first() -> None:
    pages = {
        "registry": _page("2030-01-01T10:00:00+00:00", "2030-01-01T08:00:00+00:00"),
        "scheduler": _page("2030-01-01T09:00:00+00:00"),
    }
    records, more = newest_first(pages, limit=2)
    assert [(r["service"], r["at"][11:13]) for r in records] == [
        ("registry", "10"),
        ("scheduler", "09"),
    ]
    assert more, "the third record is left for the next page"
    assert newest_first(pages, limit=3)[1] is False
    assert newest_first({"registry": _page("2030-01-01T10:00:00+00:00", total=9)}, 5)[1]
