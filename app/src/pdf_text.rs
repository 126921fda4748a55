//! Text in PDFs written with the standard Helvetica fonts (nothing embedded): the WinAnsi
//! encoding they take and the advance widths that right-align and fit text. Shared by the
//! invoice (`shop::pdf`) and the Swiss QR-bill's payment part (`billing::qr_bill`), with the
//! document around their pages (`document`).

use pdf_writer::{Content, Name, Pdf, Rect, Ref, TextStr};

/// The regular font's name in a page's resources.
pub const REGULAR: Name = Name(b"F1");
/// The bold font's name.
pub const BOLD: Name = Name(b"F2");

/// A PDF of `pages` (each `size` points wide and high) titled `title`, its two fonts Helvetica
/// and Helvetica-Bold (`REGULAR`, `BOLD`), as PDF readers have them without embedding.
pub fn document(pages: Vec<Content>, title: &str, size: (f32, f32)) -> Vec<u8> {
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
        .title(TextStr(title))
        .creator(TextStr("Steward"));
    for ((page_id, content_id), content) in ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, size.0, size.1));
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

/// Text in the fonts' WinAnsi encoding: Latin-1 as is, the euro sign and typographic quotes
/// and dashes at their places, anything else as `?`.
pub fn win_ansi(text: &str) -> Vec<u8> {
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

/// Helvetica-Bold's advance widths, the same way: bold headings are wider than the regular
/// text they stand over, and right-aligning them with the regular widths pushed them past
/// the column's edge.
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// The width of `text` in Helvetica-Bold at `size`.
pub fn bold_text_width(text: &[u8], size: f32) -> f32 {
    let units: u32 = text
        .iter()
        .map(|b| match b {
            32..=126 => u32::from(HELVETICA_BOLD[usize::from(b - 32)]),
            _ => 611,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// The width of `text` in Helvetica at `size`.
pub fn text_width(text: &[u8], size: f32) -> f32 {
    let units: u32 = text
        .iter()
        .map(|b| match b {
            32..=126 => u32::from(HELVETICA[usize::from(b - 32)]),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}
