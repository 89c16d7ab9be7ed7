//! How long Loket keeps personal data: the one retention schedule (issue
//! 16, item 3). The retention worker and `loket retention` apply it, the
//! admin page `/admin/retention` shows it, and the privacy page renders its
//! "how long" table from it, so the page cannot disagree with the worker.

pub mod requests;

/// The unit of a kind's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Hours,
    Days,
    Months,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Months => "months",
        }
    }
}

/// What happens to a record when its period has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The row (and any file on disk) is removed.
    Delete,
    /// Names, contact data, identifiers and free text are blanked; the row
    /// stays for statistics and for the records that point at it.
    Anonymise,
    /// The message body (and attachment, and the `.eml` file) is removed;
    /// recipient, subject and dates stay as proof of sending.
    StripBody,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::Anonymise => "anonymise",
            Action::StripBody => "strip-body",
        }
    }
}

/// One kind of data in the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Its key: Fluent ids `privacy-kind-<key>` and `retention-period-<key>`.
    pub key: &'static str,
    /// The configuration key that sets its period (also `LOKET_<KEY>`).
    pub config_key: &'static str,
    pub unit: Unit,
    /// The default period, in `unit`.
    pub default: u32,
    pub action: Action,
    /// Whether the default is a proposal the city's DPO must confirm.
    pub proposal: bool,
    /// The legal basis, in Dutch and in English.
    pub basis_nl: &'static str,
    pub basis_en: &'static str,
}

/// The schedule's kinds, in the order pages show them.
pub const KINDS: [Kind; 9] = [
    Kind {
        key: "sessions",
        config_key: "session_hours",
        unit: Unit::Hours,
        default: 8,
        action: Action::Delete,
        proposal: false,
        basis_nl: "Beveiliging van de verwerking (AVG art. 32): een sessie leeft niet langer dan nodig om aangemeld te blijven.",
        basis_en: "Security of processing (GDPR art. 32): a session lives no longer than needed to stay signed in.",
    },
    Kind {
        key: "login-failures",
        config_key: "retention_login_failures_hours",
        unit: Unit::Hours,
        default: 24,
        action: Action::Delete,
        proposal: false,
        basis_nl: "Beveiliging (AVG art. 32): mislukte pogingen tellen tegen het raden van wachtwoorden.",
        basis_en: "Security (GDPR art. 32): failed attempts are counted against password guessing.",
    },
    Kind {
        key: "mail",
        config_key: "retention_mail_days",
        unit: Unit::Days,
        default: 30,
        action: Action::StripBody,
        proposal: true,
        basis_nl: "Bewijs van verzending (algemeen belang, AVG art. 6.1.e); na de periode blijven enkel ontvanger, onderwerp en datum.",
        basis_en: "Proof of sending (public task, GDPR art. 6.1.e); after the period only recipient, subject and date remain.",
    },
    Kind {
        key: "search",
        config_key: "retention_search_days",
        unit: Unit::Days,
        default: 90,
        action: Action::Delete,
        proposal: true,
        basis_nl: "Verbetering van de kennisbank (gerechtvaardigd belang van de dienstverlening); zoektekst kan persoonsgegevens bevatten.",
        basis_en: "Improving the knowledge base (public task); search text may hold personal data.",
    },
    Kind {
        key: "drafts",
        config_key: "retention_drafts_days",
        unit: Unit::Days,
        default: 90,
        action: Action::Delete,
        proposal: true,
        basis_nl: "Op verzoek van de bewoner bewaard tot indiening (AVG art. 6.1.b); nooit ingediende ontwerpen en hun bijlagen vervallen.",
        basis_en: "Kept at the resident's request until submitted (GDPR art. 6.1.b); drafts never submitted and their files lapse.",
    },
    Kind {
        key: "contact-moments",
        config_key: "retention_contact_moments_months",
        unit: Unit::Months,
        default: 24,
        action: Action::Anonymise,
        proposal: true,
        basis_nl: "Opvolging van vragen en klachten (decreet lokaal bestuur, klachtenbehandeling); daarna blijven enkel geanonimiseerde cijfers.",
        basis_en: "Following up questions and complaints (Local Government Decree, complaints handling); afterwards only anonymous figures remain.",
    },
    Kind {
        key: "vaccination",
        config_key: "retention_vaccination_months",
        unit: Unit::Months,
        default: 6,
        action: Action::Anonymise,
        proposal: true,
        basis_nl: "Uitnodigen en plannen voor de campagne (wettelijke opdracht, AVG art. 6.1.e en 9.2.i); telt vanaf de laatste dag van de campagne. De vaccinatie zelf staat in Vaccinnet, niet hier.",
        basis_en: "Inviting and planning for the campaign (legal task, GDPR art. 6.1.e and 9.2.i); counted from the campaign's last day. The vaccination itself is recorded in Vaccinnet, not here.",
    },
    Kind {
        key: "audit",
        config_key: "retention_audit_months",
        unit: Unit::Months,
        default: 120,
        action: Action::Delete,
        proposal: true,
        basis_nl: "Verantwoording van elke wijziging (AVG art. 5.2); tien jaar als voorstel, gelijk aan de verjaring van bestuurlijke aansprakelijkheid.",
        basis_en: "Accountability for every change (GDPR art. 5.2); ten years as a proposal, matching the limitation period of administrative liability.",
    },
    Kind {
        key: "access",
        config_key: "retention_access_months",
        unit: Unit::Months,
        default: 120,
        action: Action::Delete,
        proposal: true,
        basis_nl: "Wie las welk dossier (AVG art. 32; de raadplegingen van het Rijksregister worden tien jaar bijgehouden).",
        basis_en: "Who read which file (GDPR art. 32; consultations of the National Register are kept for ten years).",
    },
];

