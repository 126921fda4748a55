//! The Swiss QR-bill (Swiss Payment Standards, "Swiss Implementation Guidelines for the
//! QR-bill", version 2.3): the payload of the Swiss QR Code, the code itself with the Swiss
//! cross, and the payment part as a printable PDF page (`payment_part_pdf`).
//!
//! Written here rather than taken from the `qrbill` crate, which takes amounts as `f64` and
//! draws its own SVG: Steward's amounts are exact (`Money`) and the payload is 31 lines of
//! text. The QR code itself comes from `qrcodegen`, as for the authenticator set-up.

use super::reference;
use crate::money::{Currency, Money};

/// A structured address (address type `S`, the only one version 2.3 accepts after November
/// 2025): name, street, building number, postal code, town, two-letter country code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub name: String,
    pub street: String,
    pub building_number: String,
    pub postal_code: String,
    pub town: String,
    pub country: String,
}

impl Address {
    /// The address as printed on the payment part: name, street and number, `CH-1003 Town`.
    pub fn lines(&self) -> Vec<String> {
        let street = format!("{} {}", self.street, self.building_number)
            .trim()
            .to_owned();
        let place = format!("{}-{} {}", self.country, self.postal_code, self.town);
        [self.name.clone(), street, place]
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect()
    }

    fn fields(&self) -> [&str; 7] {
        [
            "S",
            &self.name,
            &self.street,
            &self.building_number,
            &self.postal_code,
            &self.town,
            &self.country,
        ]
    }
}

/// The payment reference: a QR reference (27 digits, only with a QR-IBAN), an ISO 11649
/// creditor reference (`RF…`, only with an ordinary IBAN), or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    Qrr(String),
    Scor(String),
    None,
}

/// One QR-bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bill {
    /// The creditor's IBAN or QR-IBAN, without spaces.
    pub account: String,
    pub creditor: Address,
    /// `None`: the payer fills in the amount (a top-up of their choice).
    pub amount: Option<Money>,
    pub currency: Currency,
    pub debtor: Option<Address>,
    pub reference: Reference,
    /// "Unstructured message", at most 140 characters.
    pub message: String,
}

/// Why a bill cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BillError {
    /// A QR-IBAN needs a QR reference, an IBAN must not have one.
    ReferenceDoesNotFitAccount,
    /// Only Swiss and Liechtenstein accounts.
    AccountNotSwiss,
    /// Amounts from 0.01 to 999'999'999.99.
    AmountOutOfRange,
    TooLong(&'static str),
}

/// A QR-IBAN: a Swiss or Liechtenstein IBAN whose institution id is 30000 to 31999.
pub fn is_qr_iban(iban: &str) -> bool {
    let compact = reference::compact(iban).to_uppercase();
    (compact.starts_with("CH") || compact.starts_with("LI"))
        && compact.len() == 21
        && compact[4..9]
            .parse::<u32>()
            .is_ok_and(|iid| (30000..=31999).contains(&iid))
}

