"""Small agency months for the national tests: each agency its own SQLite database."""

from __future__ import annotations

from pathlib import Path

import yaml

from kinerja.db.migrate import upgrade
from kinerja.db.session import make_engine, session_scope
from kinerja.sources.agencies import Agency
from tests.factories import MonthBuilder

PERIOD = "2025-10"


def agency_month(url: str, seed: int) -> int:
    """Two OPDs of a head and five staff, whose work differs by `seed`; returns employees."""
    mb = MonthBuilder(PERIOD)
    for o in range(2):
        opd = f"OPD-{o}"
        head = mb.good_employee(opd=opd, level="eselon_ii", job_title="Kepala")
        for j in range(5):
            nip = mb.employee(opd=opd, supervisor=head)
            mb.full_attendance(nip, late_minutes=[10 * ((seed + j) % 3)] * (j + 1))
            mb.full_activities(nip, main_ratio=0.2 + 0.15 * ((seed * 7 + j + o) % 6))
            mb.rate_360(nip, 2.5 + 0.5 * ((seed + j) % 4))
    mb.register_raters()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        mb.to_db(session)
    engine.dispose()
    return len(mb.employees)


def agencies(folder: Path, count: int = 3) -> list[Agency]:
    """`count` agencies with a month each, and their YAML file at folder/agencies.yaml."""
    out = []
    for i in range(count):
        url = f"sqlite:///{folder / f'agency{i}.db'}"
        agency_month(url, seed=i)
        out.append(Agency(code=f"INST-{i}", name=f"Instansi {i}", database_url=url))
    (folder / "agencies.yaml").write_text(
        yaml.safe_dump({"agencies": [a.model_dump(mode="json", exclude_none=True) for a in out]})
    )
    return out
