"""CRM adoption, activity and skills KPIs (docs/kpi_design.md, "Adoption"), from staged users,
usage events, activities and trainings."""

from __future__ import annotations

import pandas as pd

from crm_kpi.validator import derived, facts
from crm_kpi.validator.calendar import CALENDAR_GRAINS
from crm_kpi.validator.data import Frame
from crm_kpi.validator.kpis import kpi
from crm_kpi.validator.rollup import OUTPUT, Spec, finalize

TEAM = ("team",)


def _licensed(frame: Frame) -> pd.DataFrame:
    """Licensed users per period and scorecard window, with their team."""
    return derived.user_period_rows(frame, CALENDAR_GRAINS)


def _activities(frame: Frame) -> pd.DataFrame:
    """Activities that happened (occurred_at set), with the user's team."""
    activities = facts.with_user_team(frame.table("activities"), frame, "user_id")
    activities = activities[activities["occurred_at"].notna()]
    activities["is_automated"] = activities["is_automated"].astype("boolean").fillna(False)
    return activities.assign(event_at=activities["occurred_at"])


@kpi("licensed_users")
def licensed_users(frame: Frame) -> pd.DataFrame:
    rows = _licensed(frame).assign(measure=1.0)
    return derived.slim_periods(frame, rows, Spec("licensed_users", 1, "sum", TEAM))


@kpi("active_user_rate")
def active_user_rate(frame: Frame) -> pd.DataFrame:
    """Licensed users with a usage event in the period / licensed users."""
    rows = _licensed(frame)
    events = frame.table("usage_events")
    events = events[events["occurred_at"] <= frame.as_of_at]
    parts = []
    for period in frame.calendar.of(CALENDAR_GRAINS, windows=True):
        members = rows[
            (rows["period_grain"] == period.grain) & (rows["period_start"] == period.start)
        ]
        users = set(
            events.loc[derived.in_period(events["occurred_at"], period, frame.as_of_at)]["user_id"]
        )
        parts.append(
            members.assign(numerator=members["user_id"].isin(users).astype(float), denominator=1.0)
        )
    rows = pd.concat(parts, ignore_index=True)
    spec = Spec("active_user_rate", 1, "ratio", TEAM, requires=("usage_events",))
    return derived.slim_periods(frame, rows, spec)


@kpi("activities_per_user")
def activities_per_user(frame: Frame) -> pd.DataFrame:
    """Activities in the period / licensed users. By activity_type: that type's activities /
    all licensed users; by user_id: the user's activities / 1 if licensed (else 0); by team:
    the team's activities / the team's licensed users. A period with neither activities nor
    licensed users has only its overall row, without numerator and denominator (empty-period
    rule)."""
    activities = _activities(frame)
    activities = activities[activities["occurred_at"] <= frame.as_of_at]
    licensed = _licensed(frame)
    out = []
    for period in frame.calendar.of(CALENDAR_GRAINS, windows=True):
        done = activities[derived.in_period(activities["occurred_at"], period, frame.as_of_at)]
        users = licensed[
            (licensed["period_grain"] == period.grain) & (licensed["period_start"] == period.start)
        ]
        total_users = float(len(users))
        groups: list[tuple[str, str | None, float, float]] = [
            ("overall", None, float(len(done)), total_users)
        ]
        for activity_type, count in done.groupby("activity_type").size().items():
            groups.append(("activity_type", str(activity_type), float(count), total_users))
        user_counts = done.groupby("user_id").size()
        licensed_ids = set(users["user_id"])
        for user_id in sorted(set(user_counts.index) | licensed_ids):
            groups.append(
                (
                    "user_id",
                    str(user_id),
                    float(user_counts.get(user_id, 0)),
                    float(user_id in licensed_ids),
                )
            )
        team_counts = done.groupby(done["team"].fillna("(none)")).size()
        team_users = users.groupby(users["team"].fillna("(none)")).size()
        for team in sorted(set(team_counts.index) | set(team_users.index)):
            groups.append(
                ("team", str(team), float(team_counts.get(team, 0)), float(team_users.get(team, 0)))
            )
        for breakdown, label, numerator, denominator in groups:
            empty = breakdown == "overall" and done.empty and users.empty
            out.append(
                {
                    "kpi_id": "activities_per_user",
                    "kpi_version": 1,
                    "period_grain": period.grain,
                    "period_start": period.start,
                    "breakdown": breakdown,
                    "breakdown_value": label,
                    "value": numerator / denominator if denominator else None,
                    "numerator": None if empty else numerator,
                    "denominator": None if empty else denominator,
                    "is_available": True,
                }
            )
    spec = Spec(
        "activities_per_user",
        1,
        "ratio",
        ("activity_type", "user_id", "team"),
        requires=("activities",),
    )
    return finalize(frame, pd.DataFrame(out, columns=OUTPUT), spec)


