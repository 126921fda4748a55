//! Enums that are stored and shown, each declared once: `stored!` wraps the declaration and
//! gives it, through strum, its stored value (`as_str`: the variant's name in snake case unless
//! a variant says `#[strum(serialize = "…")]`), reading it back (`parse`), the list of its
//! variants in declaration order (`ALL`) and — declared `labelled`, each variant carrying
//! `#[strum(message = "…")]` — the name shown to people (`label`). strum was chosen over a
//! macro of our own that would match strings: it is the common way to derive enum strings, and
//! its derive builds on `syn`, which the tree compiles anyway.

/// Declares a stored enum (see the module).
macro_rules! stored {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident labelled { $($body:tt)* }
    ) => {
        $crate::enums::stored! {
            $(#[$meta])*
            #[derive(strum::EnumMessage)]
            $vis enum $name { $($body)* }
        }
        impl $name {
            /// The name shown to people.
            pub fn label(self) -> &'static str {
                strum::EnumMessage::get_message(&self).unwrap_or_else(|| self.as_str())
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($body:tt)* }
    ) => {
        $(#[$meta])*
        #[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
        #[strum(serialize_all = "snake_case")]
        $vis enum $name { $($body)* }
        impl $name {
            /// Every variant, in the order declared.
            pub const ALL: &'static [$name] = <Self as strum::VariantArray>::VARIANTS;

            /// The value stored (and sent where a program reads it).
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// The variant stored as `value`; `None` for a value this version does not know.
            pub fn parse(value: &str) -> Option<$name> {
                value.parse().ok()
            }
        }
    };
}

pub(crate) use stored;
