"""Anonymous refusals are counted per minute, source and reason, in a bounded table."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kinerja.db.refusals import MAX_SOURCES_PER_MINUTE, OTHER_SOURCES, count_refusal, refusal_counts

T0 = datetime(2026, 12, 4, 20, 0, 5)


def test_counters_add_up_per_minute_and_cap_the_sources_of_a_minute(session: Session) -> None:
    for second in range(3):
        count_refusal(
            session, source="10.0.0.1", reason="POST invalid", at=T0 + timedelta(seconds=second)
        )
    count_refusal(session, source="10.0.0.1", reason="POST invalid", at=T0 + timedelta(minutes=1))
    for i in range(MAX_SOURCES_PER_MINUTE + 50):
        count_refusal(session, source=f"10.1.{i // 250}.{i % 250}", reason="GET invalid", at=T0)
    session.commit()
    counts = refusal_counts(session)
    first = [c for c in counts if c.minute == T0.replace(second=0)]
    assert len({c.source for c in first}) == MAX_SOURCES_PER_MINUTE + 1  # the cap, then "others"
    assert sum(c.count for c in counts) == 3 + 1 + MAX_SOURCES_PER_MINUTE + 50
    others = [c for c in first if c.source == OTHER_SOURCES]
    assert [c.count for c in others] == [51]  # the 1st source past the cap, then 50 more
    again = [(c.source, c.count) for c in counts if c.source == "10.0.0.1"]
    assert again == [("10.0.0.1", 3), ("10.0.0.1", 1)]
