//! Statuses stored as text: one enum per kind of record, each with one
//! `as_str`/`parse` pair written by [`status_enum!`], so the layers above
//! compare variants, never strings.

/// A stored status text that no variant has: the database holds a value
/// this version of Loket does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} status {value:?}")]
pub struct UnknownStatus {
    pub kind: &'static str,
    pub value: String,
}

/// Declares a status enum with its stored texts:
/// `as_str`, `parse`, `ALL`, `Display`, `Serialize` (as the text) and
/// `TryFrom<String>` (for decoding a row).
#[macro_export]
macro_rules! status_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every status, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database and shown in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The status stored as `s`.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::status::UnknownStatus;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s).ok_or($crate::status::UnknownStatus {
                    kind: stringify!($name),
                    value: s,
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    status_enum! {
        /// A test status.
        pub enum Light { Red = "red", Green = "green" }
    }

    #[test]
    fn texts_round_trip() {
        for l in Light::ALL {
            assert_eq!(Light::parse(l.as_str()), Some(*l));
            assert_eq!(Light::try_from(l.to_string()), Ok(*l));
        }
        assert_eq!(Light::parse("amber"), None);
        let e = Light::try_from("amber".to_owned()).err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("unknown Light status \"amber\"".to_owned())
        );
        assert_eq!(
            serde_json::to_string(&Light::Green).ok().as_deref(),
            Some("\"green\"")
        );
    }
}
