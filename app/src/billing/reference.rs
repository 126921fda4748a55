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

/// The check digit of a QR reference (Swiss Payment Standards, the recursive modulo 10 of the
/// ESR/ISR slips): the 27th digit after 26.
pub fn mod10_recursive(digits: &str) -> Option<u32> {
    const TABLE: [u32; 10] = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];
    let mut carry = 0u32;
    for c in digits.chars() {
        carry = TABLE[((carry + c.to_digit(10)?) % 10) as usize];
    }
    Some((10 - carry) % 10)
}

/// The 27-digit QR reference that a QR-IBAN asks for instead of an `RF` reference: `1` for a
/// prepaid account or `2` for an order, the number on 25 digits, the check digit. Shown in
/// groups (`10 00000 00000 00000 00000 00421`) as on a Swiss payment slip.
fn qr_reference(kind: u8, id: i64) -> String {
    let body = format!("{kind}{id:025}");
    let compact = format!("{body}{}", mod10_recursive(&body).unwrap_or(0));
    let (head, rest) = compact.split_at(2);
    let groups: Vec<String> = rest
        .as_bytes()
        .chunks(5)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!("{head} {}", groups.join(" "))
}

/// The QR reference of an organization's prepaid account (with a QR-IBAN).
pub fn qr_for_organization(organization_id: i64) -> String {
    qr_reference(1, organization_id)
}

/// The QR reference of one order (with a QR-IBAN).
pub fn qr_for_order(order_id: i64) -> String {
    qr_reference(2, order_id)
}

/// A reference without its spaces, as the QR code carries it.
pub fn compact(reference: &str) -> String {
    reference.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What a reference names, if it is one of ours and its check digits hold (spaces and letter
/// case as people type them): an `RF` creditor reference or a 27-digit QR reference.
pub fn parse(reference: &str) -> Option<Referenced> {
    let compact: String = compact(reference).to_uppercase();
    if compact.len() == 27 && compact.bytes().all(|b| b.is_ascii_digit()) {
        let (body, check) = compact.split_at(26);
        if mod10_recursive(body)? != check.parse::<u32>().ok()? {
            return None;
        }
        let id = body[1..].parse::<i64>().ok().filter(|id| *id > 0)?;
        return match &body[..1] {
            "1" => Some(Referenced::Organization(id)),
            "2" => Some(Referenced::Order(id)),
            _ => None,
        };
    }
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
    fn qr_references_carry_the_recursive_mod_10_check_digit() {
        // The Swiss Payment Standards' example QR reference.
        assert_eq!(mod10_recursive("21000000000313947143000901"), Some(7));
        assert_eq!(
            parse("21 00000 00003 13947 14300 09017"),
            None,
            "valid, but not one of ours"
        );
        for id in [1, 42, 987_654_321] {
            let reference = qr_for_organization(id);
            assert_eq!(compact(&reference).len(), 27, "{reference}");
            assert_eq!(parse(&reference), Some(Referenced::Organization(id)));
            assert_eq!(parse(&qr_for_order(id)), Some(Referenced::Order(id)));
            let mut typo: Vec<char> = reference.chars().collect();
            let last = typo.len() - 2;
            typo[last] = if typo[last] == '1' { '2' } else { '1' };
            assert_eq!(parse(&typo.into_iter().collect::<String>()), None);
        }
        assert_eq!(qr_for_organization(42), "10 00000 00000 00000 00000 00424");
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
