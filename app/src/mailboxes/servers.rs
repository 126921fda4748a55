//! What a mail client needs besides the password: the incoming (IMAP) and outgoing (SMTP)
//! servers, their ports and encryption, from the operator's configuration (`mail_imap_host`
//! and the like in Leptos.toml; `{domain}` in a host name is the address's domain). Shown
//! with every device password, written as a Thunderbird autoconfiguration file (served at
//! `/.well-known/autoconfig/mail/config-v1.1.xml`) and as an Apple configuration profile
//! (`.mobileconfig`) to download with a new device password.

use crate::format::escape_html;
use serde::{Deserialize, Serialize};

/// How a connection is encrypted.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encryption {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    Tls,
    /// A plain connection upgraded with STARTTLS (IMAP 143, SMTP 587).
    StartTls,
}

impl Encryption {
    pub fn parse(text: &str) -> Option<Encryption> {
        match text.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "ssl/tls" => Some(Encryption::Tls),
            "starttls" => Some(Encryption::StartTls),
            _ => None,
        }
    }

    /// As mail clients word it.
    pub fn label(self) -> &'static str {
        match self {
            Encryption::Tls => "SSL/TLS",
            Encryption::StartTls => "STARTTLS",
        }
    }

    /// Thunderbird's `socketType`.
    fn socket_type(self) -> &'static str {
        match self {
            Encryption::Tls => "SSL",
            Encryption::StartTls => "STARTTLS",
        }
    }
}

/// One server a client connects to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub encryption: Encryption,
}

/// The operator's servers, their host names possibly holding `{domain}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerTemplate {
    pub imap: Server,
    pub smtp: Server,
}

impl Default for ServerTemplate {
    fn default() -> Self {
        ServerTemplate {
            imap: Server {
                host: "mail.{domain}".to_owned(),
                port: 993,
                encryption: Encryption::Tls,
            },
            smtp: Server {
                host: "mail.{domain}".to_owned(),
                port: 465,
                encryption: Encryption::Tls,
            },
        }
    }
}

/// The settings of one address, as a client enters them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MailServers {
    pub address: String,
    pub imap: Server,
    pub smtp: Server,
}

impl ServerTemplate {
    /// The operator's configuration (`crate::state::MailServerSettings`).
    #[cfg(feature = "ssr")]
    pub fn from_settings(s: &crate::state::MailServerSettings) -> ServerTemplate {
        let encryption = |tls: bool| {
            if tls {
                Encryption::Tls
            } else {
                Encryption::StartTls
            }
        };
        ServerTemplate {
            imap: Server {
                host: s.imap_host.clone(),
                port: s.imap_port,
                encryption: encryption(s.imap_tls),
            },
            smtp: Server {
                host: s.smtp_host.clone(),
                port: s.smtp_port,
                encryption: encryption(s.smtp_tls),
            },
        }
    }

    /// The servers of `address` (`{domain}` filled in with its domain, lower case).
    pub fn for_address(&self, address: &str) -> MailServers {
        let domain = address
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default();
        let fill = |server: &Server| Server {
            host: server.host.replace("{domain}", &domain),
            ..server.clone()
        };
        MailServers {
            address: address.to_owned(),
            imap: fill(&self.imap),
            smtp: fill(&self.smtp),
        }
    }
}

