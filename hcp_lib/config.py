"""Configuration: every rule of a bulletin (rounding, weights, thresholds, roll-ups) as data.

One YAML file per city, loaded into typed, validated objects. Code never hard-codes a rule
that a bulletin could change; it reads it from here. Paths inside the file are relative to it.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .contract import LEVELS, TABLES
from .documents.settings import DocumentSettings
from .mail.settings import MailSettings
from .quarters import Quarter
from .registry import Registry, RegistryError
from .yamltext import safe_load

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "data" / "config" / "xiamen.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class District(_Model):
    code: str
    name: str


class CityConfig(_Model):
    name: str
    title: str = Field(description="the bulletin's masthead")
    issuer: str
    city_region_code: str
    city_row_label: str = Field(description="the region table's row for city units, e.g. 厦门市直")
    region_column_label: str = "县（市、区）"
    table_title: str = Field(description="region table title; {ordinal} is 第二季度")
    districts: tuple[District, ...]
    registry: Path
    published: Path | None = Field(
        None, description="folder of transcribed published bulletins (<QUARTER>.yaml) that "
                          "reports are reconciled with; none: no reconciliation")

    def published_file(self, quarter: object) -> Path | None:
        """This city's transcription of the bulletin for ``quarter``, when there is one."""
        return self.published / f"{quarter}.yaml" if self.published else None


class NumberingConfig(_Model):
    first_quarter: str = Field(description="the quarter of issue number first_number")
    first_number: int = 1

    @field_validator("first_quarter")
    @classmethod
    def _quarter(cls, v: str) -> str:
        return str(Quarter.parse(v))


class InputChecks(_Model):
    """Plausible ranges a row must fall within (each breach rejects the row, named)."""

    score_min: float = Field(0, description="lowest survey score (得分)")
    score_max: float = Field(100, description="highest survey score (得分)")
    count_max: int = Field(1000, description="largest count (数量, 条目) on one ledger row")
    earliest_date: date = Field(date(2000, 1, 1), description="no date or time before this")
    days_after_quarter: int = Field(
        400, description="no date or time later than this many days after the quarter ends")


class InputConfig(_Model):
    level_codes: Literal["descending", "ascending"] = Field(
        "descending",
        description="descending: 5 = 非常满意 (provincial interfaces); "
        "ascending: 1 = 非常满意 (GB/T 39046 A.8)",
    )
    channel_codes: dict[str, str]
    channels: tuple[str, ...]
    default_mode: Literal["strict", "quarantine"] = "strict"
    max_examples_per_problem: int = 5
    checks: InputChecks = InputChecks()


class PercentPolicy(_Model):
    """How one kind of percentage prints."""

    method: Literal["half_up", "truncate"]
    decimals: int = 2
    min_nonzero: bool = Field(False, description="a non-zero share never prints as 0")
    total_100: bool = Field(False, description="the largest share absorbs the remainder")
    below_100: bool = Field(False, description="a value under 100% never prints as 100")


class DisplayConfig(_Model):
    policies: dict[str, PercentPolicy]
    figures: dict[str, str] = Field(description="figure name -> policy name")

    def policy_for(self, figure: str) -> PercentPolicy:
        return self.policies[self.figures.get(figure, figure)]


class SatisfactionConfig(_Model):
    weights: dict[str, float]
    use_corrected_levels: bool = True
    unit_decimals: int = 3
    city_mean_kinds: tuple[str, ...]
    district_attribution: Literal["region_code", "unit"] = Field(
        "region_code",
        description="a district's rate counts the evaluations whose record carries its "
        "行政区划代码 (region_code), or those of units rolling up into it (unit)",
    )
    majority_above: float = Field(
        0.5,
        ge=0,
        lt=1,
        description="多数 (most units' rates rose): strictly more than this share of the units "
        "rated in both quarters",
    )

    @field_validator("weights")
    @classmethod
    def _levels(cls, v: dict[str, float]) -> dict[str, float]:
        if set(v) != set(LEVELS):
            raise ValueError(f"weights must name exactly the five levels {LEVELS}")
        return v

    @property
    def majority(self) -> Fraction:
        """``majority_above`` as the decimal it was written as (0.5 is exactly 1/2)."""
        return Fraction(str(self.majority_above))


class BadReviewConfig(_Model):
    levels: tuple[str, ...] = ("不满意", "非常不满意")
    list_min_units: int = 5
    list_min_districts: int = 2
    station_kinds: tuple[str, ...] = Field(
        ("基层所站",), description="registry kinds printed as 含基层所站 when a group has one"
    )
    unverified_label: str = Field("未核实", description="verdict of a bad review not in the ledger")


class MechanismConfig(_Model):
    push_limit_hours: float = 24
    active_rate_threshold: float = 0.80
    repeat_min_in_quarter: int = 2
    repeat_min_after: int = 2
    missing_eval_grace_days: int = Field(
        7, description="a case is checked for an evaluation only when completed at least this "
        "many days before the end of the evaluation data read (Fujian's default-rating window)",
    )


class ActiveRateConfig(_Model):
    big_unit_cases: int = 20000
    big_unit_min_rate: float = 0.90
    leaders_top_n: int = 11
    hall_places: tuple[str, ...]
    hall_handling_channel: str = "窗口"
    unit_kinds: tuple[str, ...] = Field(
        ("市直部门", "事业单位", "驻厦单位", "国有企业"),
        description="registry kinds of the top-level units ranked by active rate",
    )
    rank_min_evaluations: int = Field(1, description="fewer evaluations: not ranked")


class SurveyConfig(_Model):
    top_units: int = 11
    bottom_units: int = 7
    top_districts: int = 2
    bottom_districts: int = 2
    unit_group: str = "窗口单位"
    district_group: str = "区"


