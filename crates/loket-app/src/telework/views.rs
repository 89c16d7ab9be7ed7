//! What HR's telework pages show: the last thirteen months with their
//! close and payroll totals, the teleworking share per month and
//! department, and one staff member's file (manager, team, leave, recent
//! months, pay lines and the city's equipment they still have).

use crate::i18n::today_brussels;
use crate::{App, Refusal};
use jiff::ToSpan;
use jiff::civil::Date;
use loket_domain::paging::{Page, PageQuery, TOTAL_CAP, Total};
use loket_domain::telework::{DayKind, Month, MonthStatus, PayLine};
use loket_store::assets::Loan;
use loket_store::telework::{self as store, MonthView, Share, StaffMember};

/// One month on HR's overview.
pub struct MonthSummary {
    pub month: Month,
    /// When the month was closed, if it was.
    pub closed_at: Option<i64>,
    /// A past month that is still open may be closed.
    pub can_close: bool,
    /// Staff months with days: approved, and not (yet) approved.
    pub approved: i64,
    pub open: i64,
    /// The payroll lines of a closed month and their total.
    pub lines: usize,
    pub total_cents: i64,
}

/// This month and the twelve before it, newest first.
pub async fn months(app: &App) -> Result<Vec<MonthSummary>, Refusal> {
    let current = Month::of(today_brussels());
    let mut months = Vec::new();
    let mut m = current;
    for _ in 0..13 {
        let closed_at = store::closed_at(&app.store, m).await?;
        let (approved, open) = store::month_counts(&app.store, &m.to_string()).await?;
        let lines = if closed_at.is_some() {
            store::pay_lines(&app.store, m).await?
        } else {
            Vec::new()
        };
        months.push(MonthSummary {
            month: m,
            closed_at,
            can_close: closed_at.is_none() && m < current,
            approved,
            open,
            lines: lines.len(),
            total_cents: lines.iter().map(|l| l.amount_cents).sum(),
        });
        m = m.prev();
    }
    Ok(months)
}

/// The teleworking share for the dashboard.
pub struct Shares {
    /// The month shown (the one asked for, never after this month).
    pub month: Month,
    /// The whole city, month by month (at least the last twelve).
    pub overall: Vec<Share>,
    /// Per department, in the month shown.
    pub departments: Vec<Share>,
}

impl Shares {
    /// The whole city's share in the month shown.
    pub fn this(&self) -> Option<&Share> {
        self.overall.iter().find(|s| s.month == self.month)
    }
}

/// The shares for `month` (this month when it does not parse).
pub async fn shares(app: &App, month: &str) -> Result<Shares, Refusal> {
    let current = Month::of(today_brussels());
    let month = Month::parse(month).unwrap_or(current).min(current);
    let mut from = current;
    for _ in 0..11 {
        from = from.prev();
    }
    let (overall, per_dept): (Vec<Share>, Vec<Share>) =
        store::shares(&app.store.reader(), from.min(month), current)
            .await?
            .into_iter()
            .partition(|s| s.department.is_empty());
    Ok(Shares {
        month,
        overall,
        departments: per_dept.into_iter().filter(|s| s.month == month).collect(),
    })
}

/// A staff member's month with confirmed days.
pub struct MonthDays {
    pub view: MonthView,
    pub full: i64,
    pub half: i64,
}

/// A staff member's file, as HR sees it.
pub struct PersonFile {
    pub manager: Option<StaffMember>,
    pub team: Vec<StaffMember>,
    /// The Loket account with the same e-mail address, if there is one.
    pub user_id: Option<String>,
    /// The city's equipment they have on loan now: the first
    /// [`PERSON_LOANS_SHOWN`] (by due date, then tag).
    pub loans: Vec<Loan>,
    /// They have more loans open than [`PERSON_LOANS_SHOWN`]: the page says
    /// "more than N" (the full list is the assets module's return list).
    pub loans_more: bool,
    /// Leave from a month ago to a year ahead.
    pub leave: Vec<Date>,
    /// The last six months that have telework days, newest first.
    pub months: Vec<MonthDays>,
    /// Their payroll lines, newest month first: the page of them asked
    /// for (keyset-paged, [`store::PAY_LINES_PAGING`]).
    pub lines: Page<PayLine>,
    /// How many payroll lines they have (exact up to [`TOTAL_CAP`]).
    pub lines_total: Total,
}

impl PersonFile {
    /// A leaver who still has equipment must bring it back.
    pub fn must_return(&self, s: &StaffMember) -> bool {
        s.end_date.is_some() && !self.loans.is_empty()
    }
}

/// The most open loans a staff member's file lists; past it the file says
/// "more than N" instead of cutting the list silently.
pub const PERSON_LOANS_SHOWN: usize = 500;

