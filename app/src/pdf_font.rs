//! Text in invoices, in an embedded Unicode font: DejaVu Sans and DejaVu Sans Bold (`app/fonts`,
//! Debian's fonts-dejavu-core, under the Bitstream Vera licence), built into the binary and
//! embedded in each PDF as a subset of the glyphs it uses (`subsetter`), as CID fonts
//! (`Identity-H`, two bytes a glyph) with a `ToUnicode` map so the text copies and searches as
//! written. Every letter of Latin, Greek, Cyrillic, Armenian and Georgian prints — what a billing
//! address accepts ([`unprintable`]) — and widths come from the font itself, so text is measured,
//! right-aligned and wrapped exactly ([`Typesetter::wrap`]).
//!
//! The Swiss QR-bill keeps the standard Helvetica its style guide names (`pdf_text`).

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use subsetter::GlyphRemapper;

/// The two weights an invoice is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    /// The font's name in a page's resources.
    pub fn resource(self) -> Name<'static> {
        match self {
            Weight::Regular => Name(b"F1"),
            Weight::Bold => Name(b"F2"),
        }
    }
    fn index(self) -> usize {
        match self {
            Weight::Regular => 0,
            Weight::Bold => 1,
        }
    }
}

struct Face {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    name: &'static str,
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Face {
        Face {
            data,
            face: ttf_parser::Face::parse(data, 0).expect("the font built into Steward parses"),
            name,
        }
    }
    /// Font units to thousandths of the font size (PDF's glyph space).
    fn scale(&self, units: f32) -> f32 {
        units * 1000.0 / f32::from(self.face.units_per_em())
    }
    fn glyph(&self, c: char) -> Option<u16> {
        self.face.glyph_index(c).map(|g| g.0)
    }
    fn advance(&self, glyph: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        self.scale(f32::from(units))
    }
}

static FACES: LazyLock<[Face; 2]> = LazyLock::new(|| {
    [
        Face::load(include_bytes!("../fonts/DejaVuSans.ttf"), "DejaVuSans"),
        Face::load(
            include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
            "DejaVuSans-Bold",
        ),
    ]
});

fn face(weight: Weight) -> &'static Face {
    &FACES[weight.index()]
}

/// Scripts written right to left or whose letters change shape with their neighbours: the
/// font has some of their glyphs, but setting them one after another, left to right, would
/// print them wrong.
fn needs_shaping(c: char) -> bool {
    matches!(u32::from(c),
        0x0590..=0x08FF      // Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic
        | 0x0900..=0x0DFF    // the Indic scripts
        | 0xFB1D..=0xFDFF    // Hebrew and Arabic presentation forms
        | 0xFE70..=0xFEFF    // Arabic presentation forms B, and the byte-order mark
        | 0x200B..=0x200F    // zero-width spaces, joiners and direction marks
        | 0x202A..=0x202E    // direction embeddings and overrides
        | 0x2060..=0x206F) // invisible operators and direction isolates
}

/// Whether `c` prints on an invoice in both weights, as typed.
pub fn printable(c: char) -> bool {
    c == ' '
        || (!c.is_control()
            && !needs_shaping(c)
            && face(Weight::Regular).glyph(c).is_some()
            && face(Weight::Bold).glyph(c).is_some())
}

/// The first character of `text` that an invoice cannot print, if any.
pub fn unprintable(text: &str) -> Option<char> {
    text.chars().find(|c| !printable(*c))
}

/// The glyphs one font of a document uses, renumbered into its subset as they are first set.
#[derive(Default)]
struct Used {
    remapper: GlyphRemapper,
    /// New glyph id → the character it shows and its advance.
    glyphs: BTreeMap<u16, (char, f32)>,
}

/// The fonts of one document as its text is set: text goes in as `&str` and comes out as the
/// glyph codes a content stream shows; at the end, [`Typesetter::document`] embeds exactly the
/// glyphs that were used.
#[derive(Default)]
pub struct Typesetter {
    used: [Used; 2],
}

/// What a character that does not print becomes (line breaks and tabs become spaces).
const REPLACEMENT: char = '?';

