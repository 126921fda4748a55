//! Text in PDFs written with the standard Helvetica fonts (nothing embedded) and the WinAnsi
//! encoding they take: the Swiss QR-bill's payment part (`billing::qr_bill`), whose style guide
//! names Helvetica and whose character set is Latin, with the document around its page
//! (`document`). Invoices embed a Unicode font instead (`pdf_font`).

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

#[cfg(test)]
mod tests {
    use super::win_ansi;

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(
            win_ansi("Zürich €5 – ok"),
            b"Z\xfcrich \x805 \x96 ok".to_vec()
        );
        assert_eq!(win_ansi("日本"), b"??".to_vec());
        assert_eq!(win_ansi("a\nb"), b"a b".to_vec());
    }
}