/// `s`'s file, with the page `lines` of their payroll lines.
pub async fn person(app: &App, s: &StaffMember, lines: &PageQuery) -> Result<PersonFile, Refusal> {
    let manager = match &s.manager_no {
        Some(m) => store::staff_by_no(&app.store, m).await?,
        None => None,
    };
    let team = store::team(&app.store, &s.employee_no).await?;
    let user_id = loket_store::people::find_by_email(&app.store, &s.email)
        .await?
        .map(|u| u.id);
    let mut loans = match &user_id {
        Some(id) => {
            loket_store::assets::loans(&app.store, id, "", true, "", PERSON_LOANS_SHOWN as i64 + 1)
                .await?
        }
        None => Vec::new(),
    };
    let loans_more = loans.len() > PERSON_LOANS_SHOWN;
    loans.truncate(PERSON_LOANS_SHOWN);
    let today = today_brussels();
    let from = today.checked_sub(31.days()).unwrap_or(today);
    let to = today.checked_add(365.days()).unwrap_or(today);
    let leave = store::leave_between(&app.store, &s.id, from, to)
        .await?
        .into_iter()
        .collect();
    let mut months = Vec::new();
    let mut m = Month::of(today);
    for _ in 0..6 {
        let view = store::month_view(&app.store, &s.id, m).await?;
        if !view.days.is_empty() {
            let confirmed = view.confirmed();
            let count =
                |kind| i64::try_from(confirmed.iter().filter(|k| **k == kind).count()).unwrap_or(0);
            months.push(MonthDays {
                full: count(DayKind::Full),
                half: count(DayKind::Half),
                view,
            });
        }
        m = m.prev();
    }
    let lines_total = store::pay_lines_total(&app.store, &s.id, TOTAL_CAP).await?;
    let lines = store::pay_lines_page(&app.store, &s.id, lines).await?;
    Ok(PersonFile {
        manager,
        team,
        user_id,
        loans,
        loans_more,
        leave,
        months,
        lines,
        lines_total,
    })
}

/// What a day of a staff member's month is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayType {
    Work,
    Weekend,
    Holiday,
    Leave,
    /// After the last day of their contract.
    AfterEnd,
}

impl DayType {
    pub fn as_str(self) -> &'static str {
        match self {
            DayType::Work => "work",
            DayType::Weekend => "weekend",
            DayType::Holiday => "holiday",
            DayType::Leave => "leave",
            DayType::AfterEnd => "after-end",
        }
    }
}

/// A staff member's month as their calendar shows it.
pub struct Calendar {
    pub days: Vec<(Date, DayType)>,
    /// What the confirmed days would pay (none without a rule).
    pub allowance: Option<loket_domain::telework::Allowance>,
    /// Days planned and not confirmed yet.
    pub planned: i64,
}

fn planned(view: &MonthView) -> i64 {
    let n = view
        .days
        .iter()
        .filter(|d| d.state == loket_domain::telework::DayState::Planned)
        .count();
    i64::try_from(n).unwrap_or(0)
}

/// `member`'s month `view` as a calendar: each day's type and the
/// allowance so far.
pub async fn calendar(
    app: &App,
    member: &StaffMember,
    view: &MonthView,
) -> Result<Calendar, Refusal> {
    let month = view.month;
    let holidays = store::holidays(&app.store, month.year()).await?;
    let leave =
        store::leave_between(&app.store, &member.id, month.first_day(), month.last_day()).await?;
    let end = member.end();
    let days = month
        .days()
        .into_iter()
        .map(|d| {
            let t = if loket_domain::telework::is_weekend(d) {
                DayType::Weekend
            } else if holidays.contains(&d) {
                DayType::Holiday
            } else if leave.contains(&d) {
                DayType::Leave
            } else if end.is_some_and(|e| d > e) {
                DayType::AfterEnd
            } else {
                DayType::Work
            };
            (d, t)
        })
        .collect();
    Ok(Calendar {
        days,
        allowance: store::preview(&app.store, member, view).await?,
        planned: planned(view),
    })
}

/// One team member's month, for their manager.
pub struct TeamMember {
    pub member: StaffMember,
    pub view: MonthView,
    pub full: i64,
    pub half: i64,
    pub planned: i64,
    pub amount_cents: i64,
    /// Per working day of the month: `T` (telework), `½` (half), `p` /
    /// `p½` (planned), `V` (leave) or empty.
    pub cells: Vec<&'static str>,
}

/// A manager's team in one month.
pub struct TeamMonth {
    pub workdays: Vec<Date>,
    pub members: Vec<TeamMember>,
    /// Confirmed telework of the whole team, in half days.
    pub total_units: i64,
    /// Members whose month is approved.
    pub approved: usize,
}

/// `manager`'s team in `month`.
pub async fn team(app: &App, manager: &StaffMember, month: Month) -> Result<TeamMonth, Refusal> {
    use loket_domain::telework::DayState;
    let holidays = store::holidays(&app.store, month.year()).await?;
    let workdays = loket_domain::telework::working_days(month, &holidays);
    let mut members = Vec::new();
    let (mut total_units, mut approved) = (0, 0);
    for (member, view) in store::team_month(&app.store, &manager.employee_no, month).await? {
        let a = store::preview(&app.store, &member, &view).await?;
        let leave =
            store::leave_between(&app.store, &member.id, month.first_day(), month.last_day())
                .await?;
        let cells = workdays
            .iter()
            .map(|d| match view.day(&d.to_string()) {
                Some(x) => match (x.state, x.kind) {
                    (DayState::Confirmed, DayKind::Full) => "T",
                    (DayState::Confirmed, DayKind::Half) => "½",
                    (DayState::Planned, DayKind::Full) => "p",
                    (DayState::Planned, DayKind::Half) => "p½",
                },
                None if leave.contains(d) => "V",
                None => "",
            })
            .collect();
        let full = a.as_ref().map(|a| a.full_days).unwrap_or(0);
        let half = a.as_ref().map(|a| a.half_days).unwrap_or(0);
        total_units += full * 2 + half;
        if view.status == MonthStatus::Approved {
            approved += 1;
        }
        members.push(TeamMember {
            full,
            half,
            planned: planned(&view),
            amount_cents: a.as_ref().map(|a| a.amount_cents).unwrap_or(0),
            cells,
            member,
            view,
        });
    }
    Ok(TeamMonth {
        workdays,
        members,
        total_units,
        approved,
    })
}