impl Bill {
    /// The text the Swiss QR Code carries: one element per line, CR LF between them and none
    /// after the last (the trailer `EPD`).
    pub fn payload(&self) -> Result<String, BillError> {
        let account = reference::compact(&self.account).to_uppercase();
        if !(account.starts_with("CH") || account.starts_with("LI")) || account.len() != 21 {
            return Err(BillError::AccountNotSwiss);
        }
        let (kind, reference) = match &self.reference {
            Reference::Qrr(r) => ("QRR", reference::compact(r)),
            Reference::Scor(r) => ("SCOR", reference::compact(r).to_uppercase()),
            Reference::None => ("NON", String::new()),
        };
        if is_qr_iban(&account) != (kind == "QRR") {
            return Err(BillError::ReferenceDoesNotFitAccount);
        }
        let amount = match self.amount {
            None => String::new(),
            Some(money) if money.minor < 1 || money.minor > 99_999_999_999 => {
                return Err(BillError::AmountOutOfRange)
            }
            Some(money) => money.amount(),
        };
        if self.message.chars().count() > 140 {
            return Err(BillError::TooLong("message"));
        }
        for address in std::iter::once(&self.creditor).chain(self.debtor.as_ref()) {
            if address.name.chars().count() > 70
                || address.street.chars().count() > 70
                || address.building_number.chars().count() > 16
                || address.postal_code.chars().count() > 16
                || address.town.chars().count() > 35
                || address.country.len() != 2
            {
                return Err(BillError::TooLong("address"));
            }
        }
        let mut lines: Vec<&str> = vec!["SPC", "0200", "1", &account];
        lines.extend(self.creditor.fields());
        // The ultimate creditor: reserved, seven empty elements.
        lines.extend([""; 7]);
        lines.push(&amount);
        lines.push(self.currency.code());
        match &self.debtor {
            Some(debtor) => lines.extend(debtor.fields()),
            None => lines.extend([""; 7]),
        }
        lines.extend([kind, &reference, &self.message, "EPD"]);
        Ok(lines
            .iter()
            .map(|l| clean(l))
            .collect::<Vec<_>>()
            .join("\r\n"))
    }
}

/// One element: no line breaks inside (they would end it), no surrounding spaces.
fn clean(text: &str) -> String {
    text.replace(['\r', '\n'], " ").trim().to_owned()
}

/// The Swiss QR Code of `payload` (error correction M, as the standard asks) as the path of an
/// SVG drawing, one unit per module, without the quiet zone; and its size in modules.
pub fn code(payload: &str) -> Option<(u32, String)> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(payload, QrCodeEcc::Medium).ok()?;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{x},{y}h1v1h-1z"));
            }
        }
    }
    Some((qr.size() as u32, path))
}

/// The Swiss cross in the middle of a code `size` modules wide: 7 of the code's 46 mm, a black
/// square with the white cross, on a white border (the proportions of the Swiss flag: arms one
/// sixth longer than wide). Rectangles `(x, y, width, height, black)`, in modules.
pub fn cross(size: u32) -> [(f32, f32, f32, f32, bool); 4] {
    let size = size as f32;
    let outer = size * 7.0 / 46.0;
    let inner = outer * 6.0 / 7.0;
    let arm = inner * 6.0 / 32.0;
    let span = inner * 20.0 / 32.0;
    let centre = size / 2.0;
    [
        (
            centre - outer / 2.0,
            centre - outer / 2.0,
            outer,
            outer,
            false,
        ),
        (
            centre - inner / 2.0,
            centre - inner / 2.0,
            inner,
            inner,
            true,
        ),
        (centre - arm / 2.0, centre - span / 2.0, arm, span, false),
        (centre - span / 2.0, centre - arm / 2.0, span, arm, false),
    ]
}

/// Millimetres to PDF points.
fn mm(value: f32) -> f32 {
    value * 72.0 / 25.4
}

