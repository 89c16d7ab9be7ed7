//! A person's data on request (GDPR art. 15 and 20): the resident's own
//! download, and the privacy officer's look-up and export of any person.
//! One document for both, as JSON (keys documented in docs/privacy.md)
//! and as a PDF in the reader's language. Every officer read writes an
//! access-log row before the data is read.

use crate::i18n::Locale;
use crate::{App, Refusal};
use loket_domain::calendar::{format_ms, today_brussels};
use loket_domain::ident::{Email, NationalNumber};
use loket_domain::validation::{FieldError, Invalid};
use loket_render::privacy::{ExportDoc, Section};
use loket_store::privacy::export::{self as store, Found, PersonData};
use serde::Serialize;

/// The version of the JSON document's keys. Raised when a key changes
/// meaning or goes; new keys may appear within a version.
pub const FORMAT_VERSION: u32 = 1;

/// The access-log purpose of an officer's export.
pub const PURPOSE_EXPORT: &str = "privacy-export";
/// The access-log purpose of an officer's look-up that shows a person.
pub const PURPOSE_LOOKUP: &str = "privacy-lookup";

/// The export document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Export {
    pub format_version: u32,
    /// Unix milliseconds.
    pub generated_at: i64,
    #[serde(flatten)]
    pub data: PersonData,
}

async fn build(app: &App, user_id: &str) -> Result<Export, Refusal> {
    let data = store::person_data(&app.store, user_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    Ok(Export {
        format_version: FORMAT_VERSION,
        generated_at: loket_store::now_ms(),
        data,
    })
}

/// The signed-in person's own data.
pub async fn own(app: &App, user_id: &str) -> Result<Export, Refusal> {
    build(app, user_id).await
}

/// The privacy officer's export of `subject_id`: the access-log row first
/// (so the export shows it too), then the data.
pub async fn for_officer(app: &App, officer_id: &str, subject_id: &str) -> Result<Export, Refusal> {
    if loket_store::people::get_user(&app.store, subject_id)
        .await?
        .is_none()
    {
        return Err(Refusal::NotFound);
    }
    loket_store::audit::record_access(
        &app.store,
        officer_id,
        subject_id,
        "user",
        subject_id,
        PURPOSE_EXPORT,
    )
    .await?;
    build(app, subject_id).await
}

/// What the officer looks a person up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Email(Email),
    NationalNumber(NationalNumber),
}

/// Parses the look-up form: an e-mail address or a national register
/// number, exactly one. Errors name the field (`email`,
/// `national_number`).
pub fn parse_lookup(email: &str, national_number: &str) -> Result<Lookup, Invalid> {
    let (email, nn) = (email.trim(), national_number.trim());
    match (email.is_empty(), nn.is_empty()) {
        (true, true) => Err(Invalid::one("email", "privacy-lookup-required")),
        (false, false) => Err(Invalid::one("national_number", "privacy-lookup-one")),
        (false, true) => Email::parse(email).map(Lookup::Email).map_err(|e| {
            Invalid::from(FieldError {
                field: "email".to_owned(),
                ..e
            })
        }),
        (true, false) => NationalNumber::parse(nn)
            .map(Lookup::NationalNumber)
            .map_err(|e| {
                Invalid::from(FieldError {
                    field: "national_number".to_owned(),
                    ..e
                })
            }),
    }
}

/// What the officer's look-up shows of a person: who, and how much is
/// held.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub person: Found,
    pub roles: Vec<String>,
    pub disabled: bool,
    pub cases: usize,
    /// The numbers of the cases only the privacy officer sees.
    pub restricted_cases: Vec<String>,
    pub appointments: usize,
    pub contact_moments: usize,
    pub vaccination_invitations: usize,
    pub vaccination_reserve: usize,
    pub letters: usize,
    pub access_log: usize,
}

/// Looks a person up; `None` when nobody matches. A hit writes an
/// access-log row (purpose `privacy-lookup`).
pub async fn find(app: &App, officer_id: &str, q: &Lookup) -> Result<Option<Summary>, Refusal> {
    let found = match q {
        Lookup::Email(e) => store::find_person(&app.store, &e.as_str().to_lowercase(), "").await?,
        Lookup::NationalNumber(n) => store::find_person(&app.store, "", n.as_str()).await?,
    };
    let Some(person) = found else {
        return Ok(None);
    };
    loket_store::audit::record_access(
        &app.store,
        officer_id,
        &person.id,
        "user",
        &person.id,
        PURPOSE_LOOKUP,
    )
    .await?;
    let d = store::person_data(&app.store, &person.id)
        .await?
        .ok_or(Refusal::NotFound)?;
    Ok(Some(Summary {
        person,
        roles: d.account.roles.clone(),
        disabled: d.account.disabled_at.is_some(),
        cases: d.cases.len(),
        restricted_cases: d
            .cases
            .iter()
            .filter(|c| c.restricted_at.is_some())
            .map(|c| c.number.clone())
            .collect(),
        appointments: d.appointments.len(),
        contact_moments: d.contact_moments.len(),
        vaccination_invitations: d.vaccination_invitations.len(),
        vaccination_reserve: d.vaccination_reserve.len(),
        letters: d.letters.len(),
        access_log: d.access_log.len(),
    }))
}

