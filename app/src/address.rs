//! Postal addresses as typed: the countries they can be in and the rules each field follows.
//! A billing address (BIL-1) and a product's holder (PRD-7) are both checked here.

use crate::error::AppError;

/// The countries a postal address (billing, a product's holder) can be in (ISO 3166 codes), the closest first.
pub const COUNTRIES: [(&str, &str); 12] = [
    ("CH", "Switzerland"),
    ("LI", "Liechtenstein"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("IT", "Italy"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("LU", "Luxembourg"),
    ("NL", "Netherlands"),
    ("ES", "Spain"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
];

pub fn country_name(code: &str) -> &str {
    COUNTRIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, name)| name)
}

/// A postal address as typed, checked and trimmed (a billing address; a product's holder,
/// without a VAT number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressInput {
    pub name: String,
    pub company: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub vat_number: String,
}

pub const NAME_MAX_CHARS: usize = 100;
pub const STREET_MAX_CHARS: usize = 200;
pub const POSTAL_CODE_MAX_CHARS: usize = 12;
pub const VAT_NUMBER_MAX_CHARS: usize = 30;

fn text(
    field: &str,
    label: &str,
    raw: &str,
    max: usize,
    required: bool,
) -> Result<String, AppError> {
    let value = raw.trim().to_owned();
    if required && value.is_empty() {
        return Err(AppError::validation(field, format!("Enter the {label}.")));
    }
    if value.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("The {label} has at most {max} characters."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::validation(
            field,
            format!("The {label} cannot contain line breaks or control characters."),
        ));
    }
    Ok(value)
}

impl AddressInput {
    /// Refuses a field with a character invoices cannot print (`pdf_font`: Latin, Greek,
    /// Cyrillic, Armenian and Georgian print; a script written right to left or in joined
    /// letters, Chinese… does not), naming it — checked for billing addresses, which every
    /// invoice prints.
    #[cfg(feature = "ssr")]
    pub fn printable_on_invoices(&self) -> Result<(), AppError> {
        for (field, label, value) in [
            ("name", "name", &self.name),
            ("company", "company", &self.company),
            ("street", "street and number", &self.street),
            ("city", "city", &self.city),
        ] {
            if let Some(c) = crate::pdf_font::unprintable(value) {
                return Err(AppError::validation(
                    field,
                    format!(
                        "The {label} contains \"{c}\", which invoices cannot print: write it in Latin, Greek, Cyrillic, Armenian or Georgian letters."
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn check(
        name: &str,
        company: &str,
        street: &str,
        postal_code: &str,
        city: &str,
        country: &str,
        vat_number: &str,
    ) -> Result<AddressInput, AppError> {
        let postal_code = text(
            "postal_code",
            "postal code",
            postal_code,
            POSTAL_CODE_MAX_CHARS,
            true,
        )?;
        if !postal_code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        {
            return Err(AppError::validation(
                "postal_code",
                "A postal code has letters, digits, spaces and dashes only.",
            ));
        }
        let country = country.trim().to_uppercase();
        if !COUNTRIES.iter().any(|(code, _)| *code == country) {
            return Err(AppError::validation(
                "country",
                "Choose a country from the list.",
            ));
        }
        let vat_number = text(
            "vat_number",
            "VAT number",
            vat_number,
            VAT_NUMBER_MAX_CHARS,
            false,
        )?;
        if !vat_number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-'))
        {
            return Err(AppError::validation(
                "vat_number",
                "A VAT number has letters, digits, dots, dashes and spaces only, like CHE-123.456.789 MWST.",
            ));
        }
        Ok(AddressInput {
            name: text("name", "name", name, NAME_MAX_CHARS, true)?,
            company: text("company", "company", company, NAME_MAX_CHARS, false)?,
            street: text(
                "street",
                "street and number",
                street,
                STREET_MAX_CHARS,
                true,
            )?,
            postal_code,
            city: text("city", "city", city, NAME_MAX_CHARS, true)?,
            country,
            vat_number,
        })
    }
}
