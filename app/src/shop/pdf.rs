//! An invoice as a PDF (BIL-4): A4 pages in DejaVu Sans, embedded as a subset (`pdf_font`),
//! so every letter a billing address accepts prints; every amount right-aligned, each line's
//! reductions under it, VAT per rate, the CHF rounding line and the total; text longer than its
//! column wraps onto further lines, and a long invoice continues on further pages. Written with
//! `pdf-writer`; the tests read it back with poppler's `pdftotext` when it is installed.
//! Coordinates are points (`f32`): layout only — every amount is printed from `Money`.

use super::invoice_number;
use super::store::Invoice;
use crate::money::{Money, Percent};
use crate::pdf_font::{Typesetter, Weight};
use pdf_writer::{Content, Str};
use std::collections::BTreeMap;

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = 545.0;
const BOTTOM: f32 = 70.0;
const REGULAR: Weight = Weight::Regular;
const BOLD: Weight = Weight::Bold;

/// The pages being written: one content stream each, and the fonts they use.
struct Pages {
    done: Vec<Content>,
    page: Content,
    y: f32,
    fonts: Typesetter,
}

impl Pages {
    fn new() -> Pages {
        Pages {
            done: Vec::new(),
            page: Content::new(),
            y: HEIGHT - 60.0,
            fonts: Typesetter::new(),
        }
    }

    fn text(&mut self, x: f32, y: f32, font: Weight, size: f32, text: &str) {
        let codes = self.fonts.encode(font, text);
        self.page
            .begin_text()
            .set_font(font.resource(), size)
            .next_line(x, y)
            .show(Str(&codes))
            .end_text();
    }

    fn left(&mut self, x: f32, font: Weight, size: f32, text: &str) {
        let y = self.y;
        self.text(x, y, font, size, text);
    }

    /// Right-aligned at `right`, measured in the font it is written in.
    fn right(&mut self, right: f32, font: Weight, size: f32, text: &str) {
        let y = self.y;
        let width = self.fonts.width(font, text, size);
        self.text(right - width, y, font, size, text);
    }

    /// `text` in lines no wider than `width`.
    fn wrap(&self, font: Weight, size: f32, width: f32, text: &str) -> Vec<String> {
        self.fonts.wrap(font, text, size, width)
    }

    /// `text` from `x`, wrapped within `width`, each line `leading` points under the last;
    /// the position ends under the last line.
    fn paragraph(&mut self, x: f32, width: f32, font: Weight, size: f32, leading: f32, text: &str) {
        for line in self.wrap(font, size, width, text) {
            self.left(x, font, size, &line);
            self.down(leading);
        }
    }

    fn rule(&mut self) {
        let y = self.y + 10.0;
        self.page
            .set_line_width(0.5)
            .move_to(LEFT, y)
            .line_to(RIGHT, y)
            .stroke();
    }

    /// Room for `height` more points, or a new page (with the table's header again).
    fn room(&mut self, height: f32, continued: &str) {
        if self.y - height >= BOTTOM {
            return;
        }
        let page = std::mem::replace(&mut self.page, Content::new());
        self.done.push(page);
        self.y = HEIGHT - 60.0;
        self.left(LEFT, REGULAR, 9.0, continued);
        self.y -= 24.0;
        header(self);
    }

    fn down(&mut self, points: f32) {
        self.y -= points;
    }
}

const QUANTITY_RIGHT: f32 = 345.0;
const PERIOD_X: f32 = 360.0;
const VAT_RIGHT: f32 = 465.0;
/// How wide a line's description runs before it wraps: up to the quantities' column.
const DESCRIPTION_WIDTH: f32 = QUANTITY_RIGHT - LEFT - 60.0;
/// A reduction's label, indented under its line.
const REDUCTION_WIDTH: f32 = QUANTITY_RIGHT - LEFT - 70.0;
/// The supplier's and the customer's blocks, on the left half of the page.
const ADDRESS_WIDTH: f32 = 270.0;

