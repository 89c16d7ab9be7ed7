//! Webhooks over TLS: a receiver on 127.0.0.1 with a certificate of the
//! city's own CA (made here with rcgen), trusted through `webhook_ca_file`.

use crate::common::TestApp;
use axum::serve::Listener;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_rustls::rustls;

/// A CA and a server certificate for `localhost` and 127.0.0.1 signed by it.
struct Pki {
    ca_pem: String,
    server: rustls::ServerConfig,
}

fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Stad Leuven test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server,
    }
}

/// A TCP listener that does the TLS handshake (failed handshakes are
/// dropped, as an unknown client's would be).
struct TlsListener {
    tcp: tokio::net::TcpListener,
    tls: tokio_rustls::TlsAcceptor,
}

impl Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.tls.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// Serves POST /events over TLS; returns the port and what it received
/// (signature, body).
async fn tls_receiver(server: rustls::ServerConfig) -> (u16, Seen) {
    let seen: Seen = Arc::default();
    let router = {
        let seen = seen.clone();
        axum::Router::new()
            .route(
                "/events",
                axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                    let seen = seen.clone();
                    async move {
                        let sig = headers
                            .get("loket-signature")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        seen.lock().unwrap().push((sig, body));
                        axum::http::StatusCode::NO_CONTENT
                    }
                }),
            )
            .route("/ping", axum::routing::get(|| async { "pong" }))
    };
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    let listener = TlsListener {
        tcp,
        tls: tokio_rustls::TlsAcceptor::from(Arc::new(server)),
    };
    tokio::spawn(async move { axum::serve(listener, router).await });
    (port, seen)
}

/// The outgoing client can do TLS: with the city's CA it reaches the local
/// TLS server; without it the unknown issuer is refused (so verification
/// is on). Fails whenever reqwest is built without a TLS feature.
#[tokio::test]
async fn the_webhook_client_speaks_tls_and_trusts_the_configured_ca() {
    let pki = pki();
    let (port, _) = tls_receiver(pki.server).await;
    let dir = crate::common::temp_dir();
    let ca = dir.join("city-ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let url = format!("https://127.0.0.1:{port}/ping");

    let trusting = loket::config::Config {
        webhook_ca_file: Some(ca),
        ..Default::default()
    };
    let r = trusting
        .webhook_client()
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "pong");
    // localhost too (the name in the certificate).
    let r = trusting
        .webhook_client()
        .unwrap()
        .get(format!("https://localhost:{port}/ping"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let e = loket::config::Config::default()
        .webhook_client()
        .unwrap()
        .get(&url)
        .send()
        .await
        .expect_err("an unknown CA is refused");
    let chain = format!("{:?}", e);
    assert!(
        chain.contains("UnknownIssuer") || chain.contains("certificate"),
        "{chain}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A case event is delivered once, signed, to an https receiver whose
/// certificate the city's CA signed, and marked delivered.
#[tokio::test]
async fn webhooks_are_delivered_over_tls_with_the_citys_ca() {
    let pki = pki();
    let (port, seen) = tls_receiver(pki.server).await;
    let dir = crate::common::temp_dir();
    let ca = dir.join("city-ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let app = TestApp::spawn_with(|c| c.webhook_ca_file = Some(ca.clone())).await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let admin = app.signed_in("beheer@leuven.example", &["admin"]).await;
    let url = format!("https://127.0.0.1:{port}/events");
    let r = app
        .submit(
            &admin,
            "/admin/webhooks",
            "/admin/webhooks",
            &[("url", url.as_str())],
        )
        .await;
    assert_eq!(r.status(), 201);
    let secret = loket_store::notify::list_webhooks(&app.store)
        .await
        .unwrap()
        .remove(0)
        .secret;

    let c = app.signed_in("an@example.org", &["resident"]).await;
    let number = crate::cases::submit_move(&app, &c).await;
    let delivered =
        "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered' AND attempts = 1";
    for _ in 0..400 {
        if app.count(delivered).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(app.count(delivered).await, 1, "marked delivered");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        1
    );
    // Give a wrong retry time to show up: there is none.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "received exactly once");
    let (sig, body) = &seen[0];
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["case"], number.as_str());
    let t: i64 = sig
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("t=")
        .parse()
        .unwrap();
    assert_eq!(
        *sig,
        loket_web::cases::webhooks::signature(&secret, t, body)
    );
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
