"""Policies as data: pydantic models that validate a profile YAML and name the bad field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kinerja.domain import AttendanceStatus, PositionLevel, RaterRole

PROFILES_DIR = Path(__file__).parent / "profiles"

# Leaf inputs a weighting tree may refer to; the scorer computes each one per employee (0-100).
LEAF_INPUTS = {
    "behaviour",  # 360-degree questionnaire index
    "main_activity",  # approved main activities vs. target
    "additional_activity",  # approved additional activities vs. target
    "subordinate_activity",  # mean activity achievement of direct subordinates
    "capaian_fisik",  # physical achievement (from planning systems)
    "iki",  # individual performance indicators
    "iku",  # key performance indicators (eselon II)
    "ikp",  # employee performance indicators (eselon II)
    "iku_iki_ikp",  # mean of whichever of IKI/IKU/IKP are present (eselon II, no split given)
    "attendance",  # attendance index
}


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a policy must fail at load time."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarPolicy(Strict):
    """Working days: weekdays minus Indonesian public holidays and collective leave."""

    workdays: list[int] = Field(
        default=[0, 1, 2, 3, 4], description="ISO weekday numbers 0=Monday..6=Sunday."
    )
    work_start: time = Field(default=time(7, 30), description="Official start of the day.")
    work_end: time = Field(default=time(16, 0), description="Official end (Monday-Thursday).")
    friday_work_end: time = Field(default=time(16, 30), description="Official end on Friday.")
    collective_leave: list[date] = Field(
        default_factory=list, description="Cuti bersama days, set each year by joint decree."
    )
    extra_holidays: list[date] = Field(
        default_factory=list, description="Regional holidays not in the national calendar."
    )

    @field_validator("workdays")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if not v or any(d < 0 or d > 6 for d in v):
            raise ValueError("workdays must be non-empty ISO weekday numbers 0..6")
        return sorted(set(v))


class Tier(Strict):
    """Minutes late (or early) in [from_minutes, to_minutes] cost `deduction` points."""

    code: str
    from_minutes: int = Field(ge=1)
    to_minutes: int | None = Field(default=None, description="None means no upper bound.")
    deduction: float = Field(ge=0, le=100)


def _check_tiers(tiers: list[Tier], name: str) -> list[Tier]:
    if not tiers:
        raise ValueError(f"{name} needs at least one tier")
    expected = 1
    for i, t in enumerate(tiers):
        if t.from_minutes != expected:
            raise ValueError(f"{name}[{i}] must start at {expected} minutes (tiers are contiguous)")
        if t.to_minutes is None:
            if i != len(tiers) - 1:
                raise ValueError(f"{name}[{i}] is open-ended but is not the last tier")
        else:
            if t.to_minutes < t.from_minutes:
                raise ValueError(f"{name}[{i}].to_minutes is below from_minutes")
            expected = t.to_minutes + 1
    if tiers[-1].to_minutes is not None:
        raise ValueError(f"{name}: the last tier must be open-ended (to_minutes: null)")
    return tiers


class AttendancePolicy(Strict):
    """Attendance index = 100 - sum of deductions over the month (floored at 0)."""

    late_tiers: list[Tier]
    early_tiers: list[Tier]
    unexcused_absence_deduction: float = Field(default=3.0, ge=0, le=100)
    missing_checkin_tier: str = Field(
        default="TL4", description="Tier code applied when a present day has no check-in."
    )
    missing_checkout_tier: str = Field(
        default="PSW4", description="Tier code applied when a present day has no check-out."
    )
    grace_minutes: int = Field(default=0, ge=0, description="Lateness tolerated with no cost.")
    excused_statuses: list[AttendanceStatus] = Field(
        default=[
            AttendanceStatus.LEAVE,
            AttendanceStatus.SICK,
            AttendanceStatus.OFFICIAL_TRAVEL,
            AttendanceStatus.HOLIDAY,
        ],
        description=(
            "Statuses that never count against anyone and shrink the activity target. "
            "connectivity_gap is never one: an outage is an unobserved working day."
        ),
    )

    @field_validator("late_tiers")
    @classmethod
    def _late(cls, v: list[Tier]) -> list[Tier]:
        return _check_tiers(v, "late_tiers")

    @field_validator("early_tiers")
    @classmethod
    def _early(cls, v: list[Tier]) -> list[Tier]:
        return _check_tiers(v, "early_tiers")

    @field_validator("excused_statuses")
    @classmethod
    def _excused(cls, v: list[AttendanceStatus]) -> list[AttendanceStatus]:
        bad = {AttendanceStatus.PRESENT, AttendanceStatus.ABSENT} & set(v)
        if bad:
            raise ValueError(f"{sorted(bad)} cannot be excused statuses")
        if AttendanceStatus.CONNECTIVITY_GAP in v:
            # A device outage is not leave: the person was expected to work. The day counts as
            # one with no attendance row at all (unobserved), whichever way a source reports it.
            raise ValueError(
                "connectivity_gap cannot be an excused status: an outage is an unobserved "
                "working day (still in the activity target), as if the source sent no row"
            )
        return v

    @model_validator(mode="after")
    def _tier_codes(self) -> AttendancePolicy:
        if self.missing_checkin_tier not in {t.code for t in self.late_tiers}:
            raise ValueError("missing_checkin_tier must be one of the late_tiers codes")
        if self.missing_checkout_tier not in {t.code for t in self.early_tiers}:
            raise ValueError("missing_checkout_tier must be one of the early_tiers codes")
        return self


class ActivityPolicy(Strict):
    """Daily activity entry rules (Sikap) and monthly targets."""

    entry_window_start: time = Field(default=time(16, 0))
    entry_window_end: time = Field(default=time(17, 30))
    closed_weekdays: list[int] = Field(default=[6], description="No entry on these (6=Sunday).")
    max_days_late: int = Field(default=7, ge=0, description="A missed day may be entered later.")
    lock_at_month_end: bool = Field(
        default=True, description="Entries after the month's last day never count."
    )
    main_target_minutes_per_day: float = Field(default=300.0, gt=0)
    additional_target_minutes_per_day: float = Field(default=60.0, gt=0)
    count_incomplete: bool = Field(
        default=False, description="Whether output not completed still counts (Jabar: no)."
    )


class BehaviourPolicy(Strict):
    """360-degree questionnaire: items, scale, and how rater roles are weighted."""

    items: list[str]
    scale_min: float = 1.0
    scale_max: float = 5.0
    role_weights: dict[RaterRole, float] = Field(
        default={RaterRole.SUPERVISOR: 0.5, RaterRole.PEER: 0.25, RaterRole.SUBORDINATE: 0.25}
    )

    @model_validator(mode="after")
    def _check(self) -> BehaviourPolicy:
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must exceed scale_min")
        if RaterRole.SELF in self.role_weights:
            raise ValueError("role_weights: self-ratings are always ignored")
        if abs(sum(self.role_weights.values()) - 1.0) > 1e-6:
            raise ValueError("role_weights must sum to 1")
        return self


class NipPolicy(Strict):
    """What a plausible NIP looks like: its length and the structure per employee status.

    Each pattern is a regular expression over the whole NIP with named groups: `birth`
    (yyyymmdd), `year` and optionally `month` (the appointment: yyyy, mm), `sex` and `seq`.
    The defaults: PNS yyyymmdd yyyymm s nnn (BKN), PPPK yyyymmdd yyyy 21 s nnn (the "21" in the
    month place marks a PPPK number). `null` turns a check off.
    """

    length: int | None = Field(
        default=18, ge=1, description="Digits of a NIP; a shorter number lost digits."
    )
    pns_pattern: str | None = (
        r"(?P<birth>\d{8})(?P<year>\d{4})(?P<month>\d{2})(?P<sex>[12])(?P<seq>\d{3})"
    )
    pppk_pattern: str | None = r"(?P<birth>\d{8})(?P<year>\d{4})21(?P<sex>[12])(?P<seq>\d{3})"
    min_age_at_appointment: int = Field(default=17, ge=0, le=80)
    earliest_birth_year: int = Field(default=1935, ge=1800)

    @field_validator("pns_pattern", "pppk_pattern")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            groups = set(re.compile(v).groupindex)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        if not {"birth", "year"} <= groups:
            raise ValueError("the pattern needs the named groups birth and year")
        return v


class WeightNode(Strict):
    """A node of a weighting tree: either a leaf naming an input, or weighted children."""

    weight: float = Field(gt=0, le=1)
    input: str | None = None
    children: dict[str, WeightNode] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shape(self) -> WeightNode:
        if self.input is not None:
            if self.children:
                raise ValueError("a node has either input or children, not both")
            if self.input not in LEAF_INPUTS:
                raise ValueError(f"unknown input {self.input!r}; known: {sorted(LEAF_INPUTS)}")
        else:
            _check_weights(self.children)
        return self

    def leaves(self) -> dict[str, float]:
        """Effective weight of each leaf input (product of weights down the path)."""
        if self.input is not None:
            return {self.input: self.weight}
        out: dict[str, float] = {}
        for child in self.children.values():
            for name, w in child.leaves().items():
                out[name] = out.get(name, 0.0) + w * self.weight
        return out


def _check_weights(children: dict[str, WeightNode]) -> None:
    if not children:
        raise ValueError("a node without input needs children")
    total = sum(c.weight for c in children.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"children weights of {sorted(children)} sum to {total:g}, not 1")


class PositionTree(Strict):
    """The root of one position level's tree (its children's weights sum to 1)."""

    children: dict[str, WeightNode]

    @model_validator(mode="after")
    def _check(self) -> PositionTree:
        _check_weights(self.children)
        return self

    def leaves(self) -> dict[str, float]:
        return WeightNode(weight=1.0, children=self.children).leaves()


class CompositePolicy(Strict):
    """How the three indicators become one composite index.

    mode "weighted" (West Java): composite = w_kinerja*kinerja + w_kehadiran*kehadiran +
    w_perilaku*perilaku, where kinerja is the position tree without its behaviour leaves.
    mode "deduction" (Banten Sikap): composite = the full position tree (behaviour included)
    minus the attendance deductions (100 - kehadiran), floored at 0.
    """

    mode: Literal["weighted", "deduction"] = "weighted"
    weights: dict[Literal["kinerja", "kehadiran", "perilaku"], float] = Field(
        default={"kinerja": 0.5, "kehadiran": 0.3, "perilaku": 0.2}
    )

    @model_validator(mode="after")
    def _check(self) -> CompositePolicy:
        if self.mode == "weighted":
            if set(self.weights) != {"kinerja", "kehadiran", "perilaku"}:
                raise ValueError("weights needs kinerja, kehadiran and perilaku")
            if abs(sum(self.weights.values()) - 1.0) > 1e-6:
                raise ValueError("weights must sum to 1")
        return self


class Band(Strict):
    """A score band and its consequences for the allowance (TPP/Tukin) and promotion."""

    code: str
    label: str
    min_score: float = Field(ge=0, le=100)
    max_score: float = Field(ge=0, le=100)
    include_min: bool = True
    include_max: bool = True
    allowance: str
    promotion: str


# --- the national rule (PermenPAN-RB No. 6 of 2022) -------------------------------------------

RATINGS = ("di_bawah", "sesuai", "di_atas")  # below, as expected, above expectation
PREDIKAT = ("sangat_kurang", "kurang", "butuh_perbaikan", "baik", "sangat_baik")  # lowest first
ORG_RATINGS = ("istimewa", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
RatingCode = Literal["di_bawah", "sesuai", "di_atas"]
PredikatCode = Literal["sangat_kurang", "kurang", "butuh_perbaikan", "baik", "sangat_baik"]
OrgRatingCode = Literal["istimewa", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
# The three lowest predikat: the only ones a candidate may come from (the absolute floor).
LOWEST_PREDIKAT: tuple[PredikatCode, ...] = ("sangat_kurang", "kurang", "butuh_perbaikan")


class RatingRule(Strict):
    """One rating from one month indicator (0-100).

    di_atas (above expectation) when the value is at least `above_from`; di_bawah (below)
    when it is under `below_under`; sesuai (as expected) in between. No value: no rating.
    """

    indicator: Literal["kinerja", "kehadiran", "perilaku", "composite"]
    above_from: float = Field(ge=0, le=100)
    below_under: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> RatingRule:
        if self.below_under > self.above_from:
            raise ValueError(
                f"below_under {self.below_under:g} is above above_from {self.above_from:g}: "
                "nobody could be 'sesuai' and the two would overlap"
            )
        return self


class PredikatCategory(Strict):
    """How one predikat is shown, and what it means for the allowance and career."""

    code: PredikatCode
    label: str = Field(min_length=1)
    allowance: str = ""
    promotion: str = ""


class DistributionLimit(Strict):
    """A bound on the share (0-1) of the unit holding any of `predikat`, or on their count."""

    predikat: list[PredikatCode] = Field(min_length=1)
    min_share: float | None = Field(default=None, ge=0, le=1)
    max_share: float | None = Field(default=None, ge=0, le=1)
    min_count: int | None = Field(default=None, ge=1, description="'harus ada': at least this many")

    @model_validator(mode="after")
    def _some_bound(self) -> DistributionLimit:
        if self.min_share is None and self.max_share is None and self.min_count is None:
            raise ValueError("a limit needs min_share, max_share or min_count")
        if (
            self.min_share is not None
            and self.max_share is not None
            and self.min_share > self.max_share
        ):
            raise ValueError("min_share is above max_share")
        return self


class PredikatPolicy(Strict):
    """Rating hasil kerja x rating perilaku kerja -> predikat kinerja (PermenPAN-RB 6/2022).

    The 3x3 matrix is the regulation's (rules.predikat.MATRIX), not a setting; what the annex
    leaves to the agency is here: which indicator and thresholds make each rating, the labels
    and consequences, which predikat may be proposed, and the distribution guide per
    organisation rating (checked and shown as a warning, never used to re-rank anyone).
    """

    hasil_kerja: RatingRule
    perilaku_kerja: RatingRule
    categories: list[PredikatCategory]
    candidate_predikat: list[PredikatCode] = Field(
        default=list(LOWEST_PREDIKAT),
        min_length=1,
        description="Predikat a candidate may hold; only the three lowest are allowed.",
    )
    distribution: dict[OrgRatingCode, list[DistributionLimit]] = Field(default_factory=dict)
    distribution_min_employees: int = Field(
        default=5,
        ge=1,
        description="Units with fewer employees holding a predikat are not checked.",
    )

    @field_validator("categories")
    @classmethod
    def _five(cls, v: list[PredikatCategory]) -> list[PredikatCategory]:
        codes = [c.code for c in v]
        if sorted(codes) != sorted(PREDIKAT) or len(codes) != len(PREDIKAT):
            raise ValueError(f"categories must name each predikat once: {list(PREDIKAT)}")
        return sorted(v, key=lambda c: PREDIKAT.index(c.code))

    @field_validator("candidate_predikat")
    @classmethod
    def _lowest_only(cls, v: list[PredikatCode]) -> list[PredikatCode]:
        high = [c for c in v if c not in LOWEST_PREDIKAT]
        if high:
            raise ValueError(
                f"{high} may not be proposed: candidates come only from {list(LOWEST_PREDIKAT)}"
            )
        return sorted(set(v), key=PREDIKAT.index)


class SufficiencyPolicy(Strict):
    """When data is too thin to judge someone: they are scored but never ranked as candidates."""

    min_observed_workday_ratio: float = Field(
        default=0.5, ge=0, le=1, description="Days with attendance data / expected working days."
    )
    max_excused_ratio: float = Field(
        default=0.5, ge=0, le=1, description="Above this share of excused days: not ranked."
    )
    min_raters: int = Field(default=3, ge=1, description="Distinct raters (not self) needed.")
    min_active_workdays: int = Field(
        default=10, ge=1, description="Working days in post this month (new hires, transfers)."
    )


class SelectionPolicy(Strict):
    """Who the system proposes to the head of each OPD (or rumpun).

    Only employees at or below an absolute floor can be proposed: nobody is named merely for
    being the lowest of a good unit, so fewer than `count` names, or none, is a valid proposal.
    """

    scope: Literal["opd", "rumpun"] = "opd"
    count: int = Field(
        default=3, ge=3, le=5, description="At most this many names are proposed (3-5)."
    )
    max_composite: float = Field(
        default=75.0,
        ge=0,
        le=100,
        description=(
            "The absolute floor: only a composite at most this can be proposed. It may not "
            "reach into the top band (checked against the bands)."
        ),
    )
    min_gap_below_median: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description=(
            "Optional: a candidate must also be at least this many points below the median "
            "composite of their OPD (employees with enough data). None: no such condition."
        ),
    )
    ties: Literal["all", "none"] = Field(
        default="all",
        description=(
            "Employees with equal scores at the cut (every tie_break key but nip) are all "
            "proposed ('all', possibly more than count) or none of them ('none'); they are "
            "never split by NIP."
        ),
    )
    exclude_levels: list[PositionLevel] = Field(
        default=[PositionLevel.ESELON_I], description="Levels never proposed."
    )
    tie_break: list[str] = Field(
        default=["composite", "kinerja", "kehadiran", "perilaku", "nip"],
        description="Sort keys, ascending: lower first; nip makes ties deterministic.",
    )


class ReviewPolicy(Strict):
    """Deadlines of the human steps, in working days, and who decides on the deciders."""

    selection_deadline_workdays: int = Field(default=5, ge=1)
    defence_deadline_workdays: int = Field(default=5, ge=1)
    reminder_workdays_before: int = Field(default=1, ge=0)
    secretariat_opd: str = Field(
        default="SETDA",
        min_length=1,
        description=(
            "The OPD the Sekda heads: its head (or acting head) in the register decides the "
            "review of the heads of OPD."
        ),
    )
    sekda_decider_nip: str | None = Field(
        default=None,
        pattern=r"^[0-9]{8,32}$",
        description=(
            "NIP (in the register) of the Governor's or Bupati's delegate who decides on the "
            "Sekda, and on anyone the Sekda cannot decide on; None: they are never proposed."
        ),
    )


class LetterPolicy(Strict):
    """What letters call low, and what a candidate the head did not select receives."""

    indicator_threshold: float = Field(
        default=75.0,
        ge=0,
        le=100,
        description=(
            "An indicator is 'perlu ditingkatkan' only below this or below the OPD median; "
            "otherwise the letter acknowledges it."
        ),
    )
    not_selected_note: bool = Field(
        default=False,
        description=(
            "A candidate the head did not select gets no warning and no decision letter; True "
            "sends them a neutral coaching note (catatan pembinaan) instead."
        ),
    )


class PublicationPolicy(Strict):
    """What an announcement may say."""

    fields: list[Literal["name", "nip", "position", "opd"]] = Field(
        default=["name", "position", "opd"]
    )
    per: Literal["opd", "rumpun"] = "opd"
    max_per_scope: int = Field(default=1, ge=0)
    recognition_top_n: int = Field(default=1, ge=0)
    channel_label: str = "akun media sosial resmi Pemerintah Provinsi"


class CoachingPolicy(Strict):
    """Who coaches the published employees next month, and how often they check in."""

    coach: Literal["supervisor", "head_of_opd", "sekda", "governor"] = "supervisor"
    repeat_coach: Literal["supervisor", "head_of_opd", "sekda", "governor"] = "sekda"
    repeat_after_months: int = Field(default=2, ge=1)
    checkins: int = Field(default=2, ge=1, le=8)
    improvement_threshold: float = Field(
        default=5.0, description="Composite points gained to count as improved."
    )


class Policy(Strict):
    """A whole profile: everything that differs between governments."""

    name: str
    description: str = ""
    region: str = ""
    calendar: CalendarPolicy = CalendarPolicy()
    attendance: AttendancePolicy
    activities: ActivityPolicy = ActivityPolicy()
    behaviour: BehaviourPolicy
    positions: dict[PositionLevel, PositionTree]
    composite: CompositePolicy = CompositePolicy()
    bands: list[Band] = Field(
        default_factory=list, description="Score bands; empty when `predikat` replaces them."
    )
    predikat: PredikatPolicy | None = None
    sufficiency: SufficiencyPolicy = SufficiencyPolicy()
    selection: SelectionPolicy = SelectionPolicy()
    review: ReviewPolicy = ReviewPolicy()
    publication: PublicationPolicy = PublicationPolicy()
    coaching: CoachingPolicy = CoachingPolicy()
    letters: LetterPolicy = LetterPolicy()
    nip: NipPolicy = NipPolicy()

    @field_validator("positions")
    @classmethod
    def _all_levels(cls, v: dict[PositionLevel, PositionTree]) -> dict[PositionLevel, PositionTree]:
        missing = set(PositionLevel) - set(v)
        if missing:
            raise ValueError(f"missing trees for {sorted(m.value for m in missing)}")
        return v

    @field_validator("bands")
    @classmethod
    def _bands_cover(cls, v: list[Band]) -> list[Band]:
        """Bands must tile 0..100 with no gap and no overlap."""
        if not v:
            return v
        ordered = sorted(v, key=lambda b: b.min_score)
        if ordered[0].min_score != 0 or not ordered[0].include_min:
            raise ValueError("the lowest band must include 0")
        if ordered[-1].max_score != 100 or not ordered[-1].include_max:
            raise ValueError("the highest band must include 100")
        for lo, hi in zip(ordered, ordered[1:], strict=False):
            if lo.max_score != hi.min_score or lo.include_max == hi.include_min:
                raise ValueError(
                    f"bands {lo.code!r} and {hi.code!r} must meet at one edge that exactly one "
                    "of them includes"
                )
        return ordered

    @model_validator(mode="after")
    def _bands_or_predikat(self) -> Policy:
        if self.predikat is None and not self.bands:
            raise ValueError("bands: at least one band is needed (or a predikat section)")
        if self.predikat is not None and self.bands:
            raise ValueError("bands: leave them out when predikat replaces them")
        if self.predikat is not None and self.selection.tie_break[:1] != ["predikat_order"]:
            raise ValueError(
                "selection.tie_break must start with predikat_order under a predikat profile: "
                "the lowest predikat is proposed first"
            )
        return self

    @model_validator(mode="after")
    def _floor_below_top_band(self) -> Policy:
        """Nobody in the top band can ever be proposed: the floor stays below it."""
        if not self.bands:
            return self
        top = self.bands[-1]
        floor = self.selection.max_composite
        if floor > top.min_score or (floor == top.min_score and top.include_min):
            raise ValueError(
                f"selection.max_composite {floor:g} reaches into the top band {top.code!r} "
                f"({top.label}): the floor must keep everyone in the top band out"
            )
        return self

    @model_validator(mode="after")
    def _someone_decides_on_the_sekda(self) -> Policy:
        if PositionLevel.ESELON_I not in self.selection.exclude_levels and (
            self.review.sekda_decider_nip is None
        ):
            raise ValueError(
                "selection.exclude_levels: eselon_i may be proposed only when "
                "review.sekda_decider_nip names who decides on the Sekda"
            )
        return self

    def categories(self) -> list[Category]:
        """What outputs show as the category of a score: the bands, or the five predikat."""
        if self.predikat is not None:
            return [
                Category(c.code, c.label, c.allowance, c.promotion, None)
                for c in self.predikat.categories
            ]
        return [
            Category(b.code, b.label, b.allowance, b.promotion, b.max_score) for b in self.bands
        ]


@dataclass(frozen=True)
class Category:
    """A band or a predikat as outputs show it; max_score is None for a predikat."""

    code: str
    label: str
    allowance: str
    promotion: str
    max_score: float | None


class PolicyError(ValueError):
    """A policy file is invalid; the message names the file and the field."""


def load_policy(name_or_path: str | Path) -> Policy:
    """Load a shipped profile by name (`jabar`, `banten-sikap`) or a YAML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        shipped = sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))
        raise PolicyError(f"policy {name_or_path!r} not found; shipped profiles: {shipped}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"invalid policy {path.name}: {problems}") from exc
