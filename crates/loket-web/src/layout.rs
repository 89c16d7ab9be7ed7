//! What the base template needs on every page.

use crate::i18n::Locale;

#[derive(Debug, Clone)]
pub struct Layout {
    pub locale: Locale,
    pub title: String,
    pub city_name: String,
    /// The signed-in person's name, if any.
    pub user_name: Option<String>,
    pub is_staff: bool,
    pub is_admin: bool,
    /// The CSRF token of the session (for the sign-out form).
    pub csrf: String,
    /// The current path, for the language switch to come back to.
    pub path: String,
    /// A one-line notice shown at the top (e.g. "You are signed out").
    pub notice: Option<String>,
    /// Admins only: an account still has the demo's published password.
    pub demo_password_warning: bool,
}

impl Layout {
    /// A message in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.locale.t(id)
    }

    /// A message with one argument.
    pub fn t1(&self, id: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        self.locale.t_args(id, &[(name, value.to_string())])
    }

    /// A message with two arguments.
    pub fn t_args2(
        &self,
        id: &str,
        n1: &'static str,
        v1: impl std::fmt::Display,
        n2: &'static str,
        v2: impl std::fmt::Display,
    ) -> String {
        self.locale
            .t_args(id, &[(n1, v1.to_string()), (n2, v2.to_string())])
    }

    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    /// The link that switches to `code` and comes back here.
    pub fn switch_href(&self, code: &str) -> String {
        format!("/lang/{code}?next={}", urlencode(&self.path))
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A redirect target from user input: a local path only (no scheme, no
/// `//host`), else `fallback`.
pub fn local_path(next: &str, fallback: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        next.to_owned()
    } else {
        fallback.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_stay_local() {
        assert_eq!(local_path("/account", "/"), "/account");
        assert_eq!(local_path("//evil.example/x", "/"), "/");
        assert_eq!(local_path("https://evil.example", "/"), "/");
        assert_eq!(local_path("/\\evil.example", "/"), "/");
        assert_eq!(urlencode("/a b?c=d"), "/a%20b%3Fc%3Dd");
    }
}