/// The payment part as an A4 page to print (Swiss Payment Standards, "Style Guide QR-bill"):
/// the receipt (62 mm) and the payment part (148 mm) side by side along the bottom 105 mm,
/// dashed lines to cut along, the Swiss QR Code of 46 mm with its cross, Helvetica, and an
/// empty box for the amount when the payer chooses it. `title` heads the page above.
pub fn payment_part_pdf(bill: &Bill, title: &str) -> Result<Vec<u8>, BillError> {
    use crate::pdf_text::{win_ansi, BOLD, REGULAR};
    use pdf_writer::{Content, Name, Str};
    let payload = bill.payload()?;
    let (size, _) = code(&payload).ok_or(BillError::TooLong("payload"))?;
    let (width, height) = (mm(210.0), mm(297.0));
    let mut c = Content::new();
    let text = |c: &mut Content, x: f32, y: f32, font: Name, size: f32, line: &str| {
        c.begin_text()
            .set_font(font, size)
            .next_line(mm(x), mm(y))
            .show(Str(&win_ansi(line)))
            .end_text();
    };
    // The page's own heading, far above the part.
    text(&mut c, 20.0, 270.0, BOLD, 14.0, title);
    text(
        &mut c,
        20.0,
        262.0,
        REGULAR,
        9.0,
        "Cut along the dashed lines and pay with your banking app, at the post office or at your bank.",
    );
    // Where to cut: above the part, and between the receipt and the payment part.
    c.set_line_width(0.5).set_dash_pattern([3.0, 2.0], 0.0);
    c.move_to(0.0, mm(105.0)).line_to(width, mm(105.0)).stroke();
    c.move_to(mm(62.0), 0.0)
        .line_to(mm(62.0), mm(105.0))
        .stroke();
    c.set_dash_pattern([], 0.0);
    let reference = match &bill.reference {
        Reference::Qrr(r) | Reference::Scor(r) => Some(r.clone()),
        Reference::None => None,
    };
    let account = super::iban_on_paper(&reference::compact(&bill.account).to_uppercase());
    let amount = bill.amount.map(|m| m.grouped());
    // Blocks of heading and lines, top down; returns where the next starts.
    let block =
        |c: &mut Content, x: f32, y: f32, heading: (f32, &str), lines: &[String], size: f32| {
            text(c, x, y, BOLD, heading.0, heading.1);
            let mut y = y - heading.0 * 0.3528 - 1.2;
            for line in lines {
                text(c, x, y, REGULAR, size, line);
                y -= size * 0.3528 + 0.9;
            }
            y - 2.5
        };
    // An empty box to write in, its corners only (as the style guide draws them).
    let corners = |c: &mut Content, x: f32, y: f32, w: f32, h: f32| {
        let (x, y, w, h, l) = (mm(x), mm(y), mm(w), mm(h), mm(3.0));
        c.set_line_width(0.75);
        for (cx, cy, dx, dy) in [
            (x, y + h, 1.0, -1.0),
            (x + w, y + h, -1.0, -1.0),
            (x, y, 1.0, 1.0),
            (x + w, y, -1.0, 1.0),
        ] {
            c.move_to(cx + dx * l, cy)
                .line_to(cx, cy)
                .line_to(cx, cy + dy * l)
                .stroke();
        }
    };
    let payable_to: Vec<String> = std::iter::once(account.clone())
        .chain(bill.creditor.lines())
        .collect();
    // The receipt.
    text(&mut c, 5.0, 95.0, BOLD, 11.0, "Receipt");
    let mut y = block(
        &mut c,
        5.0,
        88.0,
        (6.0, "Account / Payable to"),
        &payable_to,
        8.0,
    );
    if let Some(r) = &reference {
        y = block(
            &mut c,
            5.0,
            y,
            (6.0, "Reference"),
            std::slice::from_ref(r),
            8.0,
        );
    }
    match &bill.debtor {
        Some(debtor) => {
            block(&mut c, 5.0, y, (6.0, "Payable by"), &debtor.lines(), 8.0);
        }
        None => {
            text(&mut c, 5.0, y, BOLD, 6.0, "Payable by (name/address)");
            corners(&mut c, 5.0, y - 22.0, 52.0, 20.0);
        }
    }
    text(&mut c, 5.0, 33.0, BOLD, 6.0, "Currency");
    text(&mut c, 5.0, 29.0, REGULAR, 8.0, bill.currency.code());
    text(&mut c, 20.0, 33.0, BOLD, 6.0, "Amount");
    match &amount {
        Some(a) => text(&mut c, 20.0, 29.0, REGULAR, 8.0, a),
        None => corners(&mut c, 27.0, 20.0, 30.0, 10.0),
    }
    text(&mut c, 38.0, 13.0, BOLD, 6.0, "Acceptance point");
    // The payment part.
    text(&mut c, 67.0, 95.0, BOLD, 11.0, "Payment part");
    let qr = |c: &mut Content| {
        // 46 mm square from 67 mm across, its top 17 mm below the part's top edge.
        let (x0, top, side) = (mm(67.0), mm(105.0 - 17.0), mm(46.0));
        let module = side / size as f32;
        c.set_fill_gray(0.0);
        let qr = qrcodegen::QrCode::encode_text(&payload, qrcodegen::QrCodeEcc::Medium)
            .expect("encoded above");
        for y in 0..qr.size() {
            for x in 0..qr.size() {
                if qr.get_module(x, y) {
                    c.rect(
                        x0 + x as f32 * module,
                        top - (y + 1) as f32 * module,
                        module,
                        module,
                    );
                }
            }
        }
        c.fill_nonzero();
        for (x, y, w, h, black) in cross(size) {
            c.set_fill_gray(if black { 0.0 } else { 1.0 });
            c.rect(
                x0 + x * module,
                top - (y + h) * module,
                w * module,
                h * module,
            );
            c.fill_nonzero();
        }
        c.set_fill_gray(0.0);
    };
    qr(&mut c);
    text(&mut c, 67.0, 33.0, BOLD, 8.0, "Currency");
    text(&mut c, 67.0, 28.5, REGULAR, 10.0, bill.currency.code());
    text(&mut c, 85.0, 33.0, BOLD, 8.0, "Amount");
    match &amount {
        Some(a) => text(&mut c, 85.0, 28.5, REGULAR, 10.0, a),
        None => corners(&mut c, 78.0, 5.0, 40.0, 15.0),
    }
    let mut y = block(
        &mut c,
        118.0,
        97.0,
        (8.0, "Account / Payable to"),
        &payable_to,
        10.0,
    );
    if let Some(r) = &reference {
        y = block(
            &mut c,
            118.0,
            y,
            (8.0, "Reference"),
            std::slice::from_ref(r),
            10.0,
        );
    }
    if !bill.message.is_empty() {
        y = block(
            &mut c,
            118.0,
            y,
            (8.0, "Additional information"),
            std::slice::from_ref(&bill.message),
            10.0,
        );
    }
    match &bill.debtor {
        Some(debtor) => {
            block(&mut c, 118.0, y, (8.0, "Payable by"), &debtor.lines(), 10.0);
        }
        None => {
            text(&mut c, 118.0, y, BOLD, 8.0, "Payable by (name/address)");
            corners(&mut c, 118.0, y - 27.0, 65.0, 25.0);
        }
    }
    Ok(crate::pdf_text::document(vec![c], title, (width, height)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn robert() -> Address {
        Address {
            name: "Robert Schneider AG".into(),
            street: "Rue du Lac".into(),
            building_number: "1268".into(),
            postal_code: "2501".into(),
            town: "Biel".into(),
            country: "CH".into(),
        }
    }

    fn pia() -> Address {
        Address {
            name: "Pia-Maria Rutschmann-Schnyder".into(),
            street: "Grosse Marktgasse".into(),
            building_number: "28".into(),
            postal_code: "9400".into(),
            town: "Rorschach".into(),
            country: "CH".into(),
        }
    }

    /// The Swiss Payment Standards' first example (a QR-IBAN with a QR reference), without its
    /// billing information.
    #[test]
    fn the_standards_example_with_a_qr_reference() {
        let bill = Bill {
            account: "CH44 3199 9123 0008 8901 2".into(),
            creditor: robert(),
            amount: Some(Money::new(1_949_75, Currency::Chf)),
            currency: Currency::Chf,
            debtor: Some(pia()),
            reference: Reference::Qrr("21 00000 00003 13947 14300 09017".into()),
            message: "Order of 15 June 2020".into(),
        };
        assert_eq!(
            bill.payload().expect("payload"),
            "SPC\r\n0200\r\n1\r\nCH4431999123000889012\r\nS\r\nRobert Schneider AG\r\nRue du Lac\r\n1268\r\n2501\r\nBiel\r\nCH\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n1949.75\r\nCHF\r\nS\r\nPia-Maria Rutschmann-Schnyder\r\nGrosse Marktgasse\r\n28\r\n9400\r\nRorschach\r\nCH\r\nQRR\r\n210000000003139471430009017\r\nOrder of 15 June 2020\r\nEPD"
        );
    }

    /// The standards' example with a creditor reference and an ordinary IBAN, amount left to
    /// the payer and no debtor (as on Steward's top-up slip).
    #[test]
    fn a_creditor_reference_without_amount_or_debtor() {
        let bill = Bill {
            account: "CH58 0079 1123 0008 8901 2".into(),
            creditor: robert(),
            amount: None,
            currency: Currency::Eur,
            debtor: None,
            reference: Reference::Scor("RF18 5390 0754 7034".into()),
            message: String::new(),
        };
        let payload = bill.payload().expect("payload");
        let lines: Vec<&str> = payload.split("\r\n").collect();
        assert_eq!(lines.len(), 31, "31 elements without the optional ones");
        assert_eq!(lines[3], "CH5800791123000889012");
        assert_eq!(&lines[18..20], ["", "EUR"]);
        assert_eq!(&lines[27..], ["SCOR", "RF18539007547034", "", "EPD"]);
        assert!(!payload.ends_with('\n'));
    }

    #[test]
    fn references_must_fit_their_account_and_amounts_their_range() {
        let mut bill = Bill {
            account: "CH4431999123000889012".into(),
            creditor: robert(),
            amount: None,
            currency: Currency::Chf,
            debtor: None,
            reference: Reference::Scor("RF18539007547034".into()),
            message: String::new(),
        };
        assert!(is_qr_iban(&bill.account));
        assert!(!is_qr_iban("CH58 0079 1123 0008 8901 2"));
        assert_eq!(bill.payload(), Err(BillError::ReferenceDoesNotFitAccount));
        bill.reference = Reference::Qrr("210000000003139471430009017".into());
        assert!(bill.payload().is_ok());
        bill.amount = Some(Money::new(0, Currency::Chf));
        assert_eq!(bill.payload(), Err(BillError::AmountOutOfRange));
        bill.amount = None;
        bill.account = "DE89370400440532013000".into();
        assert_eq!(bill.payload(), Err(BillError::AccountNotSwiss));
        // A line break typed into a name cannot shift the elements after it.
        bill.account = "CH4431999123000889012".into();
        bill.creditor.name = "Robert\nSchneider".into();
        assert!(bill
            .payload()
            .expect("payload")
            .contains("\r\nRobert Schneider\r\n"));
    }

    /// Read back with poppler's `pdftotext` where it is installed (scripts/test installs it).
    #[test]
    fn the_payment_part_prints_what_the_code_says() {
        let bill = Bill {
            account: "CH5800791123000889012".into(),
            creditor: robert(),
            amount: Some(Money::new(1_800_000, Currency::Chf)),
            currency: Currency::Chf,
            debtor: None,
            reference: Reference::Scor("RF18 5390 0754 7034".into()),
            message: "Steward prepaid account top-up".into(),
        };
        let pdf = payment_part_pdf(&bill, "Top up Zürich SA").expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let dir = std::env::temp_dir().join(format!("qr-bill-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("part.pdf");
        std::fs::write(&file, &pdf).expect("write");
        let Ok(out) = std::process::Command::new("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
        else {
            std::fs::remove_dir_all(&dir).ok();
            return;
        };
        std::fs::remove_dir_all(&dir).ok();
        let text = String::from_utf8_lossy(&out.stdout);
        for expected in [
            "Receipt",
            "Payment part",
            "Account / Payable to",
            "CH58 0079 1123 0008 8901 2",
            "Robert Schneider AG",
            "Rue du Lac 1268",
            "CH-2501 Biel",
            "RF18 5390 0754 7034",
            "18'000.00",
            "Payable by (name/address)",
            "Acceptance point",
            "Top up Zürich SA",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
    }

    #[test]
    fn the_code_holds_its_payload_with_room_for_the_cross() {
        let (size, path) = code("SPC\r\n0200").expect("code");
        assert!(size >= 21 && !path.is_empty());
        let [border, square, ..] = cross(46);
        assert_eq!((border.2, border.3), (7.0, 7.0));
        assert!(square.4 && !border.4);
        assert!((square.0 - (23.0 - 3.0)).abs() < 1e-4);
    }
}