fn shown(c: char) -> char {
    if c.is_control() {
        ' '
    } else if printable(c) {
        c
    } else {
        REPLACEMENT
    }
}

impl Typesetter {
    pub fn new() -> Typesetter {
        Typesetter::default()
    }

    /// `text` as the glyph codes of `weight`'s subset (two bytes each, big-endian).
    pub fn encode(&mut self, weight: Weight, text: &str) -> Vec<u8> {
        let face = face(weight);
        let used = &mut self.used[weight.index()];
        let mut codes = Vec::with_capacity(text.len() * 2);
        for c in text.chars().map(shown) {
            let glyph = face.glyph(c).unwrap_or(0);
            let code = used.remapper.remap(glyph);
            used.glyphs
                .entry(code)
                .or_insert_with(|| (c, face.advance(glyph)));
            codes.extend_from_slice(&code.to_be_bytes());
        }
        codes
    }

    /// The width of `text` in `weight` at `size` points.
    pub fn width(&self, weight: Weight, text: &str, size: f32) -> f32 {
        let face = face(weight);
        let units: f32 = text
            .chars()
            .map(shown)
            .map(|c| face.advance(face.glyph(c).unwrap_or(0)))
            .sum();
        units * size / 1000.0
    }

    /// `text` in lines no wider than `width`: broken between words, and inside a word only
    /// when the word alone is wider than a line. Never empty: "" is one empty line.
    pub fn wrap(&self, weight: Weight, text: &str, size: f32, width: f32) -> Vec<String> {
        let fits = |line: &str| self.width(weight, line, size) <= width;
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let joined = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if fits(&joined) {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line is cut, character by character.
            for c in word.chars() {
                let longer = format!("{line}{c}");
                if !line.is_empty() && !fits(&longer) {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A PDF of `pages` (each `size` points wide and high) titled `title`, with the fonts'
    /// subsets embedded as `Weight::resource` names.
    pub fn document(self, pages: Vec<Content>, title: &str, size: (f32, f32)) -> Vec<u8> {
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let info = Ref::new(3);
        // Each font: the Type 0 font, its CID font, descriptor, file and ToUnicode map.
        let font_refs = |weight: Weight| {
            let first = 10 + 5 * weight.index() as i32;
            (first..first + 5).map(Ref::new).collect::<Vec<_>>()
        };
        let first_page = 30;
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
        pdf.document_info(info)
            .title(TextStr(title))
            .creator(TextStr("Steward"));
        for weight in [Weight::Regular, Weight::Bold] {
            embed(
                &mut pdf,
                weight,
                &self.used[weight.index()],
                &font_refs(weight),
            );
        }
        for ((page_id, content_id), content) in ids.iter().zip(pages) {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, size.0, size.1));
            page.parent(tree);
            page.contents(*content_id);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            for weight in [Weight::Regular, Weight::Bold] {
                fonts.pair(weight.resource(), font_refs(weight)[0]);
            }
            drop(fonts);
            drop(resources);
            drop(page);
            pdf.stream(*content_id, &deflated(&content.finish()))
                .filter(Filter::FlateDecode);
        }
        pdf.set_file_id((title.as_bytes().to_vec(), title.as_bytes().to_vec()));
        pdf.finish()
    }
}

/// Six capital letters naming a subset (the PDF standard's tag before the font's name),
/// different for different sets of glyphs.
fn subset_tag(used: &Used) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (code, (c, _)) in &used.glyphs {
        for byte in code
            .to_be_bytes()
            .into_iter()
            .chain(u32::from(*c).to_be_bytes())
        {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8))
        .collect()
}

/// `bytes` deflated, for a `FlateDecode` stream.
fn deflated(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, 6)
}

const IDENTITY: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

