//! The reference an organization's bank transfers carry (BIL-3): an ISO 11649 creditor
//! reference, `RF` + two check digits + `STW` + the organization's number, so a bank
//! statement line finds its prepaid account, and a mistyped reference is caught by its check
//! digits (the same mod-97 rule as an IBAN) instead of crediting someone else.

/// The mod-97 remainder of `text` with letters as numbers (A = 10 … Z = 35).
fn mod97(text: &str) -> Option<u32> {
    let mut remainder: u32 = 0;
    for c in text.chars() {
        let value = c.to_digit(36)?;
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    Some(remainder)
}

/// What a payment reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Referenced {
    /// A transfer to the organization's prepaid account.
    Organization(i64),
    /// The payment of one order (printed on its invoice).
    Order(i64),
}

/// `RF` + check digits + `body`, in groups of four as on a payment slip.
fn creditor_reference(body: &str) -> String {
    let check = 98 - mod97(&format!("{body}RF00")).unwrap_or(0);
    let compact = format!("RF{check:02}{body}");
    compact
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `RF47 STW0 0000 0042` for organization 42.
pub fn for_organization(organization_id: i64) -> String {
    creditor_reference(&format!("STW{organization_id:09}"))
}

/// `RFxx STWO 0000 0001 7` for order 17: the transfer that pays that order.
pub fn for_order(order_id: i64) -> String {
    creditor_reference(&format!("STWO{order_id:010}"))
}

/// What a reference names, if it is one of ours and its check digits hold (spaces and letter
/// case as people type them).
pub fn parse(reference: &str) -> Option<Referenced> {
    let compact: String = reference
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if compact.len() < 5 || compact.len() > 25 || !compact.is_ascii() {
        return None;
    }
    let (head, body) = compact.split_at(4);
    if !head.starts_with("RF") || mod97(&format!("{body}{head}"))? != 1 {
        return None;
    }
    let rest = body.strip_prefix("STW")?;
    let (order, digits) = match rest.strip_prefix('O') {
        Some(digits) => (true, digits),
        None => (false, rest),
    };
    let id = digits.parse::<i64>().ok().filter(|id| *id > 0)?;
    Some(if order {
        Referenced::Order(id)
    } else {
        Referenced::Organization(id)
    })
}

/// The organization a prepaid-account reference names.
pub fn organization_of(reference: &str) -> Option<i64> {
    match parse(reference)? {
        Referenced::Organization(id) => Some(id),
        Referenced::Order(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_names_its_organization_and_catches_a_typo() {
        for id in [1, 42, 987_654_321] {
            let reference = for_organization(id);
            assert!(reference.starts_with("RF"), "{reference}");
            assert_eq!(organization_of(&reference), Some(id), "{reference}");
            assert_eq!(organization_of(&reference.to_lowercase()), Some(id));
            // One digit changed: the check digits no longer hold.
            let mut typo: Vec<char> = reference.chars().collect();
            let last = typo.len() - 1;
            typo[last] = if typo[last] == '1' { '2' } else { '1' };
            assert_eq!(organization_of(&typo.into_iter().collect::<String>()), None);
        }
        // The ISO 11649 example: valid, but not one of ours.
        assert_eq!(mod97("539007547034RF18"), Some(1));
        assert_eq!(organization_of("RF18 5390 0754 7034"), None);
        assert_eq!(organization_of(""), None);
        assert_eq!(organization_of("RF00 STW"), None);
    }

    #[test]
    fn an_order_reference_names_its_order_and_never_an_organization() {
        for id in [1, 17, 9_999_999_999] {
            let reference = for_order(id);
            assert_eq!(
                parse(&reference),
                Some(Referenced::Order(id)),
                "{reference}"
            );
            assert_eq!(organization_of(&reference), None);
        }
        assert_eq!(
            parse(&for_organization(17)),
            Some(Referenced::Organization(17))
        );
    }
}
