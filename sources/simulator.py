"""A deterministic demo province: organisation, employees and a month of messy, realistic data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from kinerja.domain import Period
from kinerja.rules.calendar import working_days
from kinerja.rules.frames import FRAME_COLUMNS
from kinerja.rules.policy import CalendarPolicy, load_policy

ITEMS = [
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
]
RUMPUN = [
    ("PEM", "Rumpun Pemerintahan"),
    ("EKO", "Rumpun Perekonomian"),
    ("KESRA", "Rumpun Kesejahteraan Rakyat"),
    ("INFRA", "Rumpun Infrastruktur dan Kewilayahan"),
    ("PELAYANAN", "Rumpun Pelayanan Publik"),
    ("PENUNJANG", "Rumpun Penunjang"),
]
OPD_NAMES = [
    ("SETDA", "Sekretariat Daerah"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DINKES", "Dinas Kesehatan"),
    ("BKD", "Badan Kepegawaian Daerah"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("BAPENDA", "Badan Pendapatan Daerah"),
    ("DPMPTSP", "Dinas Penanaman Modal dan PTSP"),
    ("DINSOS", "Dinas Sosial"),
    ("DISNAKERTRANS", "Dinas Tenaga Kerja dan Transmigrasi"),
    ("DPUTR", "Dinas Pekerjaan Umum dan Tata Ruang"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DKP", "Dinas Kelautan dan Perikanan"),
    ("DISPERINDAG", "Dinas Perindustrian dan Perdagangan"),
    ("DISPORA", "Dinas Pemuda dan Olahraga"),
    ("DISPARBUD", "Dinas Pariwisata dan Kebudayaan"),
    ("DKPP", "Dinas Ketahanan Pangan dan Peternakan"),
    ("DISKUK", "Dinas Koperasi dan Usaha Kecil"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja"),
    ("INSPEKTORAT", "Inspektorat Daerah"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("DPMDESA", "Dinas Pemberdayaan Masyarakat dan Desa"),
    ("DP3AKB", "Dinas Pemberdayaan Perempuan, Perlindungan Anak dan KB"),
    ("DISPUSIP", "Dinas Perpustakaan dan Kearsipan"),
    ("BAKESBANGPOL", "Badan Kesatuan Bangsa dan Politik"),
    ("DISPERKIM", "Dinas Perumahan dan Permukiman"),
    ("DSDA", "Dinas Sumber Daya Air"),
    ("DTPH", "Dinas Tanaman Pangan dan Hortikultura"),
    ("DISHUT", "Dinas Kehutanan"),
    ("DESDM", "Dinas Energi dan Sumber Daya Mineral"),
    ("BPSDM", "Badan Pengembangan Sumber Daya Manusia"),
    ("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("RSUD", "Rumah Sakit Umum Daerah"),
]
FIRST = [
    "Agus",
    "Budi",
    "Dewi",
    "Siti",
    "Rina",
    "Andi",
    "Wahyu",
    "Sri",
    "Nur",
    "Dian",
    "Eko",
    "Fitri",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Maya",
    "Nanda",
    "Putri",
    "Rizky",
    "Sari",
    "Teguh",
    "Umar",
    "Wulan",
    "Yudi",
    "Zainal",
    "Asep",
    "Cecep",
    "Dedi",
    "Euis",
    "Ujang",
    "Neneng",
    "Iwan",
    "Yanti",
    "Rudi",
    "Ratna",
    "Bambang",
    "Endang",
    "Heru",
    "Ahmad",
    "Fajar",
    "Gita",
    "Ilham",
    "Intan",
    "Mega",
    "Bayu",
    "Citra",
]
LAST = [
    "Saputra",
    "Wijaya",
    "Hidayat",
    "Kusuma",
    "Permana",
    "Nugraha",
    "Suryana",
    "Rahmawati",
    "Setiawan",
    "Pratama",
    "Lestari",
    "Gunawan",
    "Sutisna",
    "Maulana",
    "Hermawan",
    "Kurniawan",
    "Purnama",
    "Firmansyah",
    "Sulaeman",
    "Ramdani",
    "Hakim",
    "Syahputra",
    "Wulandari",
    "Anggraini",
    "Santoso",
    "Prasetyo",
    "Susanti",
    "Nurhayati",
    "Hasanah",
    "Supriatna",
]
STAFF_TITLES = [
    "Analis Kepegawaian",
    "Pengelola Keuangan",
    "Pranata Komputer",
    "Arsiparis",
    "Analis Kebijakan",
    "Pengadministrasi Umum",
    "Perencana",
    "Pengawas",
    "Penyuluh",
    "Auditor",
]

_TIMES = np.array([f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86400)])


@dataclass
class SimulatedProvince:
    """A generated province: the OPDs and one frame per data kind, as sources deliver them.

    Raw frames carry an extra `opd_code` column: the OPD whose feed serves the row (the HTTP
    server groups by it; exported files leave it out). `dirty` lists the planted bad rows as
    (kind, reason, opd_code).
    """

    seed: int
    period: str
    opds: pd.DataFrame  # code, name, rumpun_code, rumpun_name, employees
    frames: dict[str, pd.DataFrame]
    workdays: list[date]
    offline_opd: str
    offline_days: list[date]
    dirty: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def employees(self) -> pd.DataFrame:
        return self.frames["employees"]

    def contract_frame(self, kind: str) -> pd.DataFrame:
        """The kind's rows with exactly the contract columns (plus register extras)."""
        frame = self.frames[kind]
        if kind == "employees":
            return frame
        return frame[FRAME_COLUMNS[kind]]

    def opd_rows(self, kind: str, opd: str | None) -> pd.DataFrame:
        frame = self.frames[kind]
        part = frame if opd is None else frame[frame["opd_code"] == opd]
        return part if kind == "employees" else part[FRAME_COLUMNS[kind]]

    def write(self, folder: str, fmt: str = "csv") -> list[str]:
        from pathlib import Path

        from kinerja.sources.files import write_frames

        frames = {k: self.contract_frame(k) for k in self.frames}
        return [str(p) for p in write_frames(frames, Path(folder), fmt)]

    def row_count(self) -> int:
        return sum(len(f) for f in self.frames.values())


