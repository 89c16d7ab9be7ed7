//! The command line.

use crate::config::{Config, Overrides};
use crate::{AppError, open_store};
use clap::{Args, Parser, Subcommand};
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::people::{self as rules, PersonName, Role};
use loket_store::notify as outbox;
use loket_store::people::{self as store, LinkPurpose, NewUser};
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "loket",
    version,
    about = "Loket: the city's service platform for residents and staff"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Global {
    /// A TOML configuration file (default: ./loket.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder for the SQLite database and sent mail (default ./loket-data).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH?mode=rwc or postgres://USER:PASS@HOST/DB.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web pages and the API, and run the background workers.
    Serve {
        /// Address and port to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<String>,
    },
    /// Seed a demo city (once) and serve it, on SQLite under ./loket-data.
    Demo {
        #[arg(long)]
        addr: Option<String>,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Benchmarks (each prints a baseline measured in the same run).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Write a backup archive (.tar.gz): a consistent copy of the database,
    /// taken while serving, every file in the data directory, and a
    /// manifest of SHA-256 sums. On PostgreSQL it runs pg_dump when that is
    /// on the PATH.
    Backup {
        /// The archive to write; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Restore a backup archive into an empty data directory (and, for a
    /// PostgreSQL dump, into the empty database --database-url names),
    /// after checking every entry against the manifest.
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Apply the retention schedule once (docs/privacy.md) and print the
    /// records removed or anonymised per kind; with --dry-run, print what
    /// would go (count, oldest) and change nothing.
    Retention {
        /// Print what would go; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply the schedule as on this date (`YYYY-MM-DD`, midnight in
        /// Brussels) instead of now: for tests.
        #[arg(long, hide = true, value_name = "DATE")]
        now: Option<String>,
    },
    /// The keys of signed links (the key file `<data_dir>/keys.json`).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Make a new key that signs from now on; the previous keys keep
    /// checking links for the grace period. Running instances pick the
    /// change up within seconds.
    Rotate {
        /// Days the previous keys stay valid (default: key_grace_days, 90).
        #[arg(long)]
        grace_days: Option<u64>,
    },
    /// List the keys: id, made, retires (never a secret).
    List,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print the effective configuration, each key with its source
    /// (default, file, environment, command line) and secrets masked; exit
    /// non-zero with the error when it is invalid.
    Check,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Starts the real server (SQLite in a temporary folder by default; with
    /// --database-url use a throwaway database: the bench writes to it) with
    /// one service of fixed capacity and fires concurrent clients at it
    /// until every place is gone.
    BookingRush {
        /// Concurrent HTTP clients (one resident each).
        #[arg(long, default_value_t = 500)]
        clients: usize,
        /// Desks, i.e. places per slot.
        #[arg(long, default_value_t = 5)]
        desks: usize,
        /// Quarter-hour slots (at most 56); places = desks x slots.
        #[arg(long, default_value_t = 20)]
        slots: usize,
    },
    /// Waiting-room displays: N Server-Sent Events clients on a few
    /// locations whose queues change every second; counts the database
    /// polls per location (issue 19).
    Displays {
        #[arg(long, default_value_t = 500)]
        clients: usize,
        #[arg(long, default_value_t = 2)]
        locations: usize,
        /// Seconds per phase (one display per location, then all).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// A whole city's data (seeded with multi-row inserts; the rows/s are
    /// reported), then the p50/p99 of every hot read through HTTP against
    /// its target, beside a baseline of the same run. Fails when an
    /// answer is not 2xx.
    Scale {
        #[arg(long, default_value_t = 1_000_000)]
        cases: usize,
        #[arg(long, default_value_t = 100_000)]
        appointments: usize,
        /// Knowledge-base articles.
        #[arg(long, default_value_t = 10_000)]
        articles: usize,
        /// Contact-centre contact moments.
        #[arg(long, default_value_t = 200_000)]
        contacts: usize,
        /// Requests per measured read.
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    /// A vaccination campaign opening: visitors (one invitation each) go
    /// through the waiting room and book 2,304 places of one day.
    VaccinationRush {
        #[arg(long, default_value_t = 20_000)]
        visitors: usize,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        /// The waiting room's rate after the opening.
        #[arg(long, default_value_t = 30_000)]
        admit_per_minute: i64,
        /// A bot asks for this many tickets from one address during the
        /// rush; the rush then runs twice, without and with it, and the
        /// report compares the real visitors' median admission delay. 0:
        /// no bot, one run.
        #[arg(long, default_value_t = 100_000)]
        bot: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account (staff, or a resident) with confirmed e-mail.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// A role; repeat or separate with commas: counter, contact_centre,
        /// case_handler, hr, fleet, finance, vaccination_coordinator,
        /// vaccination_staff, ict, employee, admin, privacy_officer,
        /// all_departments, management, resident.
        #[arg(long = "role", required = true, value_delimiter = ',')]
        roles: Vec<String>,
        /// Read the password from standard input (one line). Without it,
        /// the person gets an e-mail with a link to choose one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Map a group of the staff directory (the `oidc_staff_groups_claim` of
    /// its ID token) to Loket roles; no --role removes the mapping. Staff
    /// get their roles from their groups at every directory sign-in.
    StaffGroup {
        #[arg(long)]
        group: String,
        /// A staff role; repeat or separate with commas.
        #[arg(long = "role", value_delimiter = ',')]
        roles: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for an account and print it (shown once).
    Create {
        #[arg(long)]
        email: String,
        /// A label, e.g. "payroll export".
        #[arg(long)]
        name: String,
        /// Days until the token expires (1 to 730).
        #[arg(long, default_value_t = loket_domain::people::TOKEN_DAYS_DEFAULT)]
        expires_in_days: i64,
        /// A scope such as `cases:read` (repeat, or separate with commas).
        /// Without any, the token gets every scope.
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
    /// Revoke an API token by id.
    Revoke {
        #[arg(long)]
        id: String,
    },
}

impl Global {
    pub fn overrides(&self, addr: Option<String>) -> Overrides {
        Overrides {
            config: self.config.clone(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            addr,
        }
    }
}

/// A refusal on the command line: which option, and how to fix it.
/// `loket user staff-group`: the roles a directory group gives (audited).
pub async fn staff_group(c: &Config, group: &str, roles: &[String]) -> Result<(), AppError> {
    let mut inv = loket_domain::Invalid::default();
    let group = group.trim();
    if group.is_empty() || group.chars().count() > 200 {
        inv.push("group", "required");
    }
    let mut parsed = Vec::new();
    for r in roles {
        match Role::parse(r) {
            Ok(role) if role.is_staff() => parsed.push(role),
            _ => inv.push("role", "role-unknown"),
        }
    }
    if !inv.is_empty() {
        return Err(refuse(&inv));
    }
    let store = open_store(c).await?;
    let mut tx = store.begin().await?;
    loket_store::people::oidc::set_staff_group(&mut tx, &Actor::Cli, group, &parsed).await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    store.close().await;
    Ok(())
}

fn refuse(inv: &loket_domain::Invalid) -> AppError {
    let lines: Vec<String> = inv
        .0
        .iter()
        .map(|e| format!("--{}: {}", e.field.replace('_', "-"), explain(e.code)))
        .collect();
    AppError::Other(lines.join("\n"))
}

fn explain(code: &str) -> &'static str {
    match code {
        "required" => "is required",
        "email-invalid" => "is not a valid e-mail address (like name@example.be)",
        "email-taken" => "an account with this e-mail address already exists",
        "role-unknown" => {
            "unknown role; use counter, contact_centre, case_handler, hr, fleet, finance, vaccination_coordinator, vaccination_staff, ict, employee, admin, privacy_officer, all_departments, management or resident"
        }
        "password-too-short" => "use at least 10 characters",
        "password-too-long" => "use at most 256 characters",
        "password-is-email" => "do not use the e-mail address as password",
        "name-invalid" => "use at most 100 characters, without control characters",
        _ => "is not valid",
    }
}

pub async fn user_add(
    c: &Config,
    email: &str,
    name: &str,
    roles: &[String],
    password: Option<String>,
) -> Result<String, AppError> {
    let mut inv = loket_domain::Invalid::default();
    let email = inv.check("email", Email::parse(email));
    let name = inv.check("name", PersonName::parse(name));
    let mut parsed = Vec::new();
    for r in roles {
        if let Some(role) = inv.check("role", Role::parse(r)) {
            parsed.push(role);
        }
    }
    if let Some(p) = &password {
        inv.check("password", rules::check_new_password(p, email.as_ref()));
    }
    let (Some(email), Some(name)) = (email, name) else {
        return Err(refuse(&inv));
    };
    if !inv.is_empty() {
        return Err(refuse(&inv));
    }
    let store = open_store(c).await?;
    let phc = match &password {
        Some(p) => {
            let p = p.clone();
            tokio::task::spawn_blocking(move || rules::hash_password(&p))
                .await
                .map_err(|e| AppError::Other(e.to_string()))?
        }
        None => String::new(),
    };
    let mut tx = store.begin().await?;
    let id = match store::create_user(
        &mut tx,
        &Actor::Cli,
        NewUser {
            email: &email,
            name: &name,
            password_hash: &phc,
            roles: &parsed,
            locale: "nl",
            confirmed: true,
        },
    )
    .await
    {
        Ok(id) => id,
        Err(loket_store::StoreError::Invalid(inv) | loket_store::StoreError::Conflict(inv)) => {
            return Err(refuse(&inv));
        }
        Err(e) => return Err(e.into()),
    };
    if password.is_none() {
        let secret =
            store::create_link(&mut tx, &id, LinkPurpose::Reset, 7 * 24 * 3600 * 1000).await?;
        let web = crate::web_config(
            c,
            &c.addr.parse().map_err(|_| AppError::Other("addr".into()))?,
            false,
        )?;
        let mail = loket_app::people::welcome_staff_mail(
            &web,
            loket_app::i18n::Locale::Nl,
            &email,
            name.as_str(),
            &secret,
        );
        outbox::enqueue(&mut tx, &mail).await?;
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    store.close().await;
    Ok(id)
}

/// A token with every scope, valid the default 90 days.
pub async fn token_create(c: &Config, email: &str, name: &str) -> Result<String, AppError> {
    token_create_with(
        c,
        email,
        name,
        loket_domain::people::TOKEN_DAYS_DEFAULT,
        &[],
    )
    .await
}

/// A token valid `days` days with `scopes` (none given: every scope).
pub async fn token_create_with(
    c: &Config,
    email: &str,
    name: &str,
    days: i64,
    scopes: &[String],
) -> Result<String, AppError> {
    use loket_domain::people::{Scope, Scopes, TOKEN_DAYS_MAX, parse_token_days};
    let days = parse_token_days(&days.to_string(), "expires-in-days").map_err(|_| {
        AppError::Other(format!(
            "--expires-in-days: give 1 to {TOKEN_DAYS_MAX} days"
        ))
    })?;
    let scopes = if scopes.is_empty() {
        Scopes::Some(Scope::all())
    } else {
        Scopes::parse_list(scopes.iter().map(String::as_str)).map_err(|e| {
            AppError::Other(format!(
                "--scope: unknown scope {} (use <context>:read or <context>:write)",
                e.value.unwrap_or_default()
            ))
        })?
    };
    let label = name.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(AppError::Other(
            "--name: give a label of 1 to 100 characters".into(),
        ));
    }
    let store = open_store(c).await?;
    let user = store::find_by_email(&store, email).await?.ok_or_else(|| {
        AppError::Other(format!("--email: no account with e-mail address {email}"))
    })?;
    if user.disabled_at.is_some() {
        return Err(AppError::Other(format!(
            "--email: the account {email} is disabled"
        )));
    }
    let mut tx = store.begin().await?;
    let (_, secret) = store::create_token(
        &mut tx,
        &Actor::Cli,
        store::NewToken {
            user_id: &user.id,
            name: label,
            days,
            scopes: &scopes,
        },
    )
    .await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    store.close().await;
    Ok(secret)
}

pub async fn token_revoke(c: &Config, id: &str) -> Result<(), AppError> {
    let store = open_store(c).await?;
    let mut tx = store.begin().await?;
    match store::revoke_token(&mut tx, &Actor::Cli, id).await {
        Ok(()) => {}
        Err(loket_store::StoreError::NotFound) => {
            return Err(AppError::Other(format!("--id: no live token with id {id}")));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    store.close().await;
    Ok(())
}

/// Reads one line (the password) from standard input.
pub fn read_password_line() -> Result<String, AppError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| AppError::Other(format!("--password-stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// `loket keys rotate`: the key file gets a new signing key; refused when
/// the keys come from the configuration.
pub fn keys_rotate(
    c: &Config,
    grace_days: Option<u64>,
) -> Result<loket_app::signing::KeyRing, AppError> {
    if !c.signing_keys.is_empty() {
        return Err(AppError::Other(
            "the signing keys come from the configuration (signing_keys): put a new `id:secret` \
             first in that list and keep the old one after it for the grace period"
                .into(),
        ));
    }
    let grace = grace_days.map_or(c.key_grace_ms(), |d| {
        i64::try_from(d)
            .unwrap_or(i64::MAX)
            .saturating_mul(86_400_000)
    });
    loket_app::signing::rotate_key_file(&c.keys_file(), loket_store::now_ms(), grace)
        .map_err(|e| AppError::Other(e.to_string()))
}

/// The keys as `loket keys list` prints them: one line each, the signing
/// key first, no secrets.
pub fn keys_list(c: &Config) -> Result<String, AppError> {
    let ring = c
        .keys()
        .ring()
        .map_err(|e| AppError::Other(e.to_string()))?;
    let when = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let source = if c.signing_keys.is_empty() {
        c.keys_file().display().to_string()
    } else {
        "configuration (signing_keys)".to_owned()
    };
    let mut out = format!("keys from {source}\n");
    for (i, k) in ring.keys().iter().enumerate() {
        let state = match k.retires_ms {
            _ if i == 0 => "signs".to_owned(),
            None => "checks".to_owned(),
            Some(r) if r > loket_store::now_ms() => format!("checks until {}", when(r)),
            Some(r) => format!("retired {}", when(r)),
        };
        let made = if k.created_ms > 0 {
            format!("made {}", when(k.created_ms))
        } else {
            String::new()
        };
        out.push_str(&format!("{:<12} {state:<36} {made}\n", k.id));
    }
    Ok(out)
}

/// The clock of `loket retention`: now, or midnight (Brussels) of `--now`.
pub fn retention_clock(now: Option<&str>) -> Result<i64, AppError> {
    let Some(d) = now else {
        return Ok(loket_store::now_ms());
    };
    let date: jiff::civil::Date = d
        .trim()
        .parse()
        .map_err(|_| AppError::Other(format!("--now: use a date like 2030-01-01, not {d}")))?;
    date.to_zoned_datetime(loket_domain::calendar::brussels())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| AppError::Other(format!("--now: {e}")))
}

/// `loket retention [--dry-run]`: the report it prints.
pub async fn retention(c: &Config, dry_run: bool, now: Option<&str>) -> Result<String, AppError> {
    use std::fmt::Write;
    let at = retention_clock(now)?;
    let store = open_store(c).await?;
    let bound: std::net::SocketAddr = c
        .addr
        .parse()
        .unwrap_or_else(|_| std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    let app = loket_app::App::new(store.clone(), crate::app_config(c, &bound)?);
    let schedule = &app.config.retention;
    let date = |ms: Option<i64>| {
        ms.and_then(loket_domain::calendar::date_of_ms)
            .map_or_else(|| "-".to_owned(), |d| d.to_string())
    };
    let mut out = String::new();
    let result = if dry_run {
        let due = loket_app::privacy::due(&app, at)
            .await
            .map_err(|e| AppError::Other(e.to_string()))?;
        let _ = writeln!(
            out,
            "{:<16} {:<10} {:>7} {:<7} {:>8} {:>6}  oldest",
            "kind", "action", "period", "unit", "records", "files"
        );
        for (a, d) in schedule.applied().iter().zip(due.iter()) {
            let _ = writeln!(
                out,
                "{:<16} {:<10} {:>7} {:<7} {:>8} {:>6}  {}",
                d.kind,
                a.kind.action.as_str(),
                a.value,
                a.kind.unit.as_str(),
                d.count,
                d.files,
                date(d.oldest)
            );
        }
        // Closed cases: each service's own period (retention_years).
        if let Some(d) = due
            .iter()
            .find(|d| d.kind == loket_domain::privacy::CASES_KIND)
        {
            let _ = writeln!(
                out,
                "{:<16} {:<10} {:>7} {:<7} {:>8} {:>6}  {}",
                d.kind,
                "anonymise",
                "service",
                "years",
                d.count,
                d.files,
                date(d.oldest)
            );
        }
        out.push_str("dry run: nothing was changed\n");
        Ok(())
    } else {
        match loket_app::privacy::apply(&app, &Actor::Cli, "cli", at).await {
            Ok(loket_app::privacy::Outcome::Busy | loket_app::privacy::Outcome::NotDue) => {
                Err(AppError::Other(
                    "another instance is applying the retention schedule; try again later"
                        .to_owned(),
                ))
            }
            Ok(loket_app::privacy::Outcome::Done(run)) => {
                let _ = writeln!(out, "{:<16} {:>8}", "kind", "records");
                for (k, n) in &run.counts {
                    let _ = writeln!(out, "{k:<16} {n:>8}");
                }
                let _ = writeln!(out, "files removed: {}", run.files_removed);
                let _ = writeln!(out, "run {}", run.id);
                match run.error {
                    Some(e) => Err(AppError::Other(format!("{out}errors: {e}"))),
                    None => Ok(()),
                }
            }
            Err(e) => Err(AppError::Other(e.to_string())),
        }
    };
    store.close().await;
    result.map(|()| out)
}