class AwardsConfig(_Model):
    star_min_awards: int = Field(2, description="monthly 服务之星 awards a person needs to be listed")


class CommendationConfig(_Model):
    banner_kind: str = "锦旗"
    letter_kind: str = "感谢信"
    praise_kind: str = "表扬"
    person_separator: str = "、"


class ScheduleConfig(_Model):
    issue_dates: dict[str, date] = Field(
        default_factory=dict, description="quarter (2022Q2) -> the bulletin's date"
    )

    @field_validator("issue_dates")
    @classmethod
    def _quarters(cls, v: dict[str, date]) -> dict[str, date]:
        return {str(Quarter.parse(k)): d for k, d in v.items()}

    def issue_date(self, quarter: Quarter | str) -> date | None:
        return self.issue_dates.get(str(Quarter.parse(quarter)))


class GatesConfig(_Model):
    """Completeness gates: a quarter that fails one is not published (exit 3)."""

    required_tables: tuple[str, ...] = Field(
        ("evaluations", "cases"), description="tables that must have accepted rows")
    coverage: Literal["month", "day", "off"] = Field(
        "month", description="every month (or every day) of the quarter must have records in "
        "each of coverage_tables")
    coverage_tables: tuple[str, ...] = ("evaluations", "cases")
    required_ledgers: tuple[str, ...] = Field(
        (), description="ledgers (bad_reviews, survey, stars, red_flags, commendations) that "
        "must be present with rows; a missing optional ledger is noted in the manifest")
    max_rejected_share: float = Field(
        0.001, ge=0, le=1, description="quarantine mode: the largest share of a table's rows "
        "that may be set aside")

    @field_validator("required_tables", "coverage_tables", "required_ledgers")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in v if name not in TABLES]
        if unknown:
            raise ValueError(f"unknown tables {unknown}; known: {list(TABLES)}")
        return v


class LevelDirectionCheck(_Model):
    enabled: bool = True
    max_satisfied_share_drop: float = Field(
        0.5, gt=0, le=1, description="the share of 非常满意 + 满意 may not fall by more than this "
        "(absolute) on the previous quarter")
    expect_satisfied_majority: bool = Field(
        True, description="非常满意 + 满意 must outnumber 不满意 + 非常不满意")


class VolumeCheck(_Model):
    enabled: bool = True
    max_ratio: float = Field(
        10, gt=1, description="evaluations may not grow or shrink by more than this factor on "
        "the previous quarter")


class PlausibilityConfig(_Model):
    """Checks on the computed figures before publishing; each can be switched off."""

    level_direction: LevelDirectionCheck = LevelDirectionCheck()
    volume: VolumeCheck = VolumeCheck()
    rates_in_range: bool = True
    survey_means_in_range: bool = True


class Config(_Model):
    city: CityConfig
    numbering: NumberingConfig
    input: InputConfig
    display: DisplayConfig
    satisfaction: SatisfactionConfig
    bad_reviews: BadReviewConfig = BadReviewConfig()
    mechanism: MechanismConfig = MechanismConfig()
    active_rate: ActiveRateConfig
    survey: SurveyConfig = SurveyConfig()
    awards: AwardsConfig = AwardsConfig()
    commendations: CommendationConfig = CommendationConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    mail: MailSettings = MailSettings()
    documents: DocumentSettings = DocumentSettings()
    gates: GatesConfig = GatesConfig()
    plausibility: PlausibilityConfig = PlausibilityConfig()
    source: Path | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    @cached_property
    def registry(self) -> Registry:
        return Registry.from_csv(self.city.registry)


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or breaks the schema."""


def load_config(path: str | Path | None = None, *, check_registry: bool = True) -> Config:
    """Load and validate a city's configuration; relative paths resolve against the file.

    Every fault is a ConfigError naming the file: missing, not UTF-8, not YAML, not a mapping,
    a section missing or off, or (``check_registry``) a unit registry that cannot be used.
    """
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: 不是 UTF-8 文本 / not UTF-8 text (save the configuration as UTF-8)") from exc
    except OSError as exc:
        raise ConfigError(f"无法读取配置 / cannot read configuration {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        found = "empty" if raw is None else f"a {type(raw).__name__}"
        raise ConfigError(f"{path}: expected a mapping of sections (city, numbering, …), "
                          f"found {found}")
    if not isinstance(raw.get("city"), dict):
        raise ConfigError(f"{path}: the city section is missing or not a mapping")
    for key in ("registry", "published"):  # paths in the file are relative to it
        if raw["city"].get(key):
            raw["city"][key] = (path.parent / Path(str(raw["city"][key]))).resolve()
    mail = raw.get("mail")
    smtp = mail.get("smtp") if isinstance(mail, dict) else None
    if isinstance(smtp, dict) and smtp.get("ca_file"):
        smtp["ca_file"] = (path.parent / Path(smtp["ca_file"])).resolve()
    try:
        config = Config(**raw, source=path.resolve())
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: {_first_lines(exc)}") from exc
    if check_registry:
        try:
            _ = config.registry
        except RegistryError as exc:
            raise ConfigError(f"unit registry (city.registry in {path}): {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"unit registry {config.city.registry}: not UTF-8 text") from exc
        except OSError as exc:
            raise ConfigError(f"unit registry {config.city.registry} (city.registry in {path}): "
                              f"{exc.strerror or exc}") from exc
        except (ValueError, KeyError) as exc:
            raise ConfigError(f"unit registry {config.city.registry}: {exc}") from exc
    return config


def _first_lines(exc: BaseException, limit: int = 12) -> str:
    lines = str(exc).splitlines()
    return "\n".join(lines[:limit] + (["…"] if len(lines) > limit else []))
