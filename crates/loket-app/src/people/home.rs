//! The staff home as a work screen: for each of a person's roles, what
//! waits for them today, as counts (each with the page where the work is).
//! Every count is one aggregate query; nothing here reads a resident's
//! file, so nothing is access-logged.

use crate::{App, Refusal};
use jiff::civil::Date;
use loket_domain::calendar::day_span;
use loket_domain::telework::Month;
use loket_store::cases::HandlerWork;
use loket_store::people::User;

/// Cases count as "due" when their due date falls within this many days
/// from today (today included).
pub const DUE_WITHIN_DAYS: i64 = 7;
/// Shifts without enough staff are looked for this many days ahead.
pub const SHIFTS_AHEAD_DAYS: i64 = 14;

/// Which parts of the work screen a person gets: the web layer decides
/// from the roles its routes require, so a count is shown only to those who
/// may open the page it links to.
#[derive(Debug, Clone, Default)]
pub struct Ask {
    pub cases: bool,
    pub forwards: bool,
    pub counters: bool,
    /// The employee number of a manager with a team (telework approval).
    pub manager_no: Option<String>,
    pub bikes: bool,
    pub loans: bool,
    pub shifts: bool,
    pub privacy: bool,
}

/// One location's counter day.
#[derive(Debug, Clone, Default)]
pub struct CounterDay {
    pub slug: String,
    pub name: String,
    /// Appointments of today still to be seen, seen, and not come.
    pub booked: i64,
    pub served: i64,
    pub no_show: i64,
    /// Tickets waiting to be called now.
    pub waiting: i64,
}

/// Months of a manager's team waiting for approval.
#[derive(Debug, Clone)]
pub struct MonthsToApprove {
    pub month: Month,
    pub people: i64,
}

/// What waits, per part (`None`: not asked).
#[derive(Debug, Clone, Default)]
pub struct Work {
    pub today: String,
    pub due_until: String,
    pub cases: Option<HandlerWork>,
    /// Forwards due today, and overdue.
    pub forwards: Option<(i64, i64)>,
    pub counters: Option<Vec<CounterDay>>,
    /// The previous month, then the current one.
    pub months: Option<Vec<MonthsToApprove>>,
    pub bikes_to_check: Option<i64>,
    pub loans_overdue: Option<i64>,
    /// Open shifts of the coming days without enough people, and the places
    /// still to fill.
    pub shifts: Option<(i64, i64)>,
    pub shifts_until: String,
    /// Open data-protection requests, and overdue ones.
    pub privacy: Option<(i64, i64)>,
}

fn plus_days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap_or(d)
}

/// The work screen of `user` on `today`.
pub async fn work(app: &App, user: &User, ask: &Ask, today: Date) -> Result<Work, Refusal> {
    let store = &app.store;
    let day = today.to_string();
    let due_until = plus_days(today, DUE_WITHIN_DAYS - 1).to_string();
    let shifts_until = plus_days(today, SHIFTS_AHEAD_DAYS - 1).to_string();
    let mut w = Work {
        today: day.clone(),
        due_until: due_until.clone(),
        shifts_until: shifts_until.clone(),
        ..Work::default()
    };
    let needs_scope = ask.cases || ask.forwards;
    let scope = if needs_scope {
        Some(super::department_scope(app, user).await?)
    } else {
        None
    };
    let viewer = scope.as_ref().map(|s| s.filter_user()).unwrap_or("");
    if ask.cases {
        w.cases = Some(
            loket_store::cases::handler_work(store, &user.id, &day, &due_until, viewer).await?,
        );
    }
    if ask.forwards {
        w.forwards = Some(loket_store::contact::forwards_due(store, &day, viewer).await?);
    }
    if ask.counters {
        let span = day_span(today).ok_or(Refusal::NotFound)?;
        let appts =
            loket_store::appointments::per_location(store, span.start_ms, span.end_ms).await?;
        let waiting = loket_store::queue::waiting_per_location(store, &day).await?;
        let mut rows = Vec::new();
        for l in loket_store::appointments::list_locations(store)
            .await?
            .into_iter()
            .filter(|l| l.active)
        {
            // A location without desks (the vaccination centre) has no
            // counter queue.
            if loket_store::appointments::list_desks(store, &l.id)
                .await?
                .is_empty()
            {
                continue;
            }
            let a = appts.iter().find(|a| a.location_id == l.id);
            rows.push(CounterDay {
                booked: a.map(|a| a.booked).unwrap_or(0),
                served: a.map(|a| a.served).unwrap_or(0),
                no_show: a.map(|a| a.no_show).unwrap_or(0),
                waiting: waiting
                    .iter()
                    .find(|(id, _)| *id == l.id)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
                slug: l.slug,
                name: l.name,
            });
        }
        w.counters = Some(rows);
    }
    if let Some(no) = &ask.manager_no {
        let current = Month::of(today);
        let mut months = Vec::new();
        for month in [current.prev(), current] {
            let people = loket_store::telework::months_to_approve(store, no, month).await?;
            months.push(MonthsToApprove { month, people });
        }
        w.months = Some(months);
    }
    if ask.bikes {
        w.bikes_to_check = Some(loket_store::bikes::in_maintenance_count(store).await?);
    }
    if ask.loans {
        w.loans_overdue = Some(loket_store::assets::overdue_loans_count(store, &day).await?);
    }
    if ask.shifts {
        w.shifts = Some(loket_store::shifts::understaffed(store, &day, &shifts_until).await?);
    }
    if ask.privacy {
        w.privacy = Some(loket_store::privacy::requests::open_and_overdue(store, &day).await?);
    }
    Ok(w)
}
