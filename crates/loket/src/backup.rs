//! `loket backup` and `loket restore`: one gzip-compressed tar archive with
//! a consistent snapshot of the database and every file Loket keeps in its
//! data directory (uploads, documents, letters, sent mail), and a manifest
//! with the SHA-256 of each.
//!
//! Layout of an archive:
//! - `db/loket.db` — SQLite: a `VACUUM INTO` copy, taken while serving;
//! - `db/loket.pgdump` — PostgreSQL: `pg_dump --format=custom`, when
//!   `pg_dump` is on the PATH (otherwise the archive holds only the files
//!   and the report says how to pair it with a dump);
//! - `data/…` — the data directory's files, by their relative path;
//! - `MANIFEST.json` — written last: format, time, version, backend, schema
//!   version, and path, size and SHA-256 of every entry above.
//!
//! The archive is written to `FILE.partial` and renamed when complete, so a
//! backup that is killed never leaves a file that looks whole.

use crate::AppError;
use crate::config::Config;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use loket_store::{Backend, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The archive format this build writes and reads.
pub const FORMAT: u32 = 1;
const MANIFEST: &str = "MANIFEST.json";
const SQLITE_ENTRY: &str = "db/loket.db";
const PGDUMP_ENTRY: &str = "db/loket.pgdump";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    /// RFC 3339, UTC: when the database snapshot was taken.
    pub created_at: String,
    pub loket_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The newest migration applied to the database that was backed up.
    pub schema_version: i64,
    /// The database entry (`db/loket.db` or `db/loket.pgdump`), if any.
    pub database: Option<String>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// What a backup did, for the command line.
#[derive(Debug)]
pub struct BackupReport {
    pub archive: PathBuf,
    pub manifest: Manifest,
    pub bytes: u64,
    /// Set on PostgreSQL without `pg_dump`: how to take the database's dump.
    pub advice: Option<String>,
}

impl std::fmt::Display for BackupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let files = self
            .manifest
            .entries
            .iter()
            .filter(|e| e.path.starts_with("data/"))
            .count();
        writeln!(
            f,
            "backup written: {} ({} bytes; {} database {}, {} files, schema version {})",
            self.archive.display(),
            self.bytes,
            self.manifest.backend,
            self.manifest.database.as_deref().unwrap_or("not included"),
            files,
            self.manifest.schema_version
        )?;
        if let Some(a) = &self.advice {
            writeln!(f, "{a}")?;
        }
        Ok(())
    }
}

fn fail(what: impl std::fmt::Display) -> AppError {
    AppError::Other(what.to_string())
}

/// The SQLite file a `sqlite:` URL names.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Takes a backup of the configured database and data directory into `to`
/// (which must not exist yet). Safe while Loket serves: SQLite is copied
/// with `VACUUM INTO`, one read transaction.
pub async fn backup(c: &Config, to: &Path) -> Result<BackupReport, AppError> {
    if to.exists() {
        return Err(fail(format!(
            "--to {}: the file exists already; choose a new name (e.g. with the date in it)",
            to.display()
        )));
    }
    let url = c.database_url();
    let backend = Backend::from_url(&url)?;
    let partial = with_suffix(to, ".partial");
    let staging = with_suffix(to, ".partial.d");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)
        .map_err(|e| fail(format!("--to {}: {e}", staging.display())))?;
    let result = async {
        let store = Store::connect(&url, 2).await?;
        let schema_version = store.schema_version().await?;
        let created_at = jiff::Timestamp::now().to_string();
        let mut advice = None;
        let (database, db_file) = match backend {
            Backend::Sqlite => {
                let snap = staging.join("loket.db");
                store.snapshot_sqlite(&snap).await?;
                (Some(SQLITE_ENTRY.to_owned()), Some(snap))
            }
            Backend::Postgres => {
                let dump = staging.join("loket.pgdump");
                match pg_dump(&url, &dump)? {
                    true => (Some(PGDUMP_ENTRY.to_owned()), Some(dump)),
                    false => {
                        advice = Some(format!(
                            "pg_dump is not on the PATH: this archive holds the files only. Take the database's dump at the same time, e.g. `pg_dump --format=custom --file loket-{}.pgdump \"$DATABASE_URL\"`, and keep both together.",
                            created_at.get(..10).unwrap_or("date")
                        ));
                        (None, None)
                    }
                }
            }
        };
        store.close().await;
        let skip = skipped_paths(c, &url, to, &partial, &staging);
        let data_dir = c.data_dir.clone();
        let partial2 = partial.clone();
        let entry_name = database.clone();
        let manifest = tokio::task::spawn_blocking(move || {
            write_archive(
                &partial2,
                &data_dir,
                &skip,
                db_file.as_deref().zip(entry_name.as_deref()),
                Manifest {
                    format: FORMAT,
                    created_at,
                    loket_version: env!("CARGO_PKG_VERSION").to_owned(),
                    backend: match backend {
                        Backend::Sqlite => "sqlite",
                        Backend::Postgres => "postgres",
                    }
                    .to_owned(),
                    schema_version,
                    database,
                    entries: Vec::new(),
                },
            )
        })
        .await
        .map_err(|e| fail(format!("backup task: {e}")))??;
        std::fs::rename(&partial, to).map_err(|e| fail(format!("--to {}: {e}", to.display())))?;
        let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
        Ok(BackupReport {
            archive: to.to_owned(),
            manifest,
            bytes,
            advice,
        })
    }
    .await;
    let _ = std::fs::remove_dir_all(&staging);
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Files in the data directory that are not part of the copy: the live
/// SQLite files (the snapshot stands for them) and the backup being made.
fn skipped_paths(c: &Config, url: &str, to: &Path, partial: &Path, staging: &Path) -> Vec<PathBuf> {
    let mut skip = vec![to.to_owned(), partial.to_owned(), staging.to_owned()];
    if let Some(db) = sqlite_path(url) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            skip.push(with_suffix(&db, suffix));
        }
    }
    skip.into_iter()
        .map(|p| absolute(&p))
        .chain(std::iter::once(absolute(
            &c.data_dir.join(".restore-partial"),
        )))
        .collect()
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_owned())
}

