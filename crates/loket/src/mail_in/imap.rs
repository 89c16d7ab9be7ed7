//! E-mail in from an IMAP account (`contact_imap_url`).
//!
//! Each pass connects (TLS on connect for `imaps://`, STARTTLS for
//! `imap://`), logs in, selects the mailbox and reads the messages that are
//! not yet `\Seen`, oldest first, at most [`PER_PASS`] a pass. Bodies are
//! fetched with `BODY.PEEK[]`, so reading alone does not mark them. Each
//! mail goes through the same [`take`](super::take) as a Maildir file; only
//! when its import is committed is it flagged `\Seen`. A mail that cannot
//! be used is moved to the rejected mailbox (created when missing) and
//! reported; a server without `MOVE` gets a copy there and the original is
//! flagged `\Seen`. A crash between the import and the flag reads the mail
//! again next pass, where its Message-ID makes it a duplicate: nothing is
//! lost and nothing is imported twice.
//!
//! The mailbox should be one that Loket alone reads: a person who opens
//! the mail in a mail client first marks it `\Seen`, and Loket then skips
//! it.

use super::{Imported, MailInError, Verdict, take};
use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use loket_store::{Store, contact as store};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// Messages read in one pass; the rest waits for the next pass.
pub const PER_PASS: usize = 200;
/// Mails larger than this are set aside unread.
pub const MAX_BYTES: u32 = 25 * 1024 * 1024;
/// The longest wait for the server, per step.
const STEP: Duration = Duration::from_secs(60);

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`imaps://`, port 993).
    Tls,
    /// Plain first, then `STARTTLS` before logging in (`imap://`, port 143).
    StartTls,
    /// No TLS at all (`imap://…?tls=none`): only to the same machine.
    None,
}

/// Where the contact centre's mail is read from.
#[derive(Clone)]
pub struct ImapSource {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: String,
    password: String,
    /// The mailbox read (default `INBOX`).
    pub mailbox: String,
    /// Where unusable mail is moved to.
    pub rejected_mailbox: String,
    /// Extra trusted certificates (PEM), e.g. the city's own CA, next to
    /// the public web roots.
    pub ca_file: Option<PathBuf>,
    /// Mails larger than this (bytes) are set aside unread.
    pub max_bytes: u32,
}