/// `Service period 07.12.2026 – 07.12.2027`: from the day it starts to the day it ends — the
/// expiry the product's page then shows.
pub fn service_text(service: Option<(i64, i64)>) -> Option<String> {
    let (from, until) = service?;
    Some(format!(
        "Service period {} – {}",
        crate::format::date(from),
        crate::format::date(until)
    ))
}

fn header(pages: &mut Pages) {
    pages.left(LEFT, BOLD, 9.0, "Description");
    pages.right(QUANTITY_RIGHT, BOLD, 9.0, "Quantity");
    pages.left(PERIOD_X, BOLD, 9.0, "Period");
    pages.right(VAT_RIGHT, BOLD, 9.0, "VAT");
    pages.right(RIGHT, BOLD, 9.0, "Amount");
    // The rule runs 4 points under the headings' baseline, clear of their descenders.
    pages.down(14.0);
    pages.rule();
    pages.down(4.0);
}

/// `CHF -12.50` for an amount taken off (the one negative style, `Money`'s).
fn minus(amount: Money) -> String {
    amount.negated().to_string()
}

/// The invoice as a PDF document.
pub fn render(invoice: &Invoice, status: &str) -> Vec<u8> {
    let number = invoice_number(invoice.currency, invoice.number);
    let mut pages = Pages::new();
    pages.left(LEFT, BOLD, 20.0, "Invoice");
    pages.right(RIGHT, BOLD, 12.0, &number);
    pages.down(18.0);
    pages.right(
        RIGHT,
        REGULAR,
        9.0,
        &format!("Issued {}", crate::format::date(invoice.issued_at)),
    );
    pages.down(12.0);
    pages.right(RIGHT, REGULAR, 9.0, &format!("Order {}", invoice.order_id));
    pages.down(12.0);
    pages.right(RIGHT, REGULAR, 9.0, status);
    // Who invoices (top left, under the title), then to whom.
    pages.y = HEIGHT - 82.0;
    for (i, line) in invoice.supplier.iter().enumerate() {
        let weight = if i == 0 { BOLD } else { REGULAR };
        pages.paragraph(LEFT, ADDRESS_WIDTH, weight, 8.5, 11.0, line);
    }
    pages.y = pages.y.min(HEIGHT - 130.0) - 16.0;
    pages.left(LEFT, REGULAR, 8.0, "Invoice to");
    pages.down(13.0);
    pages.paragraph(
        LEFT,
        ADDRESS_WIDTH,
        BOLD,
        10.0,
        14.0,
        &invoice.organization_name,
    );
    for line in &invoice.address {
        pages.paragraph(LEFT, ADDRESS_WIDTH, REGULAR, 10.0, 13.0, line);
    }
    pages.down(24.0);
    header(&mut pages);
    let continued = format!("Invoice {number}, continued");
    for line in &invoice.lines {
        let description = pages.wrap(REGULAR, 9.5, DESCRIPTION_WIDTH, &line.description);
        let reductions: Vec<(Vec<String>, Money)> = line
            .reductions
            .iter()
            .map(|(label, taken)| (pages.wrap(REGULAR, 8.5, REDUCTION_WIDTH, label), *taken))
            .collect();
        let height = 13.0 * description.len() as f32
            + 12.0 * reductions.iter().map(|(l, _)| l.len()).sum::<usize>() as f32
            + 12.0
                * (usize::from(line.service.is_some()) + usize::from(!reductions.is_empty()))
                    as f32
            + 3.0;
        pages.room(height, &continued);
        pages.left(LEFT, REGULAR, 9.5, &description[0]);
        pages.right(QUANTITY_RIGHT, REGULAR, 9.5, &line.quantity.to_string());
        pages.left(
            PERIOD_X,
            REGULAR,
            9.5,
            &super::periods_label(&line.period, line.periods),
        );
        pages.right(VAT_RIGHT, REGULAR, 9.5, &line.vat_rate.label());
        pages.right(RIGHT, REGULAR, 9.5, &line.list.to_string());
        pages.down(13.0);
        for more in &description[1..] {
            pages.left(LEFT, REGULAR, 9.5, more);
            pages.down(13.0);
        }
        if let Some(period) = service_text(line.service) {
            pages.left(LEFT + 12.0, REGULAR, 8.5, &period);
            pages.down(12.0);
        }
        for (label, taken) in &reductions {
            pages.left(LEFT + 12.0, REGULAR, 8.5, &label[0]);
            pages.right(RIGHT, REGULAR, 8.5, &minus(*taken));
            pages.down(12.0);
            for more in &label[1..] {
                pages.left(LEFT + 12.0, REGULAR, 8.5, more);
                pages.down(12.0);
            }
        }
        if !reductions.is_empty() {
            pages.left(LEFT + 12.0, REGULAR, 8.5, "Line total");
            pages.right(RIGHT, REGULAR, 8.5, &line.net.to_string());
            pages.down(12.0);
        }
        pages.down(3.0);
    }
    let mut bases: BTreeMap<Percent, Money> = BTreeMap::new();
    for line in &invoice.lines {
        let base = bases
            .entry(line.vat_rate)
            .or_insert(Money::zero(invoice.currency));
        *base = base.checked_add(line.net).unwrap_or(*base);
    }
    pages.room(24.0 + 14.0 * (bases.len() + 4) as f32, &continued);
    pages.down(4.0);
    pages.rule();
    pages.down(8.0);
    let totals_x = 330.0;
    pages.left(totals_x, REGULAR, 10.0, "Net (VAT excluded)");
    pages.right(RIGHT, REGULAR, 10.0, &invoice.net.to_string());
    pages.down(14.0);
    for (rate, base) in &bases {
        // The tax per rate is printed as issued when there is one rate (the stored total);
        // several rates show their bases, the stored VAT total follows.
        pages.left(
            totals_x,
            REGULAR,
            10.0,
            &format!("VAT {} on {}", rate.label(), base),
        );
        if bases.len() == 1 {
            pages.right(RIGHT, REGULAR, 10.0, &invoice.vat.to_string());
        }
        pages.down(14.0);
    }
    if bases.len() > 1 {
        pages.left(totals_x, REGULAR, 10.0, "VAT");
        pages.right(RIGHT, REGULAR, 10.0, &invoice.vat.to_string());
        pages.down(14.0);
    }
    if invoice.rounding.minor != 0 {
        pages.left(totals_x, REGULAR, 10.0, "Rounding to 0.05");
        pages.right(RIGHT, REGULAR, 10.0, &invoice.rounding.to_string());
        pages.down(14.0);
    }
    pages.left(totals_x, BOLD, 11.0, "Total");
    pages.right(RIGHT, BOLD, 11.0, &invoice.total.to_string());
    pages.down(28.0);
    if !invoice.payment_reference.is_empty() {
        pages.room(30.0, &continued);
        let transfer = format!(
            "Please transfer {} with the reference {}",
            invoice.total, invoice.payment_reference
        );
        pages.paragraph(LEFT, RIGHT - LEFT, REGULAR, 10.0, 13.0, &transfer);
        pages.left(
            LEFT,
            REGULAR,
            9.0,
            "The order is carried out when the transfer arrives.",
        );
    }
    let Pages {
        mut done,
        page,
        fonts,
        ..
    } = pages;
    done.push(page);
    fonts.document(done, &format!("Invoice {number}"), (WIDTH, HEIGHT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::shop::store::InvoiceLine;

    fn chf(minor: i64) -> Money {
        Money::new(minor, Currency::Chf)
    }

    pub fn sample(lines: usize) -> Invoice {
        Invoice {
            id: 1,
            organization_id: 9,
            order_id: 17,
            currency: Currency::Chf,
            number: 42,
            organization_name: "Helvetia Web Agency SA".into(),
            supplier: vec![
                "Steward Hosting Sàrl".into(),
                "Avenue de la Gare 12".into(),
                "1003 Lausanne".into(),
                "VAT CHE-116.281.710 MWST".into(),
            ],
            address: vec![
                "Lea Legal".into(),
                "Rue du Lac 1".into(),
                "CH-1003 Lausanne".into(),
                "Switzerland".into(),
            ],
            net: chf(208_32 * lines as i64),
            vat: chf(16_87 * lines as i64),
            rounding: chf(1),
            total: chf(225_20 * lines as i64),
            payment_reference: "RF12 STWO 0000 0000 17".into(),
            issued_at: 1_800_000_000,
            lines: (0..lines)
                .map(|i| InvoiceLine {
                    service: Some((1_800_000_000, crate::format::add_months(1_800_000_000, 1))),
                    description: format!("Web hosting (shop) Zürich {i}"),
                    quantity: 35,
                    periods: 1,
                    period: "month".into(),
                    list: chf(347_20),
                    reductions: vec![
                        ("Partner discount".into(), chf(69_44)),
                        ("Volume rate from 35 items".into(), chf(69_44)),
                    ],
                    net: chf(208_32),
                    vat_rate: Percent(8_10),
                })
                .collect(),
        }
    }

    #[test]
    fn an_invoice_is_a_pdf_and_a_long_one_has_several_pages() {
        let short = render(&sample(2), "Paid");
        assert!(short.starts_with(b"%PDF-"));
        assert_eq!(count(&short, b"/Type /Page\n"), 1, "one page");
        let long = render(&sample(100), "Paid");
        assert!(count(&long, b"/Type /Page\n") >= 5);
    }

    fn count(haystack: &[u8], needle: &[u8]) -> usize {
        haystack
            .windows(needle.len())
            .filter(|w| *w == needle)
            .count()
    }

    /// The first page rendered to pixels (72 dpi, grey) with poppler's `pdftoppm`, when it is
    /// there: `(width, rows of darkness)`, a pixel dark below half grey.
    fn rendered(pdf: &[u8]) -> Option<(usize, Vec<Vec<bool>>)> {
        let dir = std::env::temp_dir().join(format!("steward-ppm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let file = dir.join("invoice.pdf");
        std::fs::write(&file, pdf).ok()?;
        let out = dir.join("page");
        let done = std::process::Command::new("pdftoppm")
            .args(["-r", "72", "-gray", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&file)
            .arg(&out)
            .status()
            .ok()?;
        let bytes = std::fs::read(dir.join("page.pgm")).ok();
        std::fs::remove_dir_all(&dir).ok();
        let bytes = bytes.filter(|_| done.success())?;
        // P5 header: magic, width, height, maxval, each followed by whitespace.
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
        }
        let (width, height): (usize, usize) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
        let pixels = &bytes[at + 1..];
        Some((
            width,
            (0..height)
                .map(|y| (0..width).map(|x| pixels[y * width + x] < 128).collect())
                .collect(),
        ))
    }

    /// The layout as a reader sees it: the headings stand clear above their rule, and
    /// "Amount" ends where the amounts end.
    #[test]
    fn the_table_headings_stand_clear_of_their_rule_and_align_with_the_amounts() {
        let Some((width, rows)) = rendered(&render(&sample(3), "Paid")) else {
            eprintln!("pdftoppm is not installed: skipped");
            return;
        };
        let dark = |row: &Vec<bool>| row.iter().filter(|d| **d).count();
        let right_edge = |row: &Vec<bool>| row.iter().rposition(|d| *d);
        // The table's rule: the first row dark across most of the text width.
        let rule = rows
            .iter()
            .position(|row| dark(row) > (RIGHT - LEFT) as usize * 8 / 10)
            .expect("a rule under the headings");
        assert!(
            dark(&rows[rule - 1]) == 0 && dark(&rows[rule - 2]) == 0,
            "the rule touches the headings"
        );
        let headings = (rule.saturating_sub(14)..rule - 2).filter(|y| dark(&rows[*y]) > 0);
        assert!(headings.clone().count() > 3, "the headings above the rule");
        let heading_right = headings
            .filter_map(|y| right_edge(&rows[y]))
            .max()
            .expect("text");
        let rule_right = right_edge(&rows[rule]).expect("the rule's end");
        // The amounts under it: the rows of the first line item.
        let amount_right = (rule + 3..rule + 20)
            .filter_map(|y| right_edge(&rows[y]))
            .max()
            .expect("amounts");
        assert!(
            heading_right <= rule_right + 1,
            "Amount sticks out: {heading_right} > {rule_right}"
        );
        assert!(
            heading_right.abs_diff(amount_right) <= 2,
            "Amount ends at {heading_right}, the amounts at {amount_right} (page {width} wide)"
        );
    }

    /// Nothing runs past the right margin, however long what people typed: the organization's
    /// name, an address line, a line's description.
    #[test]
    fn long_text_wraps_inside_the_page() {
        let mut invoice = sample(2);
        // Each far wider than the page at its size.
        invoice.organization_name =
            "Association des amis du lac Léman, de la montagne et des forêts du canton de Vaud et environs".into();
        invoice.address[1] =
            "Улица Льва Толстого 16, корпус 2, подъезд 3, этаж 4, квартира 56, вход со двора, рядом с большой аптекой и почтой".into();
        invoice.lines[0].description = format!("Web hosting {}", "very-long-site-name-".repeat(8));
        let pdf = render(&invoice, "Paid");
        if let Ok(path) = std::env::var("STEWARD_KEEP_INVOICE") {
            std::fs::write(path, &pdf).ok();
        }
        let Some((width, rows)) = rendered(&pdf) else {
            eprintln!("pdftoppm is not installed: skipped");
            return;
        };
        let rightmost = rows
            .iter()
            .filter_map(|row| row.iter().rposition(|d| *d))
            .max()
            .expect("text");
        assert!(
            rightmost <= RIGHT as usize + 1,
            "text reaches x = {rightmost} of {width}, past the margin at {RIGHT}"
        );
    }

    /// Read back with poppler when it is there (scripts/test installs it).
    #[test]
    fn an_invoice_reads_back_with_its_amounts() {
        let Ok(output) = std::process::Command::new("pdftotext").arg("-v").output() else {
            eprintln!("pdftotext is not installed: skipped");
            return;
        };
        assert!(output.status.success() || !output.stderr.is_empty());
        let dir = std::env::temp_dir().join(format!("steward-pdf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("invoice.pdf");
        let mut invoice = sample(3);
        invoice.address[0] = "Łukasz Żółć, Οικογένεια Παπαδοπούλου".into();
        std::fs::write(&file, render(&invoice, "Awaiting bank transfer")).expect("write");
        let text = std::process::Command::new("pdftotext")
            .args(["-layout", file.to_str().expect("path"), "-"])
            .output()
            .expect("pdftotext");
        let text = String::from_utf8_lossy(&text.stdout).into_owned();
        std::fs::remove_dir_all(&dir).ok();
        for expected in [
            "Invoice",
            "CHF-000042",
            "Steward Hosting Sàrl",
            "VAT CHE-116.281.710 MWST",
            "Helvetia Web Agency SA",
            "CH-1003 Lausanne",
            "Web hosting (shop) Zürich 2",
            "Service period 15.01.2027 – 15.02.2027",
            "CHF -69.44",
            "VAT 8.1 % on CHF 624.96",
            "CHF 50.61",
            "Rounding to 0.05",
            "CHF 675.60",
            "RF12 STWO 0000 0000 17",
            "Awaiting bank transfer",
            "Łukasz Żółć, Οικογένεια Παπαδοπούλου",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
    }
}