def month_workdays(period: str, cal: CalendarPolicy | None = None) -> list[date]:
    """The month's working days under a calendar (default: the jabar profile's)."""
    if cal is None:
        cal = load_policy("jabar").calendar
    return working_days(period, cal)


def _opd_sizes(rng: np.random.Generator, employees: int) -> np.ndarray:
    n_opd = int(np.clip(round(employees**0.5 / 2.5), 3, len(OPD_NAMES)))  # 600 -> 10 OPDs
    n_opd = min(n_opd, max(1, employees // 6))
    minimum = min(6, employees // n_opd)
    weights = rng.lognormal(0.0, 0.7, n_opd)
    spare = employees - minimum * n_opd
    sizes = np.floor(weights / weights.sum() * spare).astype(int) + minimum
    sizes[np.argmax(sizes)] += employees - sizes.sum()
    return sizes


def _nips(rng: np.random.Generator, n: int, pppk: np.ndarray) -> np.ndarray:
    """18-digit numbers: birth date, appointment year-month, sex, sequence (PPPK: year, 21)."""
    base = np.datetime64("1966-01-01")
    out = np.empty(n, dtype=object)
    todo = np.arange(n)
    seen: set[str] = set()
    while len(todo):
        birth = base + rng.integers(0, 34 * 365, len(todo)).astype("timedelta64[D]")
        births = pd.to_datetime(birth).strftime("%Y%m%d").to_numpy()
        years = np.array([int(b[:4]) for b in births]) + rng.integers(22, 30, len(todo))
        months = rng.integers(1, 13, len(todo))
        sex = rng.integers(1, 3, len(todo))
        seq = rng.integers(1, 1000, len(todo))
        nxt = []
        for j, i in enumerate(todo):
            if pppk[i]:
                nip = f"{births[j]}{2021 + seq[j] % 4}21{sex[j]}{seq[j]:03d}"
            else:
                nip = f"{births[j]}{min(years[j], 2024)}{months[j]:02d}{sex[j]}{seq[j]:03d}"
            if nip in seen:
                nxt.append(i)
            else:
                seen.add(nip)
                out[i] = nip
        todo = np.array(nxt, dtype=int)
    return out


def _organisation(
    rng: np.random.Generator, employees: int, period: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    sizes = _opd_sizes(rng, employees)
    n_opd = len(sizes)
    n_rumpun = int(np.clip(n_opd // 4, 1, len(RUMPUN)))
    names = list(OPD_NAMES)
    while len(names) < n_opd:
        k = len(names) - len(OPD_NAMES) + 1
        names.append((f"CABDIS{k}", f"Cabang Dinas Pendidikan Wilayah {k}"))
    rumpun_idx = np.arange(n_opd) % n_rumpun
    rng.shuffle(rumpun_idx[1:])
    opds = pd.DataFrame(
        {
            "code": [names[i][0] for i in range(n_opd)],
            "name": [names[i][1] for i in range(n_opd)],
            "rumpun_code": [RUMPUN[r][0] for r in rumpun_idx],
            "rumpun_name": [RUMPUN[r][1] for r in rumpun_idx],
            "employees": sizes,
        }
    )

    level = np.empty(employees, dtype=object)
    opd_of = np.empty(employees, dtype=object)
    sup_idx = np.full(employees, -1)
    pos = 0
    sekda = 0
    for o in range(n_opd):
        n = int(sizes[o])
        ids = np.arange(pos, pos + n)
        opd_of[ids] = opds.at[o, "code"]
        head = ids[0]
        rest = ids[1:]
        if o == 0:
            level[head] = "eselon_i"  # the Sekda leads the Sekretariat Daerah
            sekda = int(head)
        else:
            level[head] = "eselon_ii"
            sup_idx[head] = sekda
        n3 = int(np.clip(n // 60, 1, 6)) if n >= 8 else 0
        n4 = int(np.clip(n // 12, 1, 40)) if n >= 5 else 0
        e3, e4, staff = rest[:n3], rest[n3 : n3 + n4], rest[n3 + n4 :]
        level[e3], level[e4], level[staff] = "eselon_iii", "eselon_iv", "staff"
        sup_idx[e3] = head
        sup_idx[e4] = e3[np.arange(len(e4)) % len(e3)] if len(e3) else head
        bosses = e4 if len(e4) else (e3 if len(e3) else np.array([head]))
        sup_idx[staff] = bosses[np.arange(len(staff)) % len(bosses)]
        pos += n

    pppk = (level == "staff") & (rng.random(employees) < 0.22)
    nips = _nips(rng, employees, pppk)
    first = rng.choice(FIRST, employees)
    last = rng.choice(LAST, employees)
    single = rng.random(employees) < 0.1
    name = np.where(single, first, np.char.add(np.char.add(first.astype(str), " "), last))
    titles = {
        "eselon_i": "Sekretaris Daerah",
        "eselon_ii": "Kepala",
        "eselon_iii": "Kepala Bidang",
        "eselon_iv": "Kepala Seksi",
    }
    job = np.array([titles.get(lv, "") for lv in level], dtype=object)
    staff_mask = level == "staff"
    job[staff_mask] = rng.choice(STAFF_TITLES, int(staff_mask.sum()))
    start, _end = Period.parse(period).bounds()
    starts = (
        pd.to_datetime(
            np.datetime64("2005-01-01")
            + rng.integers(0, 19 * 365, employees).astype("timedelta64[D]")
        )
        .strftime("%Y-%m-%d")
        .to_numpy(dtype=object)
        .copy()
    )
    new_hire = staff_mask & (rng.random(employees) < 0.006)
    starts[new_hire] = (start + timedelta(days=int(rng.integers(12, 20)))).isoformat()
    opd_frame = opds.set_index("code")
    emp = pd.DataFrame(
        {
            "nip": nips,
            "name": name,
            "status": np.where(pppk, "PPPK", "PNS"),
            "opd_code": opd_of,
            "opd_name": opd_frame.loc[opd_of, "name"].to_numpy(),
            "rumpun_code": opd_frame.loc[opd_of, "rumpun_code"].to_numpy(),
            "position_level": level,
            "job_title": job,
            "supervisor_nip": np.where(sup_idx >= 0, nips[np.maximum(sup_idx, 0)], None),
            "start_date": starts,
            "end_date": None,
            "rumpun_name": opd_frame.loc[opd_of, "rumpun_name"].to_numpy(),
            "email": [f"{n}@asn.kinerja.example.go.id" for n in nips],
        }
    )
    emp["_sup"] = sup_idx
    return opds, emp


def _attendance(
    rng: np.random.Generator,
    emp: pd.DataFrame,
    days: list[date],
    offline_opd: str,
    offline_days: list[date],
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per employee and working day; returns the frame and the (E, D) mask of days
    worked: present, or at work while the office's attendance devices were offline (an outage
    is not leave: people still work and enter their activities)."""
    n, d = len(emp), len(days)
    profile = rng.choice(
        ["punctual", "late", "early", "both", "sloppy"], n, p=[0.8, 0.07, 0.05, 0.03, 0.05]
    )
    status = np.full((n, d), "present", dtype=object)
    for kind, share, longest in (
        ("leave", 0.06, 5),
        ("sick", 0.04, 3),
        ("official_travel", 0.08, 4),
    ):
        who = np.flatnonzero(rng.random(n) < share)
        first = rng.integers(0, d, len(who))
        length = rng.integers(1, longest + 1, len(who))
        for w, f, ln in zip(who, first, length, strict=True):
            status[w, f : f + ln] = kind
    sloppy = profile == "sloppy"
    absent = (rng.random((n, d)) < 0.04) & sloppy[:, None] & (status == "present")
    status[absent] = "absent"
    off_cols = np.array([days.index(x) for x in offline_days], dtype=int)
    off_rows = np.flatnonzero((emp["opd_code"] == offline_opd).to_numpy())
    status[np.ix_(off_rows, off_cols)] = "connectivity_gap"

    late = np.isin(profile, ["late", "both"])[:, None] & (rng.random((n, d)) < 0.55)
    early = np.isin(profile, ["early", "both"])[:, None] & (rng.random((n, d)) < 0.45)
    cin = rng.normal(7 * 3600 + 12 * 60, 8 * 60, (n, d))
    cin = np.where(late, rng.normal(8 * 3600, 25 * 60, (n, d)), cin)
    friday = np.array([x.weekday() == 4 for x in days])
    end = np.where(friday, 16 * 3600 + 30 * 60, 16 * 3600)[None, :]
    cout = end + np.abs(rng.normal(12 * 60, 10 * 60, (n, d)))
    cout = np.where(early, end - np.abs(rng.normal(45 * 60, 25 * 60, (n, d))), cout)
    cin = np.clip(cin, 5 * 3600, 12 * 3600).astype(int)
    cout = np.clip(cout, 12 * 3600 + 60, 22 * 3600).astype(int)
    present = status == "present"
    no_out = present & sloppy[:, None] & (rng.random((n, d)) < 0.1)

    employed = (
        pd.to_datetime(emp["start_date"]).to_numpy().astype("datetime64[D]")[:, None]
        <= np.array(days, dtype="datetime64[D]")[None, :]
    )
    present &= employed
    day_str = np.array([x.isoformat() for x in days], dtype=object)
    rows = np.flatnonzero(employed.ravel())
    e_idx, d_idx = np.divmod(rows, d)
    flat_present = present.ravel()[rows]
    check_in = np.where(flat_present, _TIMES[cin.ravel()[rows]], None)
    check_out = np.where(flat_present & ~no_out.ravel()[rows], _TIMES[cout.ravel()[rows]], None)
    frame = pd.DataFrame(
        {
            "nip": emp["nip"].to_numpy()[e_idx],
            "work_date": day_str[d_idx],
            "status": status.ravel()[rows],
            "check_in": check_in,
            "check_out": check_out,
            "opd_code": emp["opd_code"].to_numpy()[e_idx],
        }
    ).astype(object)
    return frame, present | ((status == "connectivity_gap") & employed)


def _activities(
    rng: np.random.Generator,
    emp: pd.DataFrame,
    days: list[date],
    present: np.ndarray,
    period: str,
) -> pd.DataFrame:
    n, d = present.shape
    low = np.less(rng.random(n), 0.04)  # a few who enter little work
    e_idx, d_idx = np.nonzero(present)
    skip = low[e_idx] & (rng.random(len(e_idx)) < 0.3)
    e_idx, d_idx = e_idx[~skip], d_idx[~skip]
    main_n = np.where(low[e_idx], rng.integers(1, 3, len(e_idx)), rng.integers(2, 5, len(e_idx)))
    add_n = (rng.random(len(e_idx)) < 0.35).astype(int)
    per_day = main_n + add_n
    e_rep = np.repeat(e_idx, per_day)
    d_rep = np.repeat(d_idx, per_day)
    # position within the day: the first main_n are main activities
    offsets = np.arange(len(e_rep)) - np.repeat(np.cumsum(per_day) - per_day, per_day)
    is_main = offsets < np.repeat(main_n, per_day)
    total = len(e_rep)
    minutes = np.where(is_main, rng.integers(60, 151, total), rng.integers(20, 91, total))
    day_arr = np.array(days, dtype="datetime64[D]")
    work_day = day_arr[d_rep]
    late = rng.random(total) < 0.08
    delay = np.where(late, rng.integers(1, 11, total), 0).astype("timedelta64[D]")
    secs = rng.integers(16 * 3600, 17 * 3600 + 30 * 60, total).astype("timedelta64[s]")
    entered = work_day.astype("datetime64[s]") + delay.astype("timedelta64[s]") + secs
    entered_str = np.datetime_as_string(entered, unit="s")
    entered_str = np.char.replace(entered_str.astype(str), "T", " ")

    sup_idx = emp["_sup"].to_numpy()
    nips = emp["nip"].to_numpy()
    lazy_sup = np.less(rng.random(n), 0.05)  # supervisors who never approve anything
    sup_of = sup_idx[e_rep]
    u = rng.random(total)
    approval = np.where(u < 0.92, "approved", np.where(u < 0.97, "pending", "rejected"))
    approval = np.where((sup_of >= 0) & lazy_sup[np.maximum(sup_of, 0)], "pending", approval)
    approval = np.where(sup_of < 0, "approved", approval)
    approver = np.where(sup_of >= 0, nips[np.maximum(sup_of, 0)], None)
    completed = rng.random(total) < np.where(low[e_rep], 0.75, 0.97)
    compact = period.replace("-", "")
    ids = np.char.add(f"SKP{compact}-", np.char.zfill(np.arange(1, total + 1).astype(str), 8))
    return pd.DataFrame(
        {
            "nip": nips[e_rep],
            "external_id": ids.astype(object),
            "work_date": np.datetime_as_string(work_day, unit="D").astype(object),
            "entered_at": entered_str.astype(object),
            "kind": np.where(is_main, "main", "additional").astype(object),
            "minutes": minutes.astype(float),
            "completed": completed,
            "approval": approval.astype(object),
            "approver_nip": approver,
            "opd_code": emp["opd_code"].to_numpy()[e_rep],
        }
    ).astype(object)


def _behaviour(rng: np.random.Generator, emp: pd.DataFrame) -> pd.DataFrame:
    n = len(emp)
    sup = emp["_sup"].to_numpy()
    idx = np.arange(n)
    has = sup >= 0
    ratee = [idx[has]]
    rater = [sup[has]]
    role = [np.full(int(has.sum()), "supervisor", dtype=object)]
    # subordinates rate their supervisor (up to 3 each); peers share a supervisor
    grp = pd.DataFrame({"i": idx[has], "s": sup[has]})
    grp["pos"] = grp.groupby("s").cumcount()
    grp["size"] = grp.groupby("s")["i"].transform("size")
    sub = grp[grp["pos"] < 3]
    ratee.append(sub["s"].to_numpy())
    rater.append(sub["i"].to_numpy())
    role.append(np.full(len(sub), "subordinate", dtype=object))
    members = grp.sort_values(["s", "pos"])
    order = members["i"].to_numpy()
    pos = members["pos"].to_numpy()
    size = members["size"].to_numpy()
    base = np.arange(len(members)) - pos  # index in `order` where the group starts
    for off in (1, 2, 3):
        ok = size > off
        peer = order[base + (pos + off) % size]
        ratee.append(order[ok])
        rater.append(peer[ok])
        role.append(np.full(int(ok.sum()), "peer", dtype=object))
    e = np.concatenate(ratee)
    r = np.concatenate(rater)
    rl = np.concatenate(role)
    keep = rng.random(len(e)) >= 0.08  # raters who skip the questionnaire
    e, r, rl = e[keep], r[keep], rl[keep]
    k = len(ITEMS)
    quality = np.clip(rng.normal(4.0, 0.45, n), 1.5, 5)
    e_rep = np.repeat(e, k)
    scores = np.clip(np.rint(quality[e_rep] + rng.normal(0, 0.6, len(e_rep))), 1, 5)
    nips = emp["nip"].to_numpy()
    return pd.DataFrame(
        {
            "nip": nips[e_rep],
            "rater_nip": nips[np.repeat(r, k)],
            "rater_role": np.repeat(rl, k),
            "item": np.tile(np.array(ITEMS, dtype=object), len(e)),
            "score": scores,
            "opd_code": emp["opd_code"].to_numpy()[e_rep],
        }
    ).astype(object)


def _indicators(rng: np.random.Generator, emp: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for nip, level, opd in zip(emp["nip"], emp["position_level"], emp["opd_code"], strict=True):
        if level == "staff":
            continue
        kinds = ["capaian_fisik", "iki"]
        if level in ("eselon_ii", "eselon_i"):
            kinds += ["iku", "ikp"]
        for kind in kinds:
            value = float(np.round(np.clip(rng.normal(86, 9), 35, 100), 1))
            rows.append((nip, kind, value, opd))
    return pd.DataFrame(rows, columns=["nip", "kind", "value", "opd_code"]).astype(object)


def _plant_dirt(
    rng: np.random.Generator, p: SimulatedProvince, days: list[date], start: date, end: date
) -> None:
    """A few dirty records of every kind the validation must catch, in the largest OPD."""
    opds = p.opds.sort_values("employees", ascending=False)["code"].tolist()
    host = next(o for o in opds if o != p.offline_opd)
    other = next((o for o in opds if o not in (host, p.offline_opd)), host)
    emp = p.frames["employees"]
    staff = emp[(emp["opd_code"] == host) & (emp["position_level"] == "staff")]
    nip_a, nip_b = staff["nip"].iloc[0], staff["nip"].iloc[min(1, len(staff) - 1)]
    dirty: list[tuple[str, str, str]] = []

    att = p.frames["attendance"]
    pres = att[(att["nip"] == nip_a) & (att["status"] == "present")]
    extra = [
        {
            "nip": "199901012020011999",
            "work_date": days[0].isoformat(),
            "status": "present",
            "check_in": "07:10:00",
            "check_out": "16:10:00",
            "opd_code": host,
        },
        {
            "nip": nip_b,
            "work_date": (end + timedelta(days=1)).isoformat(),
            "status": "present",
            "check_in": "07:10:00",
            "check_out": "16:10:00",
            "opd_code": host,
        },
        {
            "nip": nip_b,
            "work_date": f"{start:%Y-%m}-32",
            "status": "present",
            "check_in": "07:10:00",
            "check_out": "16:10:00",
            "opd_code": host,
        },
        {
            "nip": nip_b,
            "work_date": days[1].isoformat(),
            "status": "present",
            "check_in": "25:61",
            "check_out": "16:10:00",
            "opd_code": host,
        },
        {
            "nip": nip_b,
            "work_date": days[2].isoformat(),
            "status": "hadir",
            "check_in": "07:00:00",
            "check_out": "16:10:00",
            "opd_code": host,
        },
        dict(pres.iloc[0]),  # an exact repeat of a real row
        {**dict(pres.iloc[1]), "opd_code": other},  # a row served in another OPD's feed
    ]
    swap = pres.index[2]
    att.loc[swap, ["check_in", "check_out"]] = ["16:05:00", "07:20:00"]
    # nip_b's rows on days[1] and days[2] are replaced by the malformed ones above
    att.drop(
        att[
            (att["nip"] == nip_b)
            & att["work_date"].isin([days[1].isoformat(), days[2].isoformat()])
        ].index,
        inplace=True,
    )
    p.frames["attendance"] = pd.concat([att, pd.DataFrame(extra)], ignore_index=True).astype(object)
    dirty += [
        ("attendance", "unknown_nip", host),
        ("attendance", "outside_period", host),
        ("attendance", "malformed", host),
        ("attendance", "malformed", host),
        ("attendance", "unknown_enum", host),
        ("attendance", "duplicate", host),
        ("attendance", "unknown_opd", other),
        ("attendance", "checkout_before_checkin", host),
    ]

    act = p.frames["activities"]
    mine = act[act["nip"] == nip_a]
    i0, i1, i2 = mine.index[:3]
    prev_day = (start - timedelta(days=1)).isoformat()
    act.loc[i0, ["work_date", "entered_at"]] = [prev_day, f"{start.isoformat()} 16:30:00"]
    act.loc[i1, "minutes"] = "abc"
    act.loc[i2, "entered_at"] = f"{start.isoformat()} 08:00:00"
    act.loc[i2, "work_date"] = days[3].isoformat()
    dirty += [
        ("activities", "outside_period", host),
        ("activities", "malformed", host),
        ("activities", "impossible_time", host),
    ]

    beh = p.frames["behaviour"]
    rated = beh[beh["nip"] == nip_a]
    j0, j1, j2 = rated.index[:3]
    beh.loc[j0, "score"] = 7
    beh.loc[j1, "rater_nip"] = nip_a
    beh.loc[j2, "item"] = "disiplin"
    dirty += [
        ("behaviour", "impossible_value", host),
        ("behaviour", "self_rating", host),
        ("behaviour", "unknown_enum", host),
    ]

    ind = p.frames["indicators"]
    if len(ind[ind["opd_code"] == host]):
        ind.loc[ind[ind["opd_code"] == host].index[0], "value"] = 140.0
        dirty.append(("indicators", "impossible_value", host))

    reg = p.frames["employees"]
    bad = [
        {**dict(reg[reg["nip"] == nip_b].iloc[0]), "nip": "12345ABC", "email": None},
        {
            **dict(reg[reg["nip"] == nip_b].iloc[0]),
            "nip": "198001012010011777",
            "position_level": "eselon_v",
            "email": None,
        },
        dict(reg[reg["nip"] == nip_a].iloc[0]),
    ]
    p.frames["employees"] = pd.concat([reg, pd.DataFrame(bad)], ignore_index=True)
    dirty += [
        ("employees", "malformed", host),
        ("employees", "unknown_enum", host),
        ("employees", "duplicate", host),
    ]
    p.dirty = dirty


def simulate_province(
    seed: int, period: str, employees: int, calendar: CalendarPolicy | None = None
) -> SimulatedProvince:
    """Generate a province deterministically: same seed, period and size, same rows."""
    if employees < 12:
        raise ValueError("a province needs at least 12 employees")
    rng = np.random.default_rng(seed)
    start, end = Period.parse(period).bounds()
    days = month_workdays(period, calendar)
    opds, emp = _organisation(rng, employees, period)
    # a mid-sized office goes offline for three working days (poor connectivity)
    order = opds.sort_values("employees")["code"].tolist()
    offline = order[len(order) // 2] if len(order) > 1 else order[0]
    if offline == "SETDA" and len(order) > 1:
        offline = order[len(order) // 2 - 1]
    first = int(rng.integers(3, max(4, len(days) - 4)))
    offline_days = days[first : first + 3]
    att, present = _attendance(rng, emp, days, offline, offline_days)
    act = _activities(rng, emp, days, present, period)
    beh = _behaviour(rng, emp)
    ind = _indicators(rng, emp)
    emp_out = emp.drop(columns="_sup").astype(object)
    province = SimulatedProvince(
        seed=seed,
        period=period,
        opds=opds,
        frames={
            "employees": emp_out,
            "attendance": att,
            "activities": act,
            "behaviour": beh,
            "indicators": ind,
        },
        workdays=days,
        offline_opd=offline,
        offline_days=offline_days,
    )
    _plant_dirt(rng, province, days, start, end)
    return province
