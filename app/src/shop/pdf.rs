//! An invoice as a PDF (BIL-4): A4 pages in the PDF standard fonts (Helvetica, so nothing is
//! embedded), every amount right-aligned, each line's reductions under it, VAT per rate, the
//! CHF rounding line and the total; a long invoice continues on further pages. Written with
//! `pdf-writer`; the tests read it back with poppler's `pdftotext` when it is installed.
//! Coordinates are points (`f32`): layout only — every amount is printed from `Money`.

use super::invoice_number;
use super::store::Invoice;
use crate::money::{Money, Percent};
use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = 545.0;
const BOTTOM: f32 = 70.0;
const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

/// Text in the fonts' WinAnsi encoding: Latin-1 as is, the euro sign and typographic quotes
/// and dashes at their places, anything else as `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '‚' => 0x82,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '×' => 0xD7,
            c if (c as u32) < 0x20 => b' ',
            c if (c as u32) < 0x7F || (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Helvetica's advance widths (thousandths of the font size) for printable ASCII.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

fn text_width(text: &[u8], size: f32) -> f32 {
    let units: u32 = text
        .iter()
        .map(|b| match b {
            32..=126 => u32::from(HELVETICA[usize::from(b - 32)]),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Cuts `text` so that it fits `width` at `size`, with an ellipsis when it was cut.
fn fit(text: &str, width: f32, size: f32) -> Vec<u8> {
    let bytes = win_ansi(text);
    if text_width(&bytes, size) <= width {
        return bytes;
    }
    let mut cut = bytes;
    while !cut.is_empty() && text_width(&cut, size) + text_width(&[0x85], size) > width {
        cut.pop();
    }
    cut.push(0x85);
    cut
}

/// The pages being written: one content stream each.
struct Pages {
    done: Vec<Content>,
    page: Content,
    y: f32,
}

impl Pages {
    fn new() -> Pages {
        Pages {
            done: Vec::new(),
            page: Content::new(),
            y: HEIGHT - 60.0,
        }
    }

    fn text(&mut self, x: f32, y: f32, font: Name, size: f32, text: &[u8]) {
        self.page
            .begin_text()
            .set_font(font, size)
            .next_line(x, y)
            .show(Str(text))
            .end_text();
    }

    fn left(&mut self, x: f32, font: Name, size: f32, text: &str) {
        let y = self.y;
        self.text(x, y, font, size, &win_ansi(text));
    }

    /// Right-aligned at `right`.
    fn right(&mut self, right: f32, font: Name, size: f32, text: &str) {
        let bytes = win_ansi(text);
        let y = self.y;
        self.text(right - text_width(&bytes, size), y, font, size, &bytes);
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

fn header(pages: &mut Pages) {
    pages.left(LEFT, BOLD, 9.0, "Description");
    pages.right(QUANTITY_RIGHT, BOLD, 9.0, "Quantity");
    pages.left(PERIOD_X, BOLD, 9.0, "Period");
    pages.right(VAT_RIGHT, BOLD, 9.0, "VAT");
    pages.right(RIGHT, BOLD, 9.0, "Amount");
    pages.down(6.0);
    pages.rule();
    pages.down(10.0);
}

/// `-CHF 12.50` for an amount taken off.
fn minus(amount: Money) -> String {
    format!("-{amount}")
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
        pages.left(LEFT, if i == 0 { BOLD } else { REGULAR }, 8.5, line);
        pages.down(11.0);
    }
    pages.y = pages.y.min(HEIGHT - 130.0) - 16.0;
    pages.left(LEFT, REGULAR, 8.0, "Invoice to");
    pages.down(13.0);
    pages.left(LEFT, BOLD, 10.0, &invoice.organization_name);
    pages.down(14.0);
    for line in &invoice.address {
        pages.left(LEFT, REGULAR, 10.0, line);
        pages.down(13.0);
    }
    pages.down(24.0);
    header(&mut pages);
    let continued = format!("Invoice {number}, continued");
    for line in &invoice.lines {
        pages.room(14.0 * (2 + line.reductions.len()) as f32, &continued);
        let y = pages.y;
        let description = fit(&line.description, QUANTITY_RIGHT - LEFT - 60.0, 9.5);
        pages.text(LEFT, y, REGULAR, 9.5, &description);
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
        for (label, taken) in &line.reductions {
            let y = pages.y;
            let label = fit(label, QUANTITY_RIGHT - LEFT - 70.0, 8.5);
            pages.text(LEFT + 12.0, y, REGULAR, 8.5, &label);
            pages.right(RIGHT, REGULAR, 8.5, &minus(*taken));
            pages.down(12.0);
        }
        if !line.reductions.is_empty() {
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
        pages.left(
            LEFT,
            REGULAR,
            10.0,
            &format!(
                "Please transfer {} with the reference {}",
                invoice.total, invoice.payment_reference
            ),
        );
        pages.down(13.0);
        pages.left(
            LEFT,
            REGULAR,
            9.0,
            "The order is carried out when the transfer arrives.",
        );
    }
    let Pages { mut done, page, .. } = pages;
    done.push(page);
    document(done, &number)
}

fn document(pages: Vec<Content>, title: &str) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 10;
    let ids: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| {
            (
                Ref::new(first_page + 2 * i),
                Ref::new(first_page + 2 * i + 1),
            )
        })
        .collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(page, _)| *page))
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(&format!("Invoice {title}")))
        .creator(TextStr("Steward"));
    for ((page_id, content_id), content) in ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        page.parent(tree);
        page.contents(*content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(REGULAR, regular);
        fonts.pair(BOLD, bold);
        drop(fonts);
        drop(resources);
        drop(page);
        pdf.stream(*content_id, &content.finish());
    }
    pdf.set_file_id((title.as_bytes().to_vec(), title.as_bytes().to_vec()));
    pdf.finish()
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
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(
            win_ansi("Zürich €5 – ok"),
            b"Z\xfcrich \x805 \x96 ok".to_vec()
        );
        assert_eq!(win_ansi("日本"), b"??".to_vec());
        assert_eq!(win_ansi("a\nb"), b"a b".to_vec());
        assert!(text_width(b"CHF 1.00", 10.0) > 0.0);
        let cut = fit(&"x".repeat(500), 100.0, 10.0);
        assert!(text_width(&cut, 10.0) <= 100.0);
        assert_eq!(cut.last(), Some(&0x85));
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
        std::fs::write(&file, render(&sample(3), "Awaiting bank transfer")).expect("write");
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
            "-CHF 69.44",
            "VAT 8.1 % on CHF 624.96",
            "CHF 50.61",
            "Rounding to 0.05",
            "CHF 675.60",
            "RF12 STWO 0000 0000 17",
            "Awaiting bank transfer",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
    }
}
