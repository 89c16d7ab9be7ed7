//! Who did something: the actor written to the audit and access logs.

use std::fmt;

/// The author of a change or a read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in person (by user id).
    User(String),
    /// The command line, run by an operator on the server.
    Cli,
    /// Loket itself: a background worker, the demo seed.
    System,
}

impl Actor {
    /// The user id, if a person acted.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Actor::User(id) => Some(id),
            _ => None,
        }
    }

    /// A short label for the log (`user`, `cli`, `system`).
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User(_) => "user",
            Actor::Cli => "cli",
            Actor::System => "system",
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{id}"),
            other => f.write_str(other.kind()),
        }
    }
}
