"""A synthetic month for N employees, generated with numpy (no per-employee Python loop)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.rules.calendar import working_days
from kinerja.rules.frames import MonthData
from kinerja.rules.policy import Policy

ATTENDANCE_PER_EMPLOYEE = 21
ACTIVITIES_PER_EMPLOYEE = 60  # 40 main + 20 additional
RATERS = ["supervisor", "peer", "peer", "peer", "peer", "subordinate", "subordinate", "self"]
OPD_SIZE = 250
RUMPUN_COUNT = 10


def _clock_categories() -> list[str]:
    return [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]


def generate_month(
    employees: int, policy: Policy, period: str = "2025-10", seed: int = 1
) -> MonthData:
    """About 21 attendance rows, 60 activities and 56 questionnaire answers per employee.

    NIP columns are categoricals sharing the employee list's categories and times are
    categoricals over the 1,440 minutes of a day, as a loader would produce them.
    """
    rng = np.random.default_rng(seed)
    n = employees
    nips = np.array([f"1980010120100{i:05d}" for i in range(n)], dtype=object)
    nip_type = pd.CategoricalDtype(pd.Index(nips))
    pos = np.arange(n) % OPD_SIZE
    opd = np.arange(n) // OPD_SIZE
    base = opd * OPD_SIZE
    level = np.select(
        [pos == 0, pos <= 3, pos <= 13], ["eselon_ii", "eselon_iii", "eselon_iv"], "staff"
    )
    sup_pos = np.select(
        [pos == 0, pos <= 3, pos <= 13], [-1, 0, 1 + (pos - 4) % 3], 4 + (pos - 14) % 10
    )
    sup = np.where(sup_pos >= 0, base + sup_pos, -1)
    sup = np.where(sup < n, sup, -1)
    emp = pd.DataFrame(
        {
            "nip": nips,
            "name": pd.Series(nips).radd("Pegawai ").to_numpy(),
            "status": np.where(pos % 7 == 0, "PPPK", "PNS"),
            "opd_code": pd.Series(opd).map("OPD{:03d}".format).to_numpy(),
            "opd_name": pd.Series(opd).map("Dinas {:03d}".format).to_numpy(),
            "rumpun_code": pd.Series(opd % RUMPUN_COUNT).map("R{:02d}".format).to_numpy(),
            "position_level": level,
            "job_title": np.where(level == "staff", "Pelaksana", "Kepala"),
            "supervisor_nip": pd.Categorical.from_codes(sup, dtype=nip_type),
            "start_date": pd.Timestamp("2020-01-01"),
            "end_date": pd.NaT,
        }
    )
    emp["nip"] = emp["nip"].astype(nip_type)

    days = np.array(working_days(period, policy.calendar), dtype="datetime64[D]")
    clock = pd.CategoricalDtype(_clock_categories())

    # Attendance: the first 21 working days; 95% present, some leave/sick/absence.
    k = min(ATTENDANCE_PER_EMPLOYEE, len(days))
    a_emp = np.repeat(np.arange(n), k)
    a_day = np.tile(days[:k], n)
    draw = rng.random(n * k)
    status = np.select(
        [draw < 0.95, draw < 0.97, draw < 0.98, draw < 0.99],
        ["present", "leave", "sick", "official_travel"],
        "absent",
    )
    present = status == "present"
    arrive = (7 * 60 + rng.normal(20, 25, n * k)).clip(6 * 60, 12 * 60).astype(np.int64)
    leave = (16 * 60 + 15 + rng.normal(10, 20, n * k)).clip(13 * 60, 20 * 60).astype(np.int64)
    arrive = np.where(present & (rng.random(n * k) > 0.01), arrive, -1)
    leave = np.where(present & (rng.random(n * k) > 0.01), leave, -1)
    attendance = pd.DataFrame(
        {
            "nip": pd.Categorical.from_codes(a_emp, dtype=nip_type),
            "work_date": a_day.astype("datetime64[ns]"),
            "status": pd.Categorical(status),
            "check_in": pd.Categorical.from_codes(arrive, dtype=clock),
            "check_out": pd.Categorical.from_codes(leave, dtype=clock),
        }
    )

    # Activities: 40 main + 20 additional; mostly entered the same day inside the window.
    m = ACTIVITIES_PER_EMPLOYEE
    t_emp = np.repeat(np.arange(n), m)
    t_day = days[rng.integers(0, len(days), n * m)]
    lag = np.where(rng.random(n * m) < 0.9, 0, rng.integers(1, 10, n * m))
    minute_of_day = rng.integers(15 * 60 + 50, 17 * 60 + 50, n * m)
    entered = (
        t_day.astype("datetime64[m]")
        + (lag * 1440).astype("timedelta64[m]")
        + minute_of_day.astype("timedelta64[m]")
    )
    kind_codes = (np.arange(n * m) % m >= 40).astype(np.int8)
    appr = rng.random(n * m)
    activities = pd.DataFrame(
        {
            "nip": pd.Categorical.from_codes(t_emp, dtype=nip_type),
            "external_id": np.arange(n * m),
            "work_date": t_day.astype("datetime64[ns]"),
            "entered_at": entered.astype("datetime64[ns]"),
            "kind": pd.Categorical.from_codes(
                kind_codes, dtype=pd.CategoricalDtype(pd.Index(["main", "additional"]))
            ),
            "minutes": rng.integers(30, 180, n * m).astype(np.float64),
            "completed": rng.random(n * m) > 0.03,
            "approval": pd.Categorical.from_codes(
                np.select([appr < 0.9, appr < 0.97], [0, 1], 2).astype(np.int8),
                dtype=pd.CategoricalDtype(pd.Index(["approved", "pending", "rejected"])),
            ),
            "approver_nip": pd.Categorical.from_codes(np.repeat(sup, m), dtype=nip_type),
        }
    )

    # Behaviour: 8 raters x 7 items = 56 answers, one of them a self-rating.
    items = policy.behaviour.items
    r = len(RATERS)
    b_emp = np.repeat(np.arange(n), r * len(items))
    rater = rng.integers(0, n, n * r)
    rater[::r] = np.where(sup >= 0, sup, rater[::r])
    rater[r - 1 :: r] = np.arange(n)  # the self-rating
    b_rater = np.repeat(rater, len(items))
    behaviour = pd.DataFrame(
        {
            "nip": pd.Categorical.from_codes(b_emp, dtype=nip_type),
            "rater_nip": pd.Categorical.from_codes(b_rater, dtype=nip_type),
            "rater_role": pd.Categorical(np.tile(np.repeat(RATERS, len(items)), n)),
            "item": pd.Categorical(np.tile(items, n * r)),
            "score": rng.integers(2, 6, n * r * len(items)).astype(np.float64),
        }
    )

    managers = np.flatnonzero(level != "staff")
    indicators = pd.DataFrame(
        {
            "nip": pd.Categorical.from_codes(np.repeat(managers, 2), dtype=nip_type),
            "kind": pd.Categorical(np.tile(["capaian_fisik", "iki"], len(managers))),
            "value": rng.uniform(50, 100, 2 * len(managers)),
        }
    )
    return MonthData(
        period=period,
        employees=emp,
        attendance=attendance,
        activities=activities,
        behaviour=behaviour,
        indicators=indicators,
    )