/// Runs `pg_dump` when it is on the PATH. The password travels in
/// `PGPASSWORD`, not on the command line.
fn pg_dump(url: &str, to: &Path) -> Result<bool, AppError> {
    let (url, password) = split_password(url);
    let mut cmd = Command::new("pg_dump");
    cmd.args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(to)
        .arg("--dbname")
        .arg(&url);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    match cmd.output() {
        Ok(out) if out.status.success() => Ok(true),
        Ok(out) => Err(fail(format!(
            "pg_dump failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(fail(format!("pg_dump: {e}"))),
    }
}

/// A PostgreSQL URL without its password, and the password.
fn split_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let pw = u.password().map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .into_owned()
            });
            let _ = u.set_password(None);
            (u.to_string(), pw)
        }
        Err(_) => (url.to_owned(), None),
    }
}

/// Hashes what is read through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    n: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.n += n as u64;
        Ok(n)
    }
}

fn write_archive(
    to: &Path,
    data_dir: &Path,
    skip: &[PathBuf],
    database: Option<(&Path, &str)>,
    mut manifest: Manifest,
) -> Result<Manifest, AppError> {
    let file = File::create(to).map_err(|e| fail(format!("--to {}: {e}", to.display())))?;
    let gz = GzEncoder::new(BufWriter::new(file), Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut add = |tar: &mut tar::Builder<_>, path: &Path, name: &str| -> Result<(), AppError> {
        let f = File::open(path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let size = f
            .metadata()
            .map_err(|e| fail(format!("{}: {e}", path.display())))?
            .len();
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        let mut r = Hashing {
            inner: f.take(size),
            hash: Sha256::new(),
            n: 0,
        };
        tar.append_data(&mut header, name, &mut r)
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        manifest.entries.push(Entry {
            path: name.to_owned(),
            size: r.n,
            sha256: hex::encode(r.hash.finalize()),
        });
        Ok(())
    };
    if let Some((path, name)) = database {
        add(&mut tar, path, name)?;
    }
    let mut files = Vec::new();
    if data_dir.exists() {
        walk(data_dir, skip, &mut files)
            .map_err(|e| fail(format!("data_dir {}: {e}", data_dir.display())))?;
    }
    files.sort();
    for path in files {
        let Ok(rel) = path.strip_prefix(data_dir) else {
            continue;
        };
        let Some(rel) = rel.to_str() else {
            return Err(fail(format!(
                "{}: the file name is not UTF-8; rename it",
                path.display()
            )));
        };
        add(&mut tar, &path, &format!("data/{rel}"))?;
    }
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| fail(format!("manifest: {e}")))?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, MANIFEST, json.as_slice())
        .map_err(|e| fail(format!("manifest: {e}")))?;
    let gz = tar
        .into_inner()
        .map_err(|e| fail(format!("--to {}: {e}", to.display())))?;
    let w = gz
        .finish()
        .map_err(|e| fail(format!("--to {}: {e}", to.display())))?;
    let f = w
        .into_inner()
        .map_err(|e| fail(format!("--to {}: {e}", to.display())))?;
    f.sync_all()
        .map_err(|e| fail(format!("--to {}: {e}", to.display())))?;
    Ok(manifest)
}