/// The kind with this key.
pub fn kind(key: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.key == key)
}

/// The periods in force: the defaults, with the configured ones over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    values: [u32; KINDS.len()],
    /// The absolute session lifetime, in hours (shown with `sessions`).
    pub session_max_hours: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        let mut values = [0; KINDS.len()];
        for (v, k) in values.iter_mut().zip(KINDS.iter()) {
            *v = k.default;
        }
        Schedule {
            values,
            session_max_hours: 12,
        }
    }
}

/// One line of the schedule as it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub kind: &'static Kind,
    pub value: u32,
    /// Whether the value differs from the default.
    pub configured: bool,
}

impl Schedule {
    /// Sets a kind's period; refuses an unknown key and 0 (every kind is
    /// kept at least one unit).
    pub fn set(&mut self, key: &str, value: u32) -> Result<(), &'static str> {
        let i = KINDS
            .iter()
            .position(|k| k.key == key)
            .ok_or("unknown kind")?;
        if value == 0 {
            return Err("use a period of at least 1");
        }
        self.values[i] = value;
        Ok(())
    }

    /// The period of `key` in its unit (0 for an unknown key).
    pub fn value(&self, key: &str) -> u32 {
        KINDS
            .iter()
            .position(|k| k.key == key)
            .map_or(0, |i| self.values[i])
    }

    /// Every kind with its period.
    pub fn applied(&self) -> Vec<Applied> {
        KINDS
            .iter()
            .zip(self.values.iter())
            .map(|(kind, &value)| Applied {
                kind,
                value,
                configured: value != kind.default,
            })
            .collect()
    }

    /// The instant (unix ms) before which `key`'s records have had their
    /// period, at `now_ms`. Months are calendar months in Europe/Brussels.
    pub fn cutoff_ms(&self, key: &str, now_ms: i64) -> i64 {
        let Some(k) = kind(key) else {
            return i64::MIN;
        };
        let v = i64::from(self.value(key));
        match k.unit {
            Unit::Hours => now_ms.saturating_sub(v.saturating_mul(3_600_000)),
            Unit::Days => now_ms.saturating_sub(v.saturating_mul(86_400_000)),
            Unit::Months => {
                let Ok(t) = jiff::Timestamp::from_millisecond(now_ms) else {
                    return i64::MIN;
                };
                t.to_zoned_datetime(crate::calendar::brussels())
                    .checked_sub(jiff::Span::new().months(v))
                    .map_or(i64::MIN, |z| z.timestamp().as_millisecond())
            }
        }
    }

    /// The calendar date (`YYYY-MM-DD`, Europe/Brussels) before which a
    /// day-dated record of `key` (a campaign's last day) has had its period.
    pub fn cutoff_date(&self, key: &str, now_ms: i64) -> String {
        crate::calendar::date_of_ms(self.cutoff_ms(key, now_ms).max(0))
            .map(|d| d.to_string())
            .unwrap_or_default()
    }
}

