//! Letters by post: the letters waiting in the outbox (for residents
//! without e-mail) printed as PDF batches for the mail room, at most
//! [`BATCH_MAX`] letters (the oldest) per batch, the letters claimed and
//! the batch audited in one transaction.

use crate::i18n::today_brussels;
use crate::{App, Refusal};
use loket_domain::Invalid;
use loket_domain::paging::{TOTAL_CAP, Total};
use loket_render::cases::{BatchInfo, Letter, batch_pdf};
use loket_store::notify::{self as outbox, PrintBatch};
use sha2::{Digest, Sha256};

/// The most letters one print batch holds: the oldest waiting. When more
/// wait, the letters page says so and another batch takes the next ones.
pub const BATCH_MAX: usize = 1000;

/// A print batch just made, and how many letters still wait after it (up
/// to the pager's cap: "more than N").
pub struct MadeBatch {
    pub batch: PrintBatch,
    pub still_waiting: Total,
}

/// Renders the oldest waiting letters (at most [`BATCH_MAX`]) into one PDF
/// and claims them for it; says how many still wait.
pub async fn create_batch(
    app: &App,
    actor_id: &str,
    lang_label: &str,
) -> Result<MadeBatch, Refusal> {
    let waiting = outbox::waiting_letters(&app.store, BATCH_MAX as i64).await?;
    if waiting.is_empty() {
        return Err(Invalid::one("letters", "nothing-to-print").into());
    }
    let letters: Vec<Letter> = waiting
        .iter()
        .map(|l| serde_json::from_str::<Letter>(&l.content))
        .collect::<Result<_, _>>()
        .map_err(|e| Refusal::Internal(format!("letter content: {e}")))?;
    let today = today_brussels();
    let title = format!("{lang_label} {today}");
    let city = app.config.city_name.clone();
    let logo = app.config.logo_svg.clone();
    let label = format!("{title} ·");
    let date = (
        i32::from(today.year()),
        today.month().unsigned_abs(),
        today.day().unsigned_abs(),
    );
    let pdf = tokio::task::spawn_blocking(move || {
        batch_pdf(
            &BatchInfo {
                title: &title,
                city: &city,
                lang: "nl",
                footer: &city,
                batch_label: &label,
                logo_svg: logo.as_deref(),
            },
            &letters,
            date,
        )
    })
    .await
    .map_err(|e| Refusal::Internal(e.to_string()))?
    .map_err(|e| Refusal::Internal(e.to_string()))?;
    let id = loket_store::new_id();
    let path = app.config.files_dir.join("print").join(format!("{id}.pdf"));
    crate::write_file(&path, &pdf).await?;
    let batch = PrintBatch {
        id,
        created_by: actor_id.to_owned(),
        created_at: loket_store::now_ms(),
        count: i64::try_from(waiting.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(&pdf)),
        path: path.to_string_lossy().into_owned(),
    };
    let ids: Vec<String> = waiting.into_iter().map(|l| l.id).collect();
    let mut tx = app.store.begin().await?;
    let claimed = outbox::add_batch(&mut tx, &batch, &ids).await;
    if let Err(e) = claimed {
        drop(tx);
        let _ = tokio::fs::remove_file(&path).await;
        return Err(e.into());
    }
    loket_store::audit::record(
        &mut tx,
        &loket_domain::audit::Actor::User(actor_id.to_owned()),
        loket_store::audit::Change {
            action: "letters.batch",
            record_type: "print_batch",
            record_id: &batch.id,
            subject_user_id: None,
            before: None,
            after: Some(serde_json::json!({"count": batch.count, "sha256": batch.sha256})),
        },
    )
    .await?;
    tx.commit().await?;
    let still_waiting = outbox::waiting_total(&app.store, TOTAL_CAP).await?;
    Ok(MadeBatch {
        batch,
        still_waiting,
    })
}
