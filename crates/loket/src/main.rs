use clap::Parser;
use loket::cli::{
    self, BenchCommand, Cli, Command, ConfigCommand, KeysCommand, TokenCommand, UserCommand,
};
use loket::config::Config;
use loket::{AppError, demo, open_store, shutdown_signal};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc, not glibc's malloc, for the whole binary (see Cargo.toml and
/// docs/performance.md for what it changed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_logging(c: &Config) {
    let filter = EnvFilter::try_from_env("LOKET_LOG")
        .or_else(|_| EnvFilter::try_new(&c.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colours only on a terminal: journald, docker and files get plain
        // text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if c.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(c: Config, is_demo: bool) -> Result<(), AppError> {
    // Signal handlers first: a SIGTERM during start-up stops cleanly too.
    let signal = shutdown_signal();
    let store = open_store(&c).await?;
    if is_demo {
        demo::refuse_foreign_accounts(&store).await?;
        let n = demo::seed(&store).await?;
        tracing::info!(created = n, "demo accounts seeded");
    }
    let running = loket::start_with_store(&c, store, is_demo).await?;
    let url = c.public_url(&running.addr.to_string());
    if is_demo {
        println!("{}", demo::banner(&url));
    }
    tracing::info!(%url, "serving");
    let stop = running.stop_handle();
    tokio::spawn(async move {
        signal.await;
        tracing::info!("shutting down: finishing requests and the outbox batch");
        let _ = stop.send(true);
    });
    running.wait().await;
    Ok(())
}

async fn run(cli: Cli) -> Result<(), AppError> {
    let addr = match &cli.command {
        Command::Serve { addr } | Command::Demo { addr } => addr.clone(),
        _ => None,
    };
    if let Command::Config {
        command: ConfigCommand::Check,
    } = &cli.command
    {
        print!("{}", Config::report(&cli.global.overrides(None))?);
        println!("configuration is valid");
        return Ok(());
    }
    let c = Config::load(&cli.global.overrides(addr))?;
    init_logging(&c);
    match cli.command {
        Command::Config { .. } => Ok(()),
        Command::Keys {
            command: KeysCommand::Rotate { grace_days },
        } => {
            let ring = cli::keys_rotate(&c, grace_days)?;
            println!(
                "key {} signs from now on; {} previous key(s) keep checking links for the grace period",
                ring.current().id,
                ring.keys().len() - 1
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::List,
        } => {
            print!("{}", cli::keys_list(&c)?);
            Ok(())
        }
        Command::Retention { dry_run, now } => {
            print!("{}", cli::retention(&c, dry_run, now.as_deref()).await?);
            Ok(())
        }
        Command::Backup { to } => {
            print!("{}", loket::backup::backup(&c, &to).await?);
            Ok(())
        }
        Command::Restore { from } => {
            let report =
                loket::backup::restore(&from, c.data_dir(), Some(&c.database_url())).await?;
            println!("{report}");
            Ok(())
        }
        Command::Serve { .. } => serve(c, false).await,
        Command::Demo { .. } => serve(c, true).await,
        Command::Migrate => {
            let store = open_store(&c).await?;
            store.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    roles,
                    password_stdin,
                },
        } => {
            let password = if password_stdin {
                Some(cli::read_password_line()?)
            } else {
                None
            };
            let id = cli::user_add(&c, &email, &name, &roles, password).await?;
            println!("created user {id}");
            Ok(())
        }
        Command::User {
            command: UserCommand::StaffGroup { group, roles },
        } => {
            cli::staff_group(&c, &group, &roles).await?;
            println!("group {group}: {}", roles.join(", "));
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    email,
                    name,
                    expires_in_days,
                    scopes,
                },
        } => {
            let secret =
                cli::token_create_with(&c, &email, &name, expires_in_days, &scopes).await?;
            println!("{secret}");
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::BookingRush {
                    clients,
                    desks,
                    slots,
                },
        } => {
            let report = loket::bench::booking_rush(
                c,
                loket::bench::RushOptions {
                    clients,
                    desks,
                    slots,
                },
            )
            .await?;
            println!("{report}");
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Displays {
                    clients,
                    locations,
                    seconds,
                },
        } => {
            let report = loket::bench::displays::displays(
                c,
                loket::bench::displays::DisplayOptions {
                    clients,
                    locations,
                    seconds,
                },
            )
            .await?;
            println!("{report}");
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Scale {
                    cases,
                    appointments,
                    articles,
                    contacts,
                    requests,
                },
        } => {
            use loket::bench::scale::{ScaleOptions, scale};
            let report = scale(
                c,
                ScaleOptions {
                    cases,
                    appointments,
                    articles,
                    contacts,
                    requests,
                },
            )
            .await?;
            println!("{}", report.text);
            let failures = report.failures();
            if failures > 0 {
                return Err(loket::AppError::Other(format!(
                    "bench scale: {failures} answers were not 2xx"
                )));
            }
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::VaccinationRush {
                    visitors,
                    concurrency,
                    admit_per_minute,
                    bot,
                },
        } => {
            use loket::bench::vaccination::{VacRushOptions, vaccination_rush};
            let o = |bot| VacRushOptions {
                visitors,
                concurrency,
                admit_per_minute,
                bot,
            };
            let (report, without) = vaccination_rush(c.clone(), o(0)).await?;
            println!("{report}");
            if bot > 0 {
                let (report, with) = vaccination_rush(c, o(bot)).await?;
                println!("{report}");
                println!(
                    "the bot ({bot} ticket requests from one address) moves the real visitors' \
                     median admission delay from {without} ms to {with} ms ({:+} ms)",
                    with - without
                );
            }
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Revoke { id },
        } => {
            cli::token_revoke(&c, &id).await?;
            println!("revoked token {id}");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("loket: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loket: {e}");
            ExitCode::from(2)
        }
    }
}
