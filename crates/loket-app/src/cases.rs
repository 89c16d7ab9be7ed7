//! Online services and cases: the webhook events of a case's change
//! (queued in the transaction of the change) and their signature.

use crate::Refusal;
use loket_store::cases::Case;
use loket_store::notify as outbox;

/// The `Loket-Signature` header value for `body` sent at unix second `t`:
/// `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Receivers recompute
/// it and compare in constant time, and refuse old `t` (replays).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let v1 = crate::signing::hmac_hex(secret, format!("{t}.{body}").as_bytes());
    format!("t={t},v1={v1}")
}

/// Queues `case.submitted` or `case.transition` for every subscription, in
/// the transaction `tx` of the change.
pub async fn case_event(
    tx: &mut loket_store::Tx,
    event: &str,
    case: &Case,
    service_slug: &str,
    from: Option<&str>,
    to: &str,
) -> Result<(), Refusal> {
    let payload = serde_json::json!({
        "event": event,
        "case": case.number,
        "service": service_slug,
        "from": from,
        "status": to,
        "channel": case.channel,
        "at": loket_store::now_ms(),
    })
    .to_string();
    outbox::enqueue_event(tx, event, &payload).await?;
    Ok(())
}