fn embed(pdf: &mut Pdf, weight: Weight, used: &Used, refs: &[Ref]) {
    let [type0, cid, descriptor, file, to_unicode] = [refs[0], refs[1], refs[2], refs[3], refs[4]];
    let face = face(weight);
    let name = format!("{}+{}", subset_tag(used), face.name);
    let name = Name(name.as_bytes());
    pdf.type0_font(type0)
        .base_font(name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(to_unicode);
    let mut font = pdf.cid_font(cid);
    font.subtype(CidFontType::Type2)
        .base_font(name)
        .system_info(IDENTITY)
        .font_descriptor(descriptor)
        .default_width(face.advance(0))
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut widths = font.widths();
    for (code, (_, advance)) in &used.glyphs {
        widths.consecutive(*code, [*advance]);
    }
    drop(widths);
    drop(font);
    let f = &face.face;
    let bbox = f.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(name)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            face.scale(f32::from(bbox.x_min)),
            face.scale(f32::from(bbox.y_min)),
            face.scale(f32::from(bbox.x_max)),
            face.scale(f32::from(bbox.y_max)),
        ))
        .italic_angle(0.0)
        .ascent(face.scale(f32::from(f.ascender())))
        .descent(face.scale(f32::from(f.descender())))
        .cap_height(face.scale(f32::from(f.capital_height().unwrap_or(f.ascender()))))
        .stem_v(if weight == Weight::Bold { 140.0 } else { 80.0 })
        .font_file2(file);
    let subset = subsetter::subset(face.data, 0, &used.remapper)
        .expect("the font built into Steward subsets");
    pdf.stream(file, &deflated(&subset))
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), IDENTITY);
    for (code, (c, _)) in &used.glyphs {
        cmap.pair(*code, *c);
    }
    pdf.cmap(to_unicode, &cmap.finish())
        .name(Name(b"Custom"))
        .system_info(IDENTITY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_of_european_addresses_print_and_the_others_are_named() {
        for text in [
            "Zürich Łódź Ørsted Ærø İstanbul Şişli Cluj-Napoca Ţară Dvořák",
            "Αθήνα Θεσσαλονίκη",
            "Москва Київ Беларусь",
            "Երևան",
            "თბილისი",
            "« Rue de l’Église » — №12, 1/2, €, ½",
        ] {
            assert_eq!(unprintable(text), None, "{text}");
        }
        assert_eq!(unprintable("東京"), Some('東'));
        assert_eq!(unprintable("תל אביב"), Some('ת'), "right to left");
        assert_eq!(unprintable("القاهرة"), Some('ا'), "joined letters");
        assert_eq!(
            unprintable("a\u{202E}b"),
            Some('\u{202E}'),
            "a direction override"
        );
    }

    #[test]
    fn widths_come_from_the_font_and_bold_is_wider() {
        let t = Typesetter::new();
        let regular = t.width(Weight::Regular, "Amount", 10.0);
        let bold = t.width(Weight::Bold, "Amount", 10.0);
        assert!(regular > 20.0 && bold > regular, "{regular} {bold}");
        assert_eq!(t.width(Weight::Regular, "", 10.0), 0.0);
    }

    #[test]
    fn long_text_wraps_between_words_and_inside_a_word_only_when_it_must() {
        let t = Typesetter::new();
        let lines = t.wrap(
            Weight::Regular,
            "Web hosting for the Association of the Friends of the Lake",
            10.0,
            120.0,
        );
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(lines
            .iter()
            .all(|l| t.width(Weight::Regular, l, 10.0) <= 120.0));
        assert_eq!(
            lines.join(" "),
            "Web hosting for the Association of the Friends of the Lake"
        );
        let word = "x".repeat(200);
        let cut = t.wrap(Weight::Regular, &word, 10.0, 100.0);
        assert!(cut.len() > 1 && cut.concat() == word, "{cut:?}");
        assert_eq!(t.wrap(Weight::Regular, "", 10.0, 100.0), [""]);
    }

    #[test]
    fn a_document_embeds_only_the_glyphs_it_uses() {
        let mut t = Typesetter::new();
        let mut page = Content::new();
        let codes = t.encode(Weight::Regular, "Ωmega");
        assert_eq!(codes.len(), 10, "two bytes a glyph");
        page.begin_text()
            .set_font(Weight::Regular.resource(), 12.0)
            .next_line(50.0, 700.0)
            .show(Str(&codes))
            .end_text();
        let pdf = t.document(vec![page], "Test", (595.0, 842.0));
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            pdf.len() < 20_000,
            "a subset, not the whole font: {} bytes",
            pdf.len()
        );
    }
}