impl fmt::Debug for ImapSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapSource")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &"…")
            .field("mailbox", &self.mailbox)
            .field("rejected_mailbox", &self.rejected_mailbox)
            .finish()
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A mailbox name Loket can send as an IMAP quoted string: printable ASCII
/// without `"` and `\` (names with other characters need modified UTF-7).
fn check_mailbox(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 200 {
        return Err("a mailbox name has 1 to 200 characters".to_owned());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ')
    {
        return Err(format!(
            "mailbox {name:?}: use letters, digits, spaces and punctuation other than \" and \\"
        ));
    }
    Ok(())
}

impl ImapSource {
    /// Reads `imaps://USER:PASSWORD@HOST[:PORT][/MAILBOX]`, or `imap://…`
    /// (STARTTLS; `?tls=none` for a server on the same machine only). User
    /// and password are percent-encoded (`@` is `%40`).
    pub fn parse(url: &str, rejected_mailbox: &str) -> Result<ImapSource, String> {
        let u = url::Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
        let host = u
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("the URL has no host")?
            .to_owned();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| "the URL's user or password is not UTF-8 once decoded".to_owned())
        };
        let user = decode(u.username())?;
        if user.is_empty() {
            return Err("the URL has no user (imaps://USER:PASSWORD@HOST)".to_owned());
        }
        let password = decode(u.password().unwrap_or(""))?;
        if password.is_empty() {
            return Err("the URL has no password (imaps://USER:PASSWORD@HOST)".to_owned());
        }
        let tls = u
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        if let Some((k, _)) = u.query_pairs().find(|(k, _)| k != "tls") {
            return Err(format!("unknown URL option {k:?} (only tls=starttls|none)"));
        }
        let security = match (u.scheme(), tls.as_deref()) {
            ("imaps", None) => Security::Tls,
            ("imap", None | Some("starttls")) => Security::StartTls,
            ("imap", Some("none")) => {
                if !is_loopback(&host) {
                    return Err(
                        "tls=none would send the password in the clear: use imaps:// or STARTTLS, or a server on this machine"
                            .to_owned(),
                    );
                }
                Security::None
            }
            ("imaps", Some(_)) => return Err("imaps:// always uses TLS: drop tls=".to_owned()),
            ("imap", Some(v)) => return Err(format!("tls={v}: use tls=starttls or tls=none")),
            (s, _) => return Err(format!("scheme {s}: use imaps:// or imap://")),
        };
        let port = u.port().unwrap_or(match security {
            Security::Tls => 993,
            _ => 143,
        });
        let path = decode(u.path().trim_start_matches('/'))?;
        let mailbox = if path.is_empty() {
            "INBOX".to_owned()
        } else {
            path
        };
        check_mailbox(&mailbox)?;
        check_mailbox(rejected_mailbox)?;
        if mailbox == rejected_mailbox {
            return Err("the rejected mailbox must differ from the one read".to_owned());
        }
        Ok(ImapSource {
            host,
            port,
            security,
            user,
            password,
            mailbox,
            rejected_mailbox: rejected_mailbox.to_owned(),
            ca_file: None,
            max_bytes: MAX_BYTES,
        })
    }

    fn error(&self, what: impl fmt::Display) -> MailInError {
        MailInError::Imap(format!("{}:{}", self.host, self.port), what.to_string())
    }

    fn tls(&self) -> Result<tokio_rustls::TlsConnector, MailInError> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(f) = &self.ca_file {
            let certs = CertificateDer::pem_file_iter(f)
                .map_err(|e| self.error(format!("contact_imap_ca_file {}: {e}", f.display())))?;
            for cert in certs {
                let cert = cert.map_err(|e| {
                    self.error(format!("contact_imap_ca_file {}: {e}", f.display()))
                })?;
                roots.add(cert).map_err(|e| {
                    self.error(format!("contact_imap_ca_file {}: {e}", f.display()))
                })?;
            }
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| self.error(e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
    }

    async fn step<T, E: fmt::Display>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T, E>>,
    ) -> Result<T, MailInError> {
        match tokio::time::timeout(STEP, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.error(format!("{what}: {e}"))),
            Err(_) => Err(self.error(format!("{what}: no answer in {} s", STEP.as_secs()))),
        }
    }

    async fn wrap_tls(&self, tcp: TcpStream) -> Result<Stream, MailInError> {
        let name = ServerName::try_from(self.host.clone()).map_err(|e| self.error(e))?;
        let tls = self.step("TLS", self.tls()?.connect(name, tcp)).await?;
        Ok(Box::new(tls))
    }

    /// Connects and logs in.
    pub async fn connect(&self) -> Result<Session<Stream>, MailInError> {
        let tcp = self
            .step(
                "connect",
                TcpStream::connect((self.host.as_str(), self.port)),
            )
            .await?;
        let stream: Stream = match self.security {
            Security::Tls => self.wrap_tls(tcp).await?,
            Security::StartTls | Security::None => Box::new(tcp),
        };
        let mut client = Client::new(stream);
        greeting(self, &mut client).await?;
        if self.security == Security::StartTls {
            self.step(
                "STARTTLS",
                client.run_command_and_check_ok("STARTTLS", None),
            )
            .await?;
            let Ok(tcp) = client.into_inner().into_any().downcast::<TcpStream>() else {
                return Err(self.error("STARTTLS: not a TCP stream"));
            };
            client = Client::new(self.wrap_tls(*tcp).await?);
        }
        let session = tokio::time::timeout(STEP, client.login(&self.user, &self.password))
            .await
            .map_err(|_| self.error("login: no answer"))?
            .map_err(|(e, _)| self.error(format!("login as {}: {e}", self.user)))?;
        Ok(session)
    }
}

/// A connection, with or without TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug + 'static> Io for T {
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}
pub type Stream = Box<dyn Io>;

async fn greeting(src: &ImapSource, client: &mut Client<Stream>) -> Result<(), MailInError> {
    let g = src.step("greeting", client.read_response()).await?;
    match g {
        Some(r) => match r.parsed() {
            async_imap::imap_proto::Response::Data {
                status: async_imap::imap_proto::Status::Ok,
                ..
            } => Ok(()),
            other => Err(src.error(format!("greeting: {other:?}"))),
        },
        None => Err(src.error("greeting: the server closed the connection")),
    }
}

/// One pass over the mailbox (see the module's documentation).
pub async fn import_imap(
    store: &Store,
    keys: &loket_app::signing::Keys,
    src: &ImapSource,
    mail_from: &str,
) -> Result<Imported, MailInError> {
    let keys = keys.ring()?;
    let mut session = src.connect().await?;
    let done = read_mailbox(store, &keys, src, &mut session, mail_from).await;
    // A polite goodbye; the pass's result stands either way.
    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
    let done = done?;
    done.report("imap");
    Ok(done)
}

