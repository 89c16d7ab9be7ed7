//! A person's data, read for an export (GDPR art. 15 and 20): every query
//! is keyed by the person's user id, their national register number (from
//! their resident profile) or their confirmed e-mail address, exactly as
//! Loket links the records to them. Nothing here changes anything; the
//! caller writes the access-log row.
//!
//! Left out on purpose (see docs/privacy.md): internal case notes and the
//! contact centre's internal forward notes, password and token hashes,
//! second-factor secrets, session ids.

use crate::{Result, Store};
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The account.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    pub locale: String,
    pub roles: Vec<String>,
    /// `password`, `authenticator_app`, `oidc:<issuer>`.
    pub sign_in_methods: Vec<String>,
    pub created_at: i64,
    pub email_confirmed_at: Option<i64>,
    pub disabled_at: Option<i64>,
    /// The complete number (the page masks it).
    pub national_number: Option<String>,
    pub address: Address,
    pub phone: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Address {
    pub street: String,
    pub house_number: String,
    pub box_number: String,
    pub postal_code: String,
    pub city: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseOut {
    pub id: String,
    pub number: String,
    pub service: String,
    pub status: String,
    pub channel: String,
    pub submitted_at: i64,
    pub due_date: String,
    pub closed_at: Option<i64>,
    /// Since when only the privacy officer sees the case (kept after an
    /// erasure, or restricted on request); `null` when it is not.
    pub restricted_at: Option<i64>,
    /// The answers given, by field key.
    pub values: Value,
    pub history: Vec<CaseEvent>,
    pub files: Vec<CaseFile>,
    pub documents: Vec<CaseDocument>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseEvent {
    pub at: i64,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseFile {
    pub id: String,
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
    /// The path of the resident's own download page.
    pub download: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseDocument {
    pub id: String,
    pub kind: String,
    pub lang: String,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub revoked_at: Option<i64>,
    pub download: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AppointmentOut {
    pub code: String,
    pub service: String,
    pub location: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
    pub channel: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContactMomentOut {
    pub reference: String,
    pub channel: String,
    pub status: String,
    pub contact_name: String,
    pub contact_email: String,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub created_at: i64,
    pub forwards: Vec<ForwardOut>,
    pub messages: Vec<MessageOut>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ForwardOut {
    pub department: String,
    pub due_on: String,
    pub status: String,
    pub question_to_resident: String,
    pub answer: String,
    pub answered_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MessageOut {
    /// `in` (from the resident) or `out` (to them).
    pub direction: String,
    pub sender: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InvitationOut {
    pub campaign: String,
    pub code: String,
    pub name: String,
    pub birth_date: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub delivery: String,
    pub created_at: i64,
    pub bookings: Vec<VacBookingOut>,
    pub visits: Vec<VacVisitOut>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VacBookingOut {
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
    pub channel: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VacVisitOut {
    pub day: String,
    pub stage: String,
    pub checked_in_at: i64,
    pub vaccinated_at: Option<i64>,
    pub lot: Option<String>,
    pub left_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReserveOut {
    pub campaign: String,
    pub name: String,
    pub birth_date: String,
    pub email: String,
    pub phone: Option<String>,
    pub status: String,
    pub signed_up_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LetterOut {
    pub kind: String,
    pub case_number: Option<String>,
    pub created_at: i64,
    pub printed: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AccessOut {
    pub at: i64,
    /// The staff member's name (or `system` when no account is known).
    pub staff: String,
    pub purpose: String,
    pub record_type: String,
    pub record_id: String,
}

/// Everything held about one person, as read from the database.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PersonData {
    pub account: Account,
    pub cases: Vec<CaseOut>,
    pub appointments: Vec<AppointmentOut>,
    pub contact_moments: Vec<ContactMomentOut>,
    pub vaccination_invitations: Vec<InvitationOut>,
    pub vaccination_reserve: Vec<ReserveOut>,
    pub letters: Vec<LetterOut>,
    pub access_log: Vec<AccessOut>,
}

fn s(r: &AnyRow, c: &str) -> Result<String> {
    Ok(r.try_get(c)?)
}

fn i(r: &AnyRow, c: &str) -> Result<i64> {
    Ok(r.try_get(c)?)
}

fn os(r: &AnyRow, c: &str) -> Result<Option<String>> {
    Ok(r.try_get(c)?)
}

fn oi(r: &AnyRow, c: &str) -> Result<Option<i64>> {
    Ok(r.try_get(c)?)
}

/// A person found by the privacy officer: the account's id, name, e-mail
/// and national register number.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Found {
    pub id: String,
    pub name: String,
    pub email: String,
    pub national_number: Option<String>,
}

/// The account with this e-mail address (normalised) or this national
/// register number (11 digits); exactly one of them is non-empty.
pub async fn find_person(
    store: &Store,
    email_norm: &str,
    national_number: &str,
) -> Result<Option<Found>> {
    let row = sqlx::query(
        "SELECT u.id, u.name, u.email, p.national_number FROM users u \
         LEFT JOIN resident_profiles p ON p.user_id = u.id \
         WHERE ($1 <> '' AND u.email_norm = $1) OR ($2 <> '' AND p.national_number = $2)",
    )
    .bind(email_norm)
    .bind(national_number)
    .fetch_optional(store.pool())
    .await?;
    row.map(|r| {
        Ok(Found {
            id: s(&r, "id")?,
            name: s(&r, "name")?,
            email: s(&r, "email")?,
            national_number: os(&r, "national_number")?,
        })
    })
    .transpose()
}

/// Everything held about the account `user_id`; `None` when there is no
/// such account.
pub async fn person_data(store: &Store, user_id: &str) -> Result<Option<PersonData>> {
    let pool = store.pool();
    let Some(u) = sqlx::query(
        "SELECT u.id, u.name, u.email, u.email_norm, u.locale, u.password_hash, u.created_at, \
         u.email_confirmed_at, u.disabled_at, p.national_number, p.street, p.house_number, p.box, \
         p.postal_code, p.city, p.phone FROM users u \
         LEFT JOIN resident_profiles p ON p.user_id = u.id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let national_number = os(&u, "national_number")?;
    let email_norm = s(&u, "email_norm")?;
    let confirmed = oi(&u, "email_confirmed_at")?.is_some();
    // Unlinked contact moments are the person's when they came from the
    // address the person confirmed as theirs.
    let linked_email = if confirmed && !s(&u, "email")?.is_empty() {
        email_norm.clone()
    } else {
        String::new()
    };

    let roles = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
        .bind(user_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| s(r, "role"))
        .collect::<Result<Vec<_>>>()?;
    let mut methods = Vec::new();
    if !s(&u, "password_hash")?.is_empty() {
        methods.push("password".to_owned());
    }
    let totp = sqlx::query(
        "SELECT COUNT(*) AS n FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await?;
    if i(&totp, "n")? > 0 {
        methods.push("authenticator_app".to_owned());
    }
    for r in sqlx::query(
        "SELECT issuer FROM oidc_identities WHERE user_id = $1 ORDER BY created_at, issuer",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?
    {
        methods.push(format!("oidc:{}", s(&r, "issuer")?));
    }
    let opt = |c: &str| -> Result<String> { Ok(os(&u, c)?.unwrap_or_default()) };
    let account = Account {
        id: s(&u, "id")?,
        name: s(&u, "name")?,
        email: s(&u, "email")?,
        locale: s(&u, "locale")?,
        roles,
        sign_in_methods: methods,
        created_at: i(&u, "created_at")?,
        email_confirmed_at: oi(&u, "email_confirmed_at")?,
        disabled_at: oi(&u, "disabled_at")?,
        national_number: national_number.clone(),
        address: Address {
            street: opt("street")?,
            house_number: opt("house_number")?,
            box_number: opt("box")?,
            postal_code: opt("postal_code")?,
            city: opt("city")?,
        },
        phone: opt("phone")?,
    };

    let mut cases = Vec::new();
    for r in sqlx::query(
        "SELECT c.id, c.number, s.slug, c.status, c.channel, c.submitted_at, c.due_date, \
         c.closed_at, c.restricted_at, c.data FROM cases c JOIN services s ON s.id = c.service_id \
         WHERE c.resident_id = $1 ORDER BY c.submitted_at, c.id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?
    {
        let id = s(&r, "id")?;
        let number = s(&r, "number")?;
        let history = sqlx::query(
            "SELECT at, kind, from_status, to_status, body FROM case_events \
             WHERE case_id = $1 AND internal = 0 ORDER BY at, id",
        )
        .bind(&id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|e| {
            Ok(CaseEvent {
                at: i(e, "at")?,
                kind: s(e, "kind")?,
                from_status: os(e, "from_status")?,
                to_status: os(e, "to_status")?,
                body: os(e, "body")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let files = sqlx::query(
            "SELECT id, field_key, filename, content_type, size, sha256, created_at FROM case_files \
             WHERE case_id = $1 ORDER BY created_at, id",
        )
        .bind(&id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|f| {
            let fid = s(f, "id")?;
            Ok(CaseFile {
                download: format!("/cases/{number}/files/{fid}"),
                id: fid,
                field: s(f, "field_key")?,
                filename: s(f, "filename")?,
                content_type: s(f, "content_type")?,
                size: i(f, "size")?,
                sha256: s(f, "sha256")?,
                created_at: i(f, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let documents = sqlx::query(
            "SELECT id, kind, lang, filename, size, sha256, created_at, valid_from, valid_until, \
             revoked_at FROM case_documents WHERE case_id = $1 ORDER BY created_at, id",
        )
        .bind(&id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|d| {
            let did = s(d, "id")?;
            Ok(CaseDocument {
                download: format!("/cases/{number}/documents/{did}"),
                id: did,
                kind: s(d, "kind")?,
                lang: s(d, "lang")?,
                filename: s(d, "filename")?,
                size: i(d, "size")?,
                sha256: s(d, "sha256")?,
                created_at: i(d, "created_at")?,
                valid_from: os(d, "valid_from")?,
                valid_until: os(d, "valid_until")?,
                revoked_at: oi(d, "revoked_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let data = s(&r, "data")?;
        cases.push(CaseOut {
            id,
            number,
            service: s(&r, "slug")?,
            status: s(&r, "status")?,
            channel: s(&r, "channel")?,
            submitted_at: i(&r, "submitted_at")?,
            due_date: s(&r, "due_date")?,
            closed_at: oi(&r, "closed_at")?,
            restricted_at: oi(&r, "restricted_at")?,
            values: serde_json::from_str(&data).unwrap_or(Value::String(data)),
            history,
            files,
            documents,
        });
    }

    let appointments = sqlx::query(
        "SELECT a.code, s.slug, l.name AS location, a.starts_at, a.ends_at, a.status, a.channel, \
         a.created_at FROM appointments a JOIN appt_services s ON s.id = a.service_id \
         JOIN appt_locations l ON l.id = a.location_id \
         WHERE a.resident_id = $1 ORDER BY a.starts_at, a.id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(AppointmentOut {
            code: s(r, "code")?,
            service: s(r, "slug")?,
            location: s(r, "location")?,
            starts_at: i(r, "starts_at")?,
            ends_at: i(r, "ends_at")?,
            status: s(r, "status")?,
            channel: s(r, "channel")?,
            created_at: i(r, "created_at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;

    let mut contact_moments = Vec::new();
    for r in sqlx::query(
        "SELECT id, reference, channel, status, contact_name, contact_email, subject, question, \
         answer, created_at FROM contact_moments \
         WHERE resident_id = $1 OR ($2 <> '' AND resident_id IS NULL AND LOWER(contact_email) = $2) \
         ORDER BY created_at, id",
    )
    .bind(user_id)
    .bind(&linked_email)
    .fetch_all(pool)
    .await?
    {
        let id = s(&r, "id")?;
        let forwards = sqlx::query(
            "SELECT d.slug, f.due_on, f.status, f.waiting_question, f.answer, f.answered_at, \
             f.created_at FROM contact_forwards f JOIN contact_departments d ON d.id = f.department_id \
             WHERE f.moment_id = $1 ORDER BY f.created_at, f.id",
        )
        .bind(&id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|f| {
            Ok(ForwardOut {
                department: s(f, "slug")?,
                due_on: s(f, "due_on")?,
                status: s(f, "status")?,
                question_to_resident: s(f, "waiting_question")?,
                answer: s(f, "answer")?,
                answered_at: oi(f, "answered_at")?,
                created_at: i(f, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let messages = sqlx::query(
            "SELECT direction, sender, subject, body, created_at FROM contact_messages \
             WHERE moment_id = $1 ORDER BY created_at, id",
        )
        .bind(&id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|m| {
            Ok(MessageOut {
                direction: s(m, "direction")?,
                sender: s(m, "sender")?,
                subject: s(m, "subject")?,
                body: s(m, "body")?,
                created_at: i(m, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        contact_moments.push(ContactMomentOut {
            reference: s(&r, "reference")?,
            channel: s(&r, "channel")?,
            status: s(&r, "status")?,
            contact_name: s(&r, "contact_name")?,
            contact_email: s(&r, "contact_email")?,
            subject: s(&r, "subject")?,
            question: s(&r, "question")?,
            answer: s(&r, "answer")?,
            created_at: i(&r, "created_at")?,
            forwards,
            messages,
        });
    }

    // Vaccination records are linked by the national register number.
    let nn = national_number.unwrap_or_default();
    let mut vaccination_invitations = Vec::new();
    let mut vaccination_reserve = Vec::new();
    if !nn.is_empty() {
        for r in sqlx::query(
            "SELECT i.id, c.name AS campaign, i.code, i.name, i.birth_date, i.street, i.postal_code, \
             i.city, i.email, i.phone, i.status, i.delivery, i.created_at FROM vac_invitations i \
             JOIN vac_campaigns c ON c.id = i.campaign_id WHERE i.national_number = $1 \
             ORDER BY i.created_at, i.id",
        )
        .bind(&nn)
        .fetch_all(pool)
        .await?
        {
            let id = s(&r, "id")?;
            let bookings = sqlx::query(
                "SELECT starts_at, ends_at, status, channel, created_at FROM vac_bookings \
                 WHERE invitation_id = $1 ORDER BY created_at, id",
            )
            .bind(&id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|b| {
                Ok(VacBookingOut {
                    starts_at: i(b, "starts_at")?,
                    ends_at: i(b, "ends_at")?,
                    status: s(b, "status")?,
                    channel: s(b, "channel")?,
                    created_at: i(b, "created_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            let visits = sqlx::query(
                "SELECT day, stage, checked_in_at, vaccinated_at, lot, left_at FROM vac_visits \
                 WHERE invitation_id = $1 ORDER BY checked_in_at, id",
            )
            .bind(&id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|v| {
                Ok(VacVisitOut {
                    day: s(v, "day")?,
                    stage: s(v, "stage")?,
                    checked_in_at: i(v, "checked_in_at")?,
                    vaccinated_at: oi(v, "vaccinated_at")?,
                    lot: os(v, "lot")?,
                    left_at: oi(v, "left_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            vaccination_invitations.push(InvitationOut {
                campaign: s(&r, "campaign")?,
                code: s(&r, "code")?,
                name: s(&r, "name")?,
                birth_date: s(&r, "birth_date")?,
                street: s(&r, "street")?,
                postal_code: s(&r, "postal_code")?,
                city: s(&r, "city")?,
                email: os(&r, "email")?,
                phone: os(&r, "phone")?,
                status: s(&r, "status")?,
                delivery: s(&r, "delivery")?,
                created_at: i(&r, "created_at")?,
                bookings,
                visits,
            });
        }
        vaccination_reserve = sqlx::query(
            "SELECT c.name AS campaign, r.name, r.birth_date, r.email, r.phone, r.status, \
             r.signed_up_at FROM vac_reserve r JOIN vac_campaigns c ON c.id = r.campaign_id \
             WHERE r.national_number = $1 ORDER BY r.signed_up_at, r.id",
        )
        .bind(&nn)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ReserveOut {
                campaign: s(r, "campaign")?,
                name: s(r, "name")?,
                birth_date: s(r, "birth_date")?,
                email: s(r, "email")?,
                phone: os(r, "phone")?,
                status: s(r, "status")?,
                signed_up_at: i(r, "signed_up_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    }

    let letters = sqlx::query(
        "SELECT l.kind, c.number, l.created_at, l.batch_id FROM letters l \
         LEFT JOIN cases c ON c.id = l.case_id WHERE l.resident_id = $1 ORDER BY l.created_at, l.id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(LetterOut {
            kind: s(r, "kind")?,
            case_number: os(r, "number")?,
            created_at: i(r, "created_at")?,
            printed: os(r, "batch_id")?.is_some(),
        })
    })
    .collect::<Result<Vec<_>>>()?;

    let access_log = sqlx::query(
        "SELECT a.at, u.name, a.purpose, a.record_type, a.record_id FROM access_log a \
         LEFT JOIN users u ON u.id = a.actor_id WHERE a.subject_user_id = $1 ORDER BY a.at, a.id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(AccessOut {
            at: i(r, "at")?,
            staff: os(r, "name")?.unwrap_or_else(|| "system".to_owned()),
            purpose: s(r, "purpose")?,
            record_type: s(r, "record_type")?,
            record_id: s(r, "record_id")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;

    Ok(Some(PersonData {
        account,
        cases,
        appointments,
        contact_moments,
        vaccination_invitations,
        vaccination_reserve,
        letters,
        access_log,
    }))
}