impl MailServers {
    /// The Thunderbird autoconfiguration file (clientConfig version 1.1) for this address's
    /// domain; the user name is the whole address.
    pub fn autoconfig_xml(&self) -> String {
        let domain = self.address.rsplit_once('@').map_or("", |(_, d)| d);
        let server = |kind: &str, tag: &str, s: &Server| {
            format!(
                "    <{tag} type=\"{kind}\">\n      <hostname>{}</hostname>\n      <port>{}</port>\n      <socketType>{}</socketType>\n      <username>%EMAILADDRESS%</username>\n      <authentication>password-cleartext</authentication>\n    </{tag}>\n",
                escape_html(&s.host),
                s.port,
                s.encryption.socket_type()
            )
        };
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">\n  <emailProvider id=\"{d}\">\n    <domain>{d}</domain>\n    <displayName>{d}</displayName>\n{}{}  </emailProvider>\n</clientConfig>\n",
            server("imap", "incomingServer", &self.imap),
            server("smtp", "outgoingServer", &self.smtp),
            d = escape_html(domain),
        )
    }

    /// An Apple configuration profile that sets up this address (Mail on iPhone, iPad and
    /// Mac) with `password`, the device password just made — or without one (`None`), for the
    /// profile served over https, which iOS installs and then asks for the password. `id`
    /// makes its identifiers unique (the device's id, or [`profile_id`]).
    pub fn mobileconfig(&self, device_name: &str, password: Option<&str>, id: i64) -> String {
        let text = |s: &str| escape_html(s);
        let uuid = |part: u32| format!("5A1E0000-0000-4000-8000-{part:04X}{id:08X}");
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n  <key>PayloadContent</key>\n  <array>\n    <dict>\n      <key>EmailAccountDescription</key><string>{addr}</string>\n      <key>EmailAccountName</key><string>{device}</string>\n      <key>EmailAccountType</key><string>EmailTypeIMAP</string>\n      <key>EmailAddress</key><string>{addr}</string>\n      <key>IncomingMailServerAuthentication</key><string>EmailAuthPassword</string>\n      <key>IncomingMailServerHostName</key><string>{imap_host}</string>\n      <key>IncomingMailServerPortNumber</key><integer>{imap_port}</integer>\n      <key>IncomingMailServerUseSSL</key><true/>\n      <key>IncomingMailServerUsername</key><string>{addr}</string>\n{password}      <key>OutgoingMailServerAuthentication</key><string>EmailAuthPassword</string>\n      <key>OutgoingMailServerHostName</key><string>{smtp_host}</string>\n      <key>OutgoingMailServerPortNumber</key><integer>{smtp_port}</integer>\n      <key>OutgoingMailServerUseSSL</key><true/>\n      <key>OutgoingMailServerUsername</key><string>{addr}</string>\n      <key>OutgoingPasswordSameAsIncomingPassword</key><true/>\n      <key>PayloadDisplayName</key><string>{addr}</string>\n      <key>PayloadIdentifier</key><string>steward.mail.{id}.account</string>\n      <key>PayloadType</key><string>com.apple.mail.managed</string>\n      <key>PayloadUUID</key><string>{u1}</string>\n      <key>PayloadVersion</key><integer>1</integer>\n    </dict>\n  </array>\n  <key>PayloadDisplayName</key><string>{addr} ({device})</string>\n  <key>PayloadIdentifier</key><string>steward.mail.{id}</string>\n  <key>PayloadType</key><string>Configuration</string>\n  <key>PayloadUUID</key><string>{u2}</string>\n  <key>PayloadVersion</key><integer>1</integer>\n</dict>\n</plist>\n",
            addr = text(&self.address),
            device = text(device_name),
            imap_host = text(&self.imap.host),
            imap_port = self.imap.port,
            smtp_host = text(&self.smtp.host),
            smtp_port = self.smtp.port,
            password = password
                .map(|p| format!("      <key>IncomingPassword</key><string>{}</string>\n", text(p)))
                .unwrap_or_default(),
            u1 = uuid(1),
            u2 = uuid(2),
        )
    }
}

/// The https address of an address's Apple profile without a password (public, like
/// Thunderbird's autoconfiguration): `?emailaddress=`.
pub const APPLE_PROFILE_PATH: &str = "/mail-setup/apple.mobileconfig";

/// A stable number for an address's public profile, so that installing it again replaces it
/// (FNV-1a of the address, 32 bits).
pub fn profile_id(address: &str) -> i64 {
    let hash = address.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    i64::from(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_follow_the_address_and_the_files_say_the_same() {
        let servers = ServerTemplate::default().for_address("Anna@Cafe-du-Lac.ch");
        assert_eq!(servers.imap.host, "mail.cafe-du-lac.ch");
        assert_eq!((servers.imap.port, servers.smtp.port), (993, 465));
        let xml = servers.autoconfig_xml();
        assert!(xml.contains("<incomingServer type=\"imap\">"), "{xml}");
        assert!(xml.contains("<hostname>mail.cafe-du-lac.ch</hostname>\n      <port>993</port>\n      <socketType>SSL</socketType>"));
        assert!(xml.contains("<outgoingServer type=\"smtp\">"));
        assert!(xml.contains("<username>%EMAILADDRESS%</username>"));
        let profile = servers.mobileconfig("Phone <Anna's>", Some("pa&ss"), 7);
        assert!(profile.contains("<key>IncomingMailServerPortNumber</key><integer>993</integer>"));
        assert!(
            profile.contains("<string>pa&amp;ss</string>"),
            "escaped: {profile}"
        );
        assert!(profile.contains("Phone &lt;Anna&#39;s&gt;"));
        assert!(profile.contains("5A1E0000-0000-4000-8000-000100000007"));
        // Without a password (served over https), iOS asks for it while installing.
        let public = servers.mobileconfig("Mail", None, profile_id("anna@cafe-du-lac.ch"));
        assert!(!public.contains("<key>IncomingPassword</key>"), "{public}");
        assert!(public
            .contains("<key>IncomingMailServerHostName</key><string>mail.cafe-du-lac.ch</string>"));
        assert_eq!(profile_id("a@b.ch"), profile_id("a@b.ch"));
        assert_ne!(profile_id("a@b.ch"), profile_id("c@b.ch"));
    }

    #[test]
    fn encryption_is_read_as_operators_write_it() {
        assert_eq!(Encryption::parse("STARTTLS"), Some(Encryption::StartTls));
        assert_eq!(Encryption::parse("ssl/tls"), Some(Encryption::Tls));
        assert_eq!(Encryption::parse("none"), None);
    }
}