async fn read_mailbox(
    store: &Store,
    keys: &loket_app::signing::KeyRing,
    src: &ImapSource,
    session: &mut Session<Stream>,
    mail_from: &str,
) -> Result<Imported, MailInError> {
    let mailbox = src.step("SELECT", session.select(&src.mailbox)).await?;
    let validity = mailbox.uid_validity.unwrap_or(0);
    let mut uids: Vec<u32> = src
        .step("UID SEARCH", session.uid_search("UNSEEN"))
        .await?
        .into_iter()
        .collect();
    uids.sort_unstable();
    uids.truncate(PER_PASS);
    let mut done = Imported::default();
    if uids.is_empty() {
        return Ok(done);
    }
    let set = uids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sizes: Vec<(u32, u32)> = src
        .step("UID FETCH sizes", async {
            session
                .uid_fetch(&set, "(UID RFC822.SIZE)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await?
        .iter()
        .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
        .collect();
    let can_move = src
        .step("CAPABILITY", session.capabilities())
        .await?
        .has_str("MOVE");
    for uid in uids {
        // Expunged by someone else since the search: nothing to read.
        let Some(&(_, size)) = sizes.iter().find(|(u, _)| *u == uid) else {
            continue;
        };
        let verdict = if size > src.max_bytes {
            Verdict::Rejected(format!(
                "{size} bytes, more than the limit of {} bytes",
                src.max_bytes
            ))
        } else {
            let fetched = src
                .step("UID FETCH", async {
                    session
                        .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                        .await?
                        .try_collect::<Vec<_>>()
                        .await
                })
                .await?;
            let Some(raw) = fetched
                .iter()
                .find(|f| f.uid == Some(uid))
                .and_then(|f| f.body())
            else {
                continue;
            };
            let fallback = format!("imap:{}:{validity}:{uid}", src.mailbox);
            take(store, keys, raw, &fallback, mail_from).await?
        };
        match &verdict {
            Verdict::Rejected(reason) => {
                let name = set_aside(src, session, uid, can_move).await?;
                tracing::warn!(uid, %reason, to = %name, "contact mail refused");
                store::record_mail_reject(store, &name, reason).await?;
            }
            _ => flag_seen(src, session, uid).await?,
        }
        done.count(&verdict);
    }
    Ok(done)
}

async fn flag_seen(
    src: &ImapSource,
    session: &mut Session<Stream>,
    uid: u32,
) -> Result<(), MailInError> {
    src.step("UID STORE", async {
        session
            .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
            .await?
            .try_collect::<Vec<_>>()
            .await
    })
    .await?;
    Ok(())
}

/// Moves an unusable mail to the rejected mailbox; says where it is now.
async fn set_aside(
    src: &ImapSource,
    session: &mut Session<Stream>,
    uid: u32,
    can_move: bool,
) -> Result<String, MailInError> {
    let here = format!("IMAP {} UID {uid}", src.mailbox);
    // An error here usually means "it exists already"; the move says
    // whether it is really missing.
    let _ = src
        .step("CREATE", session.create(&src.rejected_mailbox))
        .await;
    let moved = if can_move {
        src.step(
            "UID MOVE",
            session.uid_mv(uid.to_string(), &src.rejected_mailbox),
        )
        .await
    } else {
        src.step(
            "UID COPY",
            session.uid_copy(uid.to_string(), &src.rejected_mailbox),
        )
        .await
    };
    match moved {
        Ok(()) if can_move => Ok(format!("{here}, moved to {}", src.rejected_mailbox)),
        Ok(()) => {
            flag_seen(src, session, uid).await?;
            Ok(format!("{here}, copied to {}", src.rejected_mailbox))
        }
        Err(e) => {
            // Left where it is, marked read so it is not refused again.
            tracing::warn!(error = %e, "contact mail could not be moved aside");
            flag_seen(src, session, uid).await?;
            Ok(format!("{here}, left there (marked read)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_or_refused_with_a_reason() {
        let s = ImapSource::parse(
            "imaps://contact%40leuven.be:p%40ss@imap.leuven.be/Contact",
            "Loket-rejected",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.host.as_str(), s.port, s.security, s.user.as_str()),
            ("imap.leuven.be", 993, Security::Tls, "contact@leuven.be")
        );
        assert_eq!(s.password, "p@ss");
        assert_eq!(s.mailbox, "Contact");
        assert!(!format!("{s:?}").contains("p@ss"));
        let s = ImapSource::parse("imap://u:p@mail:1143", "R").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.port, s.security), (1143, Security::StartTls));
        assert_eq!(s.mailbox, "INBOX");
        let s = ImapSource::parse("imap://u:p@127.0.0.1?tls=none", "R")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.port, s.security), (143, Security::None));
        for (bad, says) in [
            ("imap://u:p@mail.example?tls=none", "clear"),
            ("imaps://mail.example", "no user"),
            ("imaps://u@mail.example", "no password"),
            ("imaps://u:p@mail.example?tls=starttls", "always uses TLS"),
            ("imap://u:p@mail.example?tls=yes", "tls=yes"),
            ("imap://u:p@mail.example?box=x", "unknown URL option"),
            ("pop3://u:p@mail.example", "scheme pop3"),
            ("imaps://u:p@mail.example/Loket-rejected", "must differ"),
            ("imaps://u:p@mail.example/Post%22bus", "mailbox"),
            ("not a url", "not a URL"),
        ] {
            let e = ImapSource::parse(bad, "Loket-rejected").err();
            assert!(
                e.as_deref().is_some_and(|e| e.contains(says)),
                "{bad}: {e:?}"
            );
        }
    }
}