/// A national register number for a page: all but the last two digits
/// hidden.
pub fn masked_national_number(nn: &str) -> String {
    let digits: Vec<char> = nn.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().saturating_sub(2);
    let tail: String = digits[keep..].iter().collect();
    format!("••.••.••-•••.{tail}")
}

fn opt_ms(ms: Option<i64>) -> String {
    ms.map(format_ms).unwrap_or_default()
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// The export as a readable document in `locale`.
pub fn document(app: &App, e: &Export, locale: Locale) -> ExportDoc {
    let t = |id: &str| locale.t(id);
    let d = &e.data;
    let a = &d.account;
    let kv = |rows: Vec<(&str, String)>| -> Vec<Vec<String>> {
        rows.into_iter().map(|(k, v)| vec![t(k), v]).collect()
    };
    let kv_header = || vec![t("export-col-field"), t("export-col-value")];
    let none = t("export-none");
    let mut sections = Vec::new();
    let address = [
        format!("{} {}", a.address.street, a.address.house_number),
        a.address.box_number.clone(),
        format!("{} {}", a.address.postal_code, a.address.city),
    ]
    .iter()
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    sections.push(Section {
        level: 2,
        title: t("export-account"),
        header: kv_header(),
        rows: kv(vec![
            ("export-name", a.name.clone()),
            ("export-email", a.email.clone()),
            ("export-national-number", opt(&a.national_number)),
            ("export-address", address),
            ("export-phone", a.phone.clone()),
            ("export-language", a.locale.clone()),
            ("export-roles", a.roles.join(", ")),
            ("export-sign-in", a.sign_in_methods.join(", ")),
            ("export-created", format_ms(a.created_at)),
            ("export-confirmed", opt_ms(a.email_confirmed_at)),
            ("export-disabled", opt_ms(a.disabled_at)),
        ]),
        text: String::new(),
    });
    sections.push(Section {
        level: 2,
        title: t("export-cases"),
        header: vec![],
        rows: vec![],
        text: if d.cases.is_empty() {
            none.clone()
        } else {
            String::new()
        },
    });
    for c in &d.cases {
        let mut rows = kv(vec![
            ("export-service", c.service.clone()),
            ("export-status", c.status.clone()),
            ("export-channel", c.channel.clone()),
            ("export-submitted", format_ms(c.submitted_at)),
            ("export-due", c.due_date.clone()),
            ("export-closed", opt_ms(c.closed_at)),
        ]);
        if let Some(values) = c.values.as_object() {
            for (k, v) in values {
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                rows.push(vec![k.clone(), v]);
            }
        }
        sections.push(Section {
            level: 3,
            title: format!("{} {}", t("export-case"), c.number),
            header: kv_header(),
            rows,
            text: String::new(),
        });
        sections.push(Section {
            level: 4,
            title: format!("{} {}", t("export-history"), c.number),
            header: vec![
                t("export-col-when"),
                t("export-col-what"),
                t("export-col-text"),
            ],
            rows: c
                .history
                .iter()
                .map(|h| {
                    let what = match (&h.from_status, &h.to_status) {
                        (Some(f), Some(to)) => format!("{} ({f} → {to})", h.kind),
                        (None, Some(to)) => format!("{} (→ {to})", h.kind),
                        _ => h.kind.clone(),
                    };
                    vec![format_ms(h.at), what, opt(&h.body)]
                })
                .collect(),
            text: none.clone(),
        });
        let mut files: Vec<Vec<String>> = c
            .files
            .iter()
            .map(|f| {
                vec![
                    f.filename.clone(),
                    t("export-file-uploaded"),
                    format_ms(f.created_at),
                ]
            })
            .collect();
        files.extend(c.documents.iter().map(|doc| {
            vec![
                doc.filename.clone(),
                format!("{} ({})", t("export-file-issued"), doc.kind),
                format_ms(doc.created_at),
            ]
        }));
        sections.push(Section {
            level: 4,
            title: format!("{} {}", t("export-files"), c.number),
            header: vec![
                t("export-col-file"),
                t("export-col-what"),
                t("export-col-when"),
            ],
            rows: files,
            text: none.clone(),
        });
    }
    sections.push(Section {
        level: 2,
        title: t("export-appointments"),
        header: vec![
            t("export-col-when"),
            t("export-col-reference"),
            t("export-service"),
            t("export-col-where"),
            t("export-status"),
        ],
        rows: d
            .appointments
            .iter()
            .map(|x| {
                vec![
                    format_ms(x.starts_at),
                    x.code.clone(),
                    x.service.clone(),
                    x.location.clone(),
                    x.status.clone(),
                ]
            })
            .collect(),
        text: none.clone(),
    });
    sections.push(Section {
        level: 2,
        title: t("export-contact"),
        header: vec![
            t("export-col-when"),
            t("export-col-reference"),
            t("export-col-text"),
            t("export-status"),
        ],
        rows: d
            .contact_moments
            .iter()
            .flat_map(|m| {
                let mut rows = vec![vec![
                    format_ms(m.created_at),
                    m.reference.clone(),
                    format!("{}: {}\n{}", m.subject, m.question, m.answer)
                        .trim()
                        .to_owned(),
                    m.status.clone(),
                ]];
                rows.extend(m.forwards.iter().map(|f| {
                    vec![
                        format_ms(f.created_at),
                        m.reference.clone(),
                        format!(
                            "{} {}: {}\n{}",
                            t("export-forward"),
                            f.department,
                            f.question_to_resident,
                            f.answer
                        )
                        .trim()
                        .to_owned(),
                        f.status.clone(),
                    ]
                }));
                rows.extend(m.messages.iter().map(|x| {
                    vec![
                        format_ms(x.created_at),
                        m.reference.clone(),
                        format!("{}: {}\n{}", t("export-message"), x.subject, x.body)
                            .trim()
                            .to_owned(),
                        x.direction.clone(),
                    ]
                }));
                rows
            })
            .collect(),
        text: none.clone(),
    });
    sections.push(Section {
        level: 2,
        title: t("export-vaccination"),
        header: vec![
            t("export-col-when"),
            t("export-col-campaign"),
            t("export-col-what"),
            t("export-status"),
        ],
        rows: d
            .vaccination_invitations
            .iter()
            .flat_map(|i| {
                let mut rows = vec![vec![
                    format_ms(i.created_at),
                    i.campaign.clone(),
                    format!("{} {} ({})", t("export-invitation"), i.code, i.delivery),
                    i.status.clone(),
                ]];
                rows.extend(i.bookings.iter().map(|b| {
                    vec![
                        format_ms(b.starts_at),
                        i.campaign.clone(),
                        t("export-booking"),
                        b.status.clone(),
                    ]
                }));
                rows.extend(i.visits.iter().map(|v| {
                    vec![
                        format_ms(v.checked_in_at),
                        i.campaign.clone(),
                        format!("{} {}", t("export-visit"), opt(&v.lot)),
                        v.stage.clone(),
                    ]
                }));
                rows
            })
            .chain(d.vaccination_reserve.iter().map(|r| {
                vec![
                    format_ms(r.signed_up_at),
                    r.campaign.clone(),
                    t("export-reserve"),
                    r.status.clone(),
                ]
            }))
            .collect(),
        text: none.clone(),
    });
    sections.push(Section {
        level: 2,
        title: t("export-letters"),
        header: vec![
            t("export-col-when"),
            t("export-col-what"),
            t("export-col-reference"),
        ],
        rows: d
            .letters
            .iter()
            .map(|l| vec![format_ms(l.created_at), l.kind.clone(), opt(&l.case_number)])
            .collect(),
        text: none.clone(),
    });
    sections.push(Section {
        level: 2,
        title: t("export-access"),
        header: vec![
            t("export-col-when"),
            t("export-col-who"),
            t("export-col-purpose"),
            t("export-col-record"),
        ],
        rows: d
            .access_log
            .iter()
            .map(|x| {
                vec![
                    format_ms(x.at),
                    x.staff.clone(),
                    x.purpose.clone(),
                    format!("{} {}", x.record_type, x.record_id),
                ]
            })
            .collect(),
        text: none,
    });
    ExportDoc {
        lang: locale.code().to_owned(),
        city: app.config.city_name.clone(),
        title: locale.t_args("export-pdf-title", &[("name", a.name.clone())]),
        intro: locale.t_args(
            "export-pdf-intro",
            &[
                ("when", format_ms(e.generated_at)),
                ("version", e.format_version.to_string()),
            ],
        ),
        sections,
    }
}

/// The export as a PDF in `locale` (rendered on a blocking thread).
pub async fn pdf(app: &App, e: &Export, locale: Locale) -> Result<Vec<u8>, Refusal> {
    let doc = document(app, e, locale);
    let today = today_brussels();
    let ymd = (
        i32::from(today.year()),
        today.month() as u8,
        today.day() as u8,
    );
    tokio::task::spawn_blocking(move || loket_render::privacy::export_pdf(&doc, ymd))
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?
        .map_err(|e| Refusal::Internal(e.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lookup_takes_one_valid_identifier() {
        assert_eq!(
            parse_lookup("", "").unwrap_err().0[0].field,
            "email".to_owned()
        );
        assert_eq!(
            parse_lookup("a@b.be", "85073003328").unwrap_err().0[0].field,
            "national_number"
        );
        let e = parse_lookup("not an address", "").unwrap_err();
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].code),
            ("email", "email-invalid")
        );
        let e = parse_lookup("", "85073003329").unwrap_err();
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].code),
            ("national_number", "nrn-checksum")
        );
        assert!(matches!(
            parse_lookup(" An@Example.be ", ""),
            Ok(Lookup::Email(_))
        ));
        assert!(matches!(
            parse_lookup("", "85.07.30-033.28"),
            Ok(Lookup::NationalNumber(_))
        ));
    }

    #[test]
    fn masks_all_but_the_last_two_digits() {
        assert_eq!(masked_national_number("85073003328"), "••.••.••-•••.28");
        assert_eq!(masked_national_number(""), "••.••.••-•••.");
    }
}
