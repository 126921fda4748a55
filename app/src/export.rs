//! CSV files as people download them (the activity log, a partner's billing history): RFC 4180
//! — fields quoted only when they must be, quotes doubled, CRLF line ends — in UTF-8, written by
//! the `csv` crate rather than by hand. Text a spreadsheet would run as a formula (a cell
//! starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is defused with a leading `'`,
//! as OWASP advises, and NUL characters are dropped; numbers (amounts, ids) are written as the
//! numbers they are, so a spreadsheet adds them up. A file is written in chunks of rows, each a
//! `String`, so an export streams instead of sitting in memory.

use std::borrow::Cow;

/// One cell of a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Text anyone may have typed: defused.
    Text(Cow<'a, str>),
    /// A number Steward wrote (`12.50`, `-3.00`, `42`): as it is.
    Number(String),
}

impl<'a> Cell<'a> {
    pub fn text(text: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Text(text.into())
    }

    pub fn number(value: impl ToString) -> Cell<'a> {
        Cell::Number(value.to_string())
    }

    fn as_field(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(text) => defuse(text),
            Cell::Number(number) => Cow::Borrowed(number),
        }
    }
}

/// `text` as a spreadsheet may open it: NUL characters dropped, and a leading `'` before a
/// first character that would start a formula (`=`, `+`, `-`, `@`, a tab, a carriage return).
pub fn defuse(text: &str) -> Cow<'_, str> {
    let text: Cow<'_, str> = if text.contains('\0') {
        Cow::Owned(text.replace('\0', ""))
    } else {
        Cow::Borrowed(text)
    };
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        text
    }
}

/// Rows written into one chunk of a file.
pub struct Chunk {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for Chunk {
    fn default() -> Self {
        Chunk::new()
    }
}

impl Chunk {
    pub fn new() -> Chunk {
        Chunk {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .quote_style(csv::QuoteStyle::Necessary)
                .has_headers(false)
                .from_writer(Vec::new()),
        }
    }

    /// A header row: names Steward chose, written as they are.
    pub fn header(mut self, names: &[&str]) -> Chunk {
        self.write(names.iter().map(|n| Cell::Number((*n).to_owned())));
        self
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) {
        self.write(cells);
    }

    fn write<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) {
        let cells: Vec<Cell<'a>> = cells.into_iter().collect();
        let fields: Vec<Cow<'_, str>> = cells.iter().map(Cell::as_field).collect();
        // Writing to memory fails only on a record of another length than the first one's,
        // which no export here writes: logged, never silently dropped.
        if let Err(error) = self
            .writer
            .write_record(fields.iter().map(|f| f.as_bytes()))
        {
            tracing::error!(%error, "a CSV row could not be written");
        }
    }

    /// The chunk's text.
    pub fn finish(self) -> String {
        match self.writer.into_inner() {
            Ok(bytes) => String::from_utf8(bytes)
                .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned()),
            Err(error) => {
                tracing::error!(%error, "a CSV chunk could not be finished");
                String::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: Vec<Cell<'_>>) -> String {
        let mut chunk = Chunk::new();
        chunk.row(cells);
        chunk.finish()
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be_and_formulas_are_defused() {
        assert_eq!(
            line(vec![Cell::text("plain"), Cell::number(42)]),
            "plain,42\r\n"
        );
        assert_eq!(line(vec![Cell::text("a,b")]), "\"a,b\"\r\n");
        assert_eq!(
            line(vec![Cell::text("say \"hi\"")]),
            "\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(line(vec![Cell::text("two\nlines")]), "\"two\nlines\"\r\n");
        assert_eq!(
            line(vec![Cell::text("=HYPERLINK(\"x\")")]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        for risky in ["+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"] {
            assert!(
                line(vec![Cell::text(risky)])
                    .trim_start_matches('"')
                    .starts_with('\''),
                "{risky:?}"
            );
        }
        assert_eq!(line(vec![Cell::text("nul\0here")]), "nulhere\r\n");
        assert_eq!(line(vec![Cell::text("\0=1")]), "'=1\r\n");
        // A negative amount is a number, not a formula.
        assert_eq!(line(vec![Cell::number("-3.00")]), "-3.00\r\n");
        assert_eq!(line(vec![Cell::text("Zoë")]), "Zoë\r\n");
        assert_eq!(line(vec![Cell::text("")]), "\"\"\r\n");
    }
}
