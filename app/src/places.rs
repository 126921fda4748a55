//! Where an IP address is, for the place of each session (SEC-5): read from an IP geolocation
//! database the operator provides — a MaxMind GeoLite2 City or DB-IP City Lite file (`.mmdb`,
//! `STEWARD_GEOIP_DATABASE`), opened once at start-up and kept in memory. Without one, every
//! place is unknown: Steward ships no database (they are licensed, and go stale) and asks no
//! service on the network.

use std::net::IpAddr;

/// A place as shown: "Lausanne, Switzerland", "Switzerland", or nothing known.
pub const UNKNOWN: &str = "Unknown";

/// An opened geolocation database.
pub struct Places {
    reader: maxminddb::Reader<Vec<u8>>,
}

impl std::fmt::Debug for Places {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Places(…)")
    }
}

impl Places {
    /// Opens the database at `path`; the error says what is wrong with it.
    pub fn open(path: &str) -> Result<Places, String> {
        maxminddb::Reader::open_readfile(path)
            .map(|reader| Places { reader })
            .map_err(|error| format!("cannot read the IP geolocation database {path}: {error}"))
    }

    /// From the bytes of a database (tests write a tiny one).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Places, String> {
        maxminddb::Reader::from_source(bytes)
            .map(|reader| Places { reader })
            .map_err(|error| format!("not an IP geolocation database: {error}"))
    }

    /// "City, Country" (English names), or the country alone, for a stored client address;
    /// `None` for an address the database does not place (a private one, say) or that is not
    /// an address at all ("unknown").
    pub fn place(&self, ip: &str) -> Option<String> {
        let ip: IpAddr = ip.parse().ok()?;
        let found = self.reader.lookup(ip).ok()?;
        let city: maxminddb::geoip2::City = found.decode().ok()??;
        let country = city.country.names.english?;
        Some(match city.city.names.english {
            Some(name) => format!("{name}, {country}"),
            None => country.to_owned(),
        })
    }
}

/// The place of an address as a page shows it, with or without a database.
pub fn shown(places: Option<&Places>, ip: &str) -> String {
    places
        .and_then(|p| p.place(ip))
        .unwrap_or_else(|| UNKNOWN.to_owned())
}