/// Regular files under `dir`, not following symbolic links.
fn walk(dir: &Path, skip: &[PathBuf], out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if skip.contains(&absolute(&path)) {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, skip, out)?;
        } else if kind.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// What a restore did.
#[derive(Debug)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub data_dir: PathBuf,
}

impl std::fmt::Display for RestoreReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "restored {} entries (backup of {}, {} schema version {}) into {}; every SHA-256 matched the manifest",
            self.manifest.entries.len(),
            self.manifest.created_at,
            self.manifest.backend,
            self.manifest.schema_version,
            self.data_dir.display()
        )
    }
}

fn damaged(why: impl std::fmt::Display) -> AppError {
    fail(format!(
        "the archive is damaged or not a Loket backup: {why}. Nothing was restored."
    ))
}

/// Restores an archive into an empty (or not yet existing) data directory.
/// SQLite backups become `DATA_DIR/loket.db`. A PostgreSQL dump is loaded
/// with `pg_restore` into `database_url`, which must be an empty database.
/// Every entry is checked against the manifest before anything is put in
/// place; a damaged archive leaves the directory as it was.
pub async fn restore(
    from: &Path,
    data_dir: &Path,
    database_url: Option<&str>,
) -> Result<RestoreReport, AppError> {
    if let Ok(mut entries) = std::fs::read_dir(data_dir)
        && entries.next().is_some()
    {
        return Err(fail(format!(
            "--data-dir {}: the directory is not empty; restore only into an empty data directory",
            data_dir.display()
        )));
    }
    let file = File::open(from).map_err(|e| fail(format!("--from {}: {e}", from.display())))?;
    std::fs::create_dir_all(data_dir)
        .map_err(|e| fail(format!("--data-dir {}: {e}", data_dir.display())))?;
    let staging = data_dir.join(".restore-partial");
    let staging2 = staging.clone();
    let unpacked = tokio::task::spawn_blocking(move || unpack(file, &staging2))
        .await
        .map_err(|e| fail(format!("restore task: {e}")))?;
    let result = match unpacked {
        Ok(manifest) => place(&staging, data_dir, manifest, database_url),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_dir_all(&staging);
    let manifest = result?;
    Ok(RestoreReport {
        manifest,
        data_dir: data_dir.to_owned(),
    })
}

/// Unpacks into `staging`, hashing every entry, and checks the manifest.
fn unpack(file: File, staging: &Path) -> Result<Manifest, AppError> {
    let mut tar = tar::Archive::new(GzDecoder::new(BufReader::new(file)));
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let entries = tar.entries().map_err(damaged)?;
    for entry in entries {
        let mut entry = entry.map_err(damaged)?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(damaged("it holds something other than regular files"));
        }
        let name = entry
            .path()
            .map_err(damaged)?
            .to_str()
            .map(str::to_owned)
            .ok_or_else(|| damaged("an entry's name is not UTF-8"))?;
        if name == MANIFEST {
            let mut buf = Vec::new();
            entry.read_to_end(&mut buf).map_err(damaged)?;
            manifest = Some(
                serde_json::from_slice(&buf)
                    .map_err(|e| damaged(format!("the manifest cannot be read ({e})")))?,
            );
            continue;
        }
        let rel =
            safe_relative(&name).ok_or_else(|| damaged(format!("unsafe entry name {name:?}")))?;
        if seen.contains_key(&name) {
            return Err(damaged(format!("{name} appears twice")));
        }
        let target = staging.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("{}: {e}", parent.display())))?;
        }
        let out = File::create(&target).map_err(|e| fail(format!("{}: {e}", target.display())))?;
        let mut w = BufWriter::new(out);
        let mut r = Hashing {
            inner: &mut entry,
            hash: Sha256::new(),
            n: 0,
        };
        io::copy(&mut r, &mut w).map_err(damaged)?;
        let (n, hash) = (r.n, hex::encode(r.hash.finalize()));
        w.flush()
            .map_err(|e| fail(format!("{}: {e}", target.display())))?;
        seen.insert(name, (n, hash));
    }
    // Read to the end of the gzip stream: its CRC-32 and length are checked
    // there, after tar's end-of-archive marker.
    io::copy(&mut tar.into_inner(), &mut io::sink()).map_err(damaged)?;
    let manifest =
        manifest.ok_or_else(|| damaged("it has no MANIFEST.json (it may be cut short)"))?;
    if manifest.format != FORMAT {
        return Err(fail(format!(
            "the archive has format {}, this Loket reads format {FORMAT}; use the Loket version that wrote it ({})",
            manifest.format, manifest.loket_version
        )));
    }
    for e in &manifest.entries {
        match seen.remove(&e.path) {
            None => return Err(damaged(format!("{} is missing", e.path))),
            Some((n, hash)) if n != e.size || hash != e.sha256 => {
                return Err(damaged(format!(
                    "{} does not match its SHA-256 in the manifest",
                    e.path
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().next() {
        return Err(damaged(format!("{extra} is not in the manifest")));
    }
    Ok(manifest)
}

/// `db/…` or `data/…` made only of normal components.
fn safe_relative(name: &str) -> Option<&Path> {
    let p = Path::new(name);
    let ok = p.components().all(|c| matches!(c, Component::Normal(_)))
        && (name.starts_with("data/") || name == SQLITE_ENTRY || name == PGDUMP_ENTRY);
    ok.then_some(p)
}

/// Moves the checked files into the data directory and loads the database.
fn place(
    staging: &Path,
    data_dir: &Path,
    manifest: Manifest,
    database_url: Option<&str>,
) -> Result<Manifest, AppError> {
    let pg = manifest.database.as_deref() == Some(PGDUMP_ENTRY);
    if pg {
        let Some(url) =
            database_url.filter(|u| Backend::from_url(u).ok() == Some(Backend::Postgres))
        else {
            return Err(fail(
                "this archive holds a PostgreSQL dump: give --database-url postgres://… of an empty database to load it into",
            ));
        };
        pg_restore(&staging.join(PGDUMP_ENTRY), url)?;
    }
    let from_data = staging.join("data");
    if from_data.exists() {
        for entry in std::fs::read_dir(&from_data).map_err(|e| fail(format!("{e}")))? {
            let entry = entry.map_err(|e| fail(format!("{e}")))?;
            let to = data_dir.join(entry.file_name());
            std::fs::rename(entry.path(), &to)
                .map_err(|e| fail(format!("{}: {e}", to.display())))?;
        }
    }
    if manifest.database.as_deref() == Some(SQLITE_ENTRY) {
        let to = match database_url.and_then(sqlite_path) {
            Some(p) => p,
            None => data_dir.join("loket.db"),
        };
        if to.exists() {
            return Err(fail(format!(
                "{}: a database is already there; restore into an empty place",
                to.display()
            )));
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("{}: {e}", parent.display())))?;
        }
        std::fs::rename(staging.join(SQLITE_ENTRY), &to)
            .or_else(|_| std::fs::copy(staging.join(SQLITE_ENTRY), &to).map(|_| ()))
            .map_err(|e| fail(format!("{}: {e}", to.display())))?;
    }
    Ok(manifest)
}

fn pg_restore(dump: &Path, url: &str) -> Result<(), AppError> {
    let (url, password) = split_password(url);
    let mut cmd = Command::new("pg_restore");
    cmd.args([
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--dbname",
    ])
    .arg(&url)
    .arg(dump);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    match cmd.output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(fail(format!(
            "pg_restore failed ({}): {}. Is the target database empty?",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(fail(
            "pg_restore is not on the PATH: install the PostgreSQL client (Debian: postgresql-client)",
        )),
        Err(e) => Err(fail(format!("pg_restore: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_are_read_from_urls() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/loket/loket.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/loket/loket.db"))
        );
        assert_eq!(
            sqlite_path("sqlite://loket-data/loket.db"),
            Some(PathBuf::from("loket-data/loket.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }

    #[test]
    fn only_data_and_database_entries_are_unpacked() {
        assert!(safe_relative("data/files/ab.pdf").is_some());
        assert!(safe_relative("db/loket.db").is_some());
        assert!(safe_relative("data/../../etc/passwd").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("db/other").is_none());
        assert!(safe_relative("elsewhere/x").is_none());
    }

    #[test]
    fn passwords_leave_the_url() {
        let (u, p) = split_password("postgres://loket:s%40cret@db.example:5432/loket");
        assert_eq!(u, "postgres://loket@db.example:5432/loket");
        assert_eq!(p.as_deref(), Some("s@cret"));
    }
}