@kpi("automation_rate")
def automation_rate(frame: Frame) -> pd.DataFrame:
    activities = _activities(frame)
    rows = activities.assign(numerator=activities["is_automated"].astype(float), denominator=1.0)
    spec = Spec(
        "automation_rate",
        1,
        "ratio",
        ("user_id", "team", "activity_type"),
        requires=("activities",),
    )
    return derived.slim_events(frame, rows, spec)


@kpi("overdue_follow_up_rate")
def overdue_follow_up_rate(frame: Frame) -> pd.DataFrame:
    """Tasks and follow-ups by due_at: overdue when completed after due_at, or still open at
    as_of with due_at before it."""
    activities = facts.with_user_team(frame.table("activities"), frame, "user_id")
    due = activities[
        activities["activity_type"].isin(["task", "follow_up"]) & activities["due_at"].notna()
    ]
    as_of = frame.as_of_at
    done = due["occurred_at"].notna() & (due["occurred_at"] <= as_of)
    late = done & (due["occurred_at"] > due["due_at"])
    still_open = ~done & (due["due_at"] < as_of)
    rows = due.assign(
        event_at=due["due_at"], numerator=(late | still_open).astype(float), denominator=1.0
    )
    spec = Spec("overdue_follow_up_rate", 1, "ratio", ("user_id", "team"), requires=("activities",))
    return derived.slim_events(frame, rows, spec)


@kpi("training_completion_rate")
def training_completion_rate(frame: Frame) -> pd.DataFrame:
    """Licensed users with a training completed before the end instant / licensed users."""
    trainings = frame.table("trainings")
    trainings = trainings[trainings["completed_at"].notna()]
    first_completed = trainings.groupby("user_id")["completed_at"].min()
    rows = _licensed(frame)
    ends = {
        (period.grain, period.start): period.end_instant
        for period in frame.calendar.of(CALENDAR_GRAINS, windows=True)
    }
    end_instants = pd.Series(
        [ends[key] for key in zip(rows["period_grain"], rows["period_start"], strict=True)],
        index=rows.index,
    )
    completed = pd.Series(
        pd.to_datetime(first_completed.reindex(rows["user_id"])).to_numpy(), index=rows.index
    )
    rows = rows.assign(
        numerator=(completed.notna() & (completed < end_instants)).astype(float), denominator=1.0
    )
    spec = Spec("training_completion_rate", 1, "ratio", TEAM, requires=("trainings",))
    return derived.slim_periods(frame, rows, spec)


@kpi("average_assessment_score")
def average_assessment_score(frame: Frame) -> pd.DataFrame:
    trainings = facts.with_user_team(frame.table("trainings"), frame, "user_id")
    trainings = trainings[trainings["completed_at"].notna() & trainings["assessment_score"].notna()]
    rows = trainings.assign(
        event_at=trainings["completed_at"], measure=trainings["assessment_score"].astype(float)
    )
    spec = Spec(
        "average_assessment_score", 1, "mean", TEAM, requires=("trainings.assessment_score",)
    )
    return derived.slim_events(frame, rows, spec)