/// The instant (unix ms) `years` calendar years before `now_ms`, in
/// Europe/Brussels: a closed case of a service kept `years` is due when it
/// closed before it.
pub fn years_before(now_ms: i64, years: u32) -> i64 {
    let Ok(t) = jiff::Timestamp::from_millisecond(now_ms) else {
        return i64::MIN;
    };
    t.to_zoned_datetime(crate::calendar::brussels())
        .checked_sub(jiff::Span::new().years(i64::from(years)))
        .map_or(i64::MIN, |z| z.timestamp().as_millisecond())
}

/// The retention kind of closed cases: its period is each service's
/// `retention_years`, not a configuration key.
pub const CASES_KIND: &str = "cases";

/// How long one kind of data is kept, as the privacy page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Removed this many hours after the last use, and at most `max_hours`
    /// after it was made (sessions).
    IdleHours { idle: u64, max_hours: u64 },
    /// A kind of the schedule: its action after `value` units.
    Scheduled { key: &'static str, value: u32 },
    /// Removed when it expires (within the purge worker's 10 minutes).
    AtExpiry,
    /// Removed this many days after it expired.
    DaysAfterExpiry(u64),
    /// No end date yet: kept until the schedule covers it.
    NoEndDate,
    /// Closed cases: anonymised the service's number of years after
    /// closing (`cases_retention` lists them per service).
    PerService,
}

/// One row of the privacy page's table: the kind (a Fluent id
/// `privacy-kind-<kind>`) and its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub kind: &'static str,
    pub period: Period,
}

/// The privacy page's table: every kind of the schedule with the period in
/// force, then the fixed periods of the purge worker
/// (`loket_store::people::purge_expired`), then what has no end date yet.
pub fn retention_table(s: &Schedule) -> Vec<Retention> {
    let mut t: Vec<Retention> = s
        .applied()
        .into_iter()
        .map(|a| Retention {
            kind: a.kind.key,
            period: if a.kind.key == "sessions" {
                Period::IdleHours {
                    idle: u64::from(a.value),
                    max_hours: u64::from(s.session_max_hours.max(a.value)),
                }
            } else {
                Period::Scheduled {
                    key: a.kind.key,
                    value: a.value,
                }
            },
        })
        .collect();
    let r = |kind, period| Retention { kind, period };
    t.extend([
        r("email-links", Period::DaysAfterExpiry(7)),
        r("reserve-offers", Period::AtExpiry),
        r("rate-limits", Period::AtExpiry),
        r("accounts", Period::NoEndDate),
        r("cases", Period::PerService),
        r("appointments", Period::NoEndDate),
    ]);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_once_and_sessions_follow_the_configuration() {
        let mut s = Schedule::default();
        assert!(s.set("sessions", 9).is_ok());
        s.session_max_hours = 14;
        let t = retention_table(&s);
        let mut kinds: Vec<_> = t.iter().map(|r| r.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), t.len());
        assert_eq!(
            t[0].period,
            Period::IdleHours {
                idle: 9,
                max_hours: 14
            }
        );
    }

    #[test]
    fn a_configured_period_overrides_the_default() {
        let mut s = Schedule::default();
        assert!(!s.applied().iter().any(|a| a.configured));
        assert!(s.set("drafts", 10).is_ok());
        assert_eq!(s.value("drafts"), 10);
        assert!(
            s.applied()
                .iter()
                .any(|a| a.kind.key == "drafts" && a.configured)
        );
        assert!(s.set("drafts", 0).is_err());
        assert!(s.set("nonsense", 3).is_err());
    }

    #[test]
    fn cutoffs_count_back_in_their_unit() {
        let s = Schedule::default();
        let now = 1_900_000_000_000;
        assert_eq!(s.cutoff_ms("login-failures", now), now - 24 * 3_600_000);
        assert_eq!(s.cutoff_ms("drafts", now), now - 90 * 86_400_000);
        // 2030-03-31 (Brussels) minus 6 months is 2029-09-30.
        let z: jiff::Timestamp = "2030-03-31T10:00:00Z".parse().unwrap();
        let ms = z.as_millisecond();
        assert_eq!(s.cutoff_date("vaccination", ms), "2029-09-30");
        // Two calendar years, in Brussels.
        let z: jiff::Timestamp = "2030-03-31T10:00:00Z".parse().unwrap();
        let two: jiff::Timestamp = "2028-03-31T10:00:00Z".parse().unwrap();
        assert_eq!(years_before(z.as_millisecond(), 2), two.as_millisecond());
    }
}
