//! Coloured tags on products (PRD-2): created from the product list or the tag page, put on
//! several products at once, renamed, recoloured, deleted; the product list filters by tag.
//! A tag is visible to everyone who can reach a product carrying it.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::enums::stored;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const NAME_MAX_CHARS: usize = 40;
/// Products changed by one batch action at most.
pub const BATCH_MAX: usize = 200;

stored! {
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum Colour labelled {
        #[strum(message = "Blue")]
        Blue,
        #[strum(message = "Green")]
        Green,
        #[strum(message = "Orange")]
        Orange,
        #[strum(message = "Red")]
        Red,
        #[strum(message = "Purple")]
        Purple,
        #[strum(message = "Teal")]
        Teal,
        #[strum(message = "Pink")]
        Pink,
        #[strum(message = "Grey")]
        Grey,
    }
}

impl Colour {
    /// The colour a form sent, or why it is refused.
    pub fn chosen(value: &str) -> Result<Colour, AppError> {
        Colour::parse(value)
            .ok_or_else(|| AppError::validation("colour", "Choose a colour from the list."))
    }
}

/// A tag as shown on a product.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TagChip {
    pub id: i64,
    pub name: String,
    pub colour: Colour,
}

/// A tag on the tag page, with how many of the products I can reach carry it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    pub colour: Colour,
    pub products: i64,
    /// Sent back with an edit: a save from an older version is refused.
    pub version: i64,
}

pub fn normalize_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::validation("name", "Give the tag a name."));
    }
    if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::validation(
            "name",
            format!("Use at most {NAME_MAX_CHARS} characters, on one line."),
        ));
    }
    Ok(name.to_owned())
}

/// Product ids from a form: numbers separated by commas (the selected rows).
pub fn parse_ids(raw: &str) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id = part.parse::<i64>().map_err(|_| {
            AppError::validation(
                "product_ids",
                "The selection is not valid. Reload the list.",
            )
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(AppError::validation(
            "product_ids",
            "Select at least one product first.",
        ));
    }
    if ids.len() > BATCH_MAX {
        return Err(AppError::validation(
            "product_ids",
            format!("Select at most {BATCH_MAX} products at a time."),
        ));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_colours_and_selections_are_checked() {
        assert!(normalize_name(" ").is_err());
        assert_eq!(normalize_name(" VIP ").ok(), Some("VIP".into()));
        assert!(normalize_name(&"x".repeat(41)).is_err());
        assert_eq!(Colour::chosen("teal").ok(), Some(Colour::Teal));
        assert!(Colour::chosen("#ff0000").is_err());
        assert_eq!(parse_ids("3, 1,3,,2").ok(), Some(vec![3, 1, 2]));
        assert!(parse_ids("").is_err());
        assert!(parse_ids("1,x").is_err());
        let many: Vec<String> = (0..201).map(|i| i.to_string()).collect();
        assert!(parse_ids(&many.join(",")).is_err());
    }
}
