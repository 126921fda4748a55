//! The only place a permission is decided: one table of role × action.
//!
//! Server functions name the [`Action`] they perform and ask [`allows`]; pages only hide what
//! the server would refuse anyway, by asking the same table.

use crate::enums::stored;
use serde::{Deserialize, Serialize};

stored! {
    /// A person's role inside one organization. Read fresh from the database on every request.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    pub enum Role labelled {
        #[strum(message = "Legal representative")]
        LegalRepresentative,
        #[strum(message = "Administrator")]
        Administrator,
        #[strum(message = "Collaborator")]
        Collaborator,
        #[strum(message = "External")]
        External,
    }
}

stored! {
    /// What a customer lets a partner do (PAR-2, the seeds' kinds): manage everything and pay
    /// with the customer's payment methods, manage everything and pay with the partner's own,
    /// or manage chosen products only.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[serde(rename_all = "snake_case")]
    pub enum PartnerAccess labelled {
        #[strum(message = "Full access, with the customer's payment methods")]
        FullCustomerPays,
        #[strum(message = "Full access, with the partner's payment methods")]
        FullPartnerPays,
        #[strum(message = "Limited access to chosen products")]
        Limited,
    }
}

impl Role {
    /// Rank for "nobody grants a role above their own": higher is more.
    pub fn rank(self) -> u8 {
        match self {
            Role::LegalRepresentative => 3,
            Role::Administrator => 2,
            Role::Collaborator => 1,
            Role::External => 0,
        }
    }
}

/// Everything a member can ask to do inside an organization.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the organization's name, the overview and one's own role in it.
    ViewOrganization,
    /// See who the members are and what role each has.
    ViewMembers,
    /// Unlock a member whose account locked itself after too many failed sign-ins (SEC-7).
    UnlockMember,
    /// Open the product list and product pages (for collaborators and externals: only the
    /// products they were given access to).
    ViewProducts,
    /// See every product of the organization, not only those one was given access to.
    ViewAllProducts,
    /// Create tags and put them on (or take them off) products one can reach.
    TagProducts,
    /// Rename, recolour and delete the organization's tags.
    EditTags,
    /// Block and unblock a product's management (PRD-3), and keep managing a blocked product;
    /// put a mail address into maintenance and lift it (MAIL-3: a mail service is never
    /// blocked).
    BlockProducts,
    /// Change another member's role (ORG-5), within [`may_assign`].
    ModifyRoles,
    /// Open a person's page and give a collaborator or an external person products one by one,
    /// with or without billing rights, at any time (ORG-10), within [`may_act_on_member`].
    ManageAccess,
    /// Move a product to another organization (PRD-8): start the request, cancel it.
    MoveProducts,
    /// Receive a product another organization moves here (PRD-8): legal representatives, who
    /// answer for what the organization pays.
    ReceiveProducts,
    /// Invite people by email, and resend or revoke pending invitations (ORG-4), within
    /// [`may_invite`].
    InviteMembers,
    /// Block and unblock a member (ORG-6): their accesses are suspended, nothing is deleted.
    BlockMembers,
    /// Remove a member from the organization (ORG-7).
    RemoveMembers,
    /// Rename the organization, require two-factor authentication (SEC-4), forbid password
    /// reset by SMS (SEC-12).
    ChangeSettings,
    /// Delete the organization once nobody else and no product is left in it.
    DeleteOrganization,
    /// Read (and export) the whole organization's activity log, whoever acted (SEC-9).
    ViewActivity,
    /// See and use the organization's billing: its prepaid account, addresses, orders and
    /// invoices (BIL-1..6). Besides legal representatives and administrators, collaborators
    /// given billing rights on a product of the organization ([`Standing::billing`]): the
    /// prepaid account, the invoices and the cart are the organization's and stay
    /// organization-wide for them, but what acts on one product — renewing it (a cart line),
    /// switching its automatic renewal, restoring it, its warranty, restarting its transfer,
    /// and paying for an order of renewals — reaches only the products they hold billing rights
    /// on (the rows with `Product(UseBilling)`, and `Context::products`), and never a product
    /// whose management is blocked (PRD-3).
    UseBilling,
    /// Fill the cart and place orders in the shop (BIL-4): whoever may use billing — and a
    /// partner's people with full access (PAR-4), even when the partner's own payment methods
    /// pay, which keeps the customer's billing (its balance, addresses, invoices) closed to them.
    Shop,
    /// Send money out of the organization: request a withdrawal of the prepaid balance
    /// (BIL-3). Only legal representatives answer for the organization's money; billing rights
    /// on a product do not reach it.
    WithdrawMoney,
    /// Apply to the partner program, ask customers for access and end a partner's access to a
    /// customer (PAR-2, PAR-7): the seeds' prerequisite, legal representatives only.
    ManagePartnership,
    /// Open a partner's Reseller area: its customers, requests and rates (PAR-1).
    ViewCustomers,
    /// Grant a partner access to this organization (PAR-2): legal representatives, who answer
    /// for who manages the organization's products and money.
    GrantPartnerAccess,
    /// Choose which customers each of the partner's collaborators reaches (PAR-7).
    DelegateCustomers,
    /// Leave the organization (ORG-8): every member may, blocked or not; a partner's person is
    /// no member and has nothing to leave (their partner or the customer ends the access).
    LeaveOrganization,
}

impl Action {
    pub const ALL: [Action; 26] = [
        Action::ViewOrganization,
        Action::ViewMembers,
        Action::UnlockMember,
        Action::ViewProducts,
        Action::ViewAllProducts,
        Action::TagProducts,
        Action::EditTags,
        Action::BlockProducts,
        Action::ModifyRoles,
        Action::ManageAccess,
        Action::MoveProducts,
        Action::ReceiveProducts,
        Action::InviteMembers,
        Action::BlockMembers,
        Action::RemoveMembers,
        Action::ChangeSettings,
        Action::DeleteOrganization,
        Action::ViewActivity,
        Action::UseBilling,
        Action::Shop,
        Action::WithdrawMoney,
        Action::ManagePartnership,
        Action::ViewCustomers,
        Action::GrantPartnerAccess,
        Action::DelegateCustomers,
        Action::LeaveOrganization,
    ];
}

/// The table. `true` means the role may perform the action.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match (action, role) {
        (ViewOrganization | LeaveOrganization, _) => true,
        (ViewMembers, LegalRepresentative | Administrator | Collaborator) => true,
        (ViewMembers, External) => false,
        (UnlockMember, LegalRepresentative | Administrator) => true,
        (UnlockMember, Collaborator | External) => false,
        (ViewProducts, _) => true,
        (ViewAllProducts, LegalRepresentative | Administrator) => true,
        (ViewAllProducts, Collaborator | External) => false,
        (TagProducts, LegalRepresentative | Administrator | Collaborator) => true,
        (TagProducts, External) => false,
        (EditTags, LegalRepresentative | Administrator) => true,
        (EditTags, Collaborator | External) => false,
        (BlockProducts, LegalRepresentative | Administrator) => true,
        (BlockProducts, Collaborator | External) => false,
        (ModifyRoles, LegalRepresentative | Administrator) => true,
        (ModifyRoles, Collaborator | External) => false,
        (ManageAccess, LegalRepresentative | Administrator) => true,
        (ManageAccess, Collaborator | External) => false,
        (MoveProducts, LegalRepresentative | Administrator) => true,
        (MoveProducts, Collaborator | External) => false,
        (ReceiveProducts, LegalRepresentative) => true,
        (ReceiveProducts, Administrator | Collaborator | External) => false,
        (InviteMembers, LegalRepresentative | Administrator) => true,
        (InviteMembers, Collaborator | External) => false,
        (BlockMembers | RemoveMembers, LegalRepresentative | Administrator) => true,
        (BlockMembers | RemoveMembers, Collaborator | External) => false,
        (ChangeSettings | DeleteOrganization, LegalRepresentative | Administrator) => true,
        (ChangeSettings | DeleteOrganization, Collaborator | External) => false,
        (ViewActivity, LegalRepresentative | Administrator) => true,
        (ViewActivity, Collaborator | External) => false,
        // Collaborators only with billing rights on a product: see `permits`.
        (UseBilling | Shop, LegalRepresentative | Administrator) => true,
        (UseBilling | Shop, Collaborator | External) => false,
        (WithdrawMoney, LegalRepresentative) => true,
        (WithdrawMoney, Administrator | Collaborator | External) => false,
        (ManagePartnership | GrantPartnerAccess, LegalRepresentative) => true,
        (ManagePartnership | GrantPartnerAccess, Administrator | Collaborator | External) => false,
        (ViewCustomers | DelegateCustomers, LegalRepresentative | Administrator) => true,
        (ViewCustomers | DelegateCustomers, Collaborator | External) => false,
    }
}

/// How a member stands in one organization, read fresh on every request.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    /// Blocked by an administrator (ORG-6).
    pub blocked: bool,
    /// The organization requires two-factor authentication (SEC-4) and this member has none.
    pub missing_two_factor: bool,
    /// Given billing rights on at least one of the organization's products (ORG-5): what lets
    /// a collaborator use billing.
    #[serde(default)]
    pub billing: bool,
    /// Not a member: one of a partner's people, inside a customer that granted the partner this
    /// access (PAR-3). Decided by [`partner_permits`], never by the role.
    #[serde(default)]
    pub partner: Option<PartnerAccess>,
}

/// The table for a member as they stand. A blocked member (ORG-6) keeps their role on paper,
/// and a member who owes the two-factor authentication their organization requires (SEC-4) is
/// held at the door: either may see the organization's name and why they are held, and leave
/// it, nothing more. (Setting up two-factor authentication is the person's own business,
/// outside any organization, so it stays reachable.) One of a partner's people inside a
/// customer (PAR-3) has what the customer granted, [`partner_permits`], behind the same
/// two-factor door.
pub fn permits(standing: Standing, action: Action) -> bool {
    if let Some(access) = standing.partner {
        if standing.missing_two_factor {
            return action == Action::ViewOrganization;
        }
        return partner_permits(access, action);
    }
    if standing.blocked || standing.missing_two_factor {
        // Held at the door, but free to go.
        return matches!(action, Action::ViewOrganization | Action::LeaveOrganization);
    }
    if matches!(action, Action::UseBilling | Action::Shop) && standing.role == Role::Collaborator {
        return standing.billing;
    }
    allows(standing.role, action)
}

/// What a partner's person may do inside a customer that granted the partner `access` (PAR-3):
/// the customer's products — all of them with full access, the granted ones with limited
/// access — and, with full access, its shop: an order is paid with the customer's payment
/// methods, or with the partner's own at the partner's price when the customer chose so (PAR-4;
/// `shop::checkout` decides who pays, never the person ordering); the customer's billing (its
/// balance, addresses, invoices) only when the customer's payment methods pay. Never
/// the customer's people, roles, settings, log or two-factor requirement, never blocking,
/// moving or receiving products, never its money leaving, and never granting the partner
/// anything.
pub fn partner_permits(access: PartnerAccess, action: Action) -> bool {
    use Action::*;
    match action {
        ViewOrganization | ViewProducts => true,
        ViewAllProducts | TagProducts => access != PartnerAccess::Limited,
        UseBilling => access == PartnerAccess::FullCustomerPays,
        Shop => access != PartnerAccess::Limited,
        ViewMembers | UnlockMember | EditTags | BlockProducts | ModifyRoles | ManageAccess
        | MoveProducts | ReceiveProducts | InviteMembers | BlockMembers | RemoveMembers
        | ChangeSettings | DeleteOrganization | ViewActivity | WithdrawMoney
        | ManagePartnership | ViewCustomers | GrantPartnerAccess | DelegateCustomers
        | LeaveOrganization => false,
    }
}

/// Who gets through the door of a server function, before anything it reaches is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Anyone, signed in or not: the way in (sign-up, sign-in, sign-out) and links sent by
    /// email, where the secret in the link is the proof.
    Anyone,
    /// Only someone not signed in: creating an account from an invitation.
    SignedOut,
    /// Only a sign-in that has passed the password and still owes its second factor.
    HalfwaySignedIn,
    /// A signed-in person, or a program with an application password or an API token of any
    /// scope.
    Reader,
    /// A signed-in person, or a program whose credential may write (not a read-only API token).
    Writer,
    /// Only the person, signed in to Steward: their own security, never a program's credential.
    InPerson,
}

/// What a server function reaches once through the door.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Nothing beyond the caller: signing up, signing in or out, creating an organization.
    Entry,
    /// The caller's own account and what belongs to it (sessions, methods, credentials, log):
    /// anyone else's is not found.
    OwnAccount,
    /// One organization: [`permits`] decides for the member as they stand; for anyone who is
    /// not a member, the organization is not found.
    Organization(Action),
    /// One product of an organization: as [`Reach::Organization`], and for those whose role
    /// does not see every product, only the products they were given access to — with billing
    /// rights, for [`Action::UseBilling`]. Behind a door that writes, a product whose
    /// management is blocked is managed only by those who may block products.
    Product(Action),
    /// What an emailed link names; the secret in the link is the proof. A link of one
    /// organization is not found under another.
    Link,
    /// An invitation, for the very person it was sent to (signed in as that address).
    Invitee,
}

/// One row of the table: a server function (its endpoint) with its door and its reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerFunction {
    pub endpoint: &'static str,
    pub caller: Caller,
    pub reach: Reach,
    /// "Confirm it's you": the person must have proved it is them — signed in, or given the
    /// account password again — within the last [`CONFIRMATION_SECONDS`]. Only behind the
    /// in-person door (a program has no password to give).
    pub confirm: bool,
    /// Which ids the call carries, which the server must find belong to the caller (or to the
    /// organization, and to each other): the shapes the permission matrix sends it.
    pub ids: Ids,
}

/// The ids a server function takes from the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ids {
    /// None: it acts on the caller's own account, or on what a secret link names.
    None,
    /// An organization's id.
    Organization,
    /// An organization's id and the ids of objects inside it (products, tags, members,
    /// invitations), which must belong to that organization.
    OrganizationAndObjects,
    /// Ids of the caller's own objects (sessions, second factors, credentials).
    OwnObjects,
}

/// How long a confirmation ("confirm it's you", or signing in) counts: 10 minutes.
pub const CONFIRMATION_SECONDS: i64 = 10 * 60;

const fn row(endpoint: &'static str, caller: Caller, reach: Reach) -> ServerFunction {
    ServerFunction {
        endpoint,
        caller,
        reach,
        confirm: false,
        ids: match reach {
            Reach::Organization(_) | Reach::Product(_) | Reach::Invitee => Ids::Organization,
            Reach::Entry | Reach::OwnAccount | Reach::Link => Ids::None,
        },
    }
}

impl ServerFunction {
    /// The same row, requiring a recent "confirm it's you".
    const fn confirmed(self) -> ServerFunction {
        ServerFunction {
            confirm: true,
            ..self
        }
    }

    /// The same row, for a function that takes `ids`.
    const fn takes(self, ids: Ids) -> ServerFunction {
        ServerFunction { ids, ..self }
    }
}

/// Every server function with its row. The server refuses to run a server function that is
/// not listed here, and a test checks that every registered server function is listed and
/// that each behaves, for every kind of caller, as its row says.
#[rustfmt::skip]
pub const SERVER_FUNCTIONS: &[ServerFunction] = {
    use Action::*;
    use Caller::*;
    use Reach::*;
    &[
        // Account: the way in.
        row("sign_up", Anyone, Entry),
        row("confirm_sign_up", Anyone, Link),
        row("resend_sign_up_code", Anyone, Entry),
        // Ordering while signed out (shop::guest): the catalogue, a domain search, the cart.
        row("order_page", Anyone, Entry),
        row("find_domain", Anyone, Entry),
        row("add_to_guest_cart", Anyone, Entry),
        row("remove_from_guest_cart", Anyone, Entry).takes(Ids::OwnObjects),
        row("sign_in", Anyone, Entry),
        row("sign_out", Anyone, Entry),
        row("second_factor_challenge", HalfwaySignedIn, Entry),
        row("verify_second_factor", HalfwaySignedIn, Entry),
        row("cancel_sign_in", Anyone, Entry),
        // Links sent by email.
        row("unlock_with_link", Anyone, Link),
        row("password_reset_options", Anyone, Entry),
        row("request_password_reset", Anyone, Entry),
        row("reset_password", Anyone, Link),
        row("report_not_me", Anyone, Link),
        row("confirm_email_change", Anyone, Link),
        row("open_invitation", Anyone, Link).takes(Ids::Organization),
        row("join_with_new_account", SignedOut, Link).takes(Ids::Organization),
        row("accept_invitation", InPerson, Invitee),
        // My account.
        row("my_account", Reader, OwnAccount),
        row("my_organizations", Reader, OwnAccount),
        row("create_organization", Writer, Entry),
        row("my_activity", Reader, OwnAccount),
        row("my_contacts", InPerson, OwnAccount),
        row("change_password", InPerson, OwnAccount),
        row("request_email_change", InPerson, OwnAccount),
        row("set_recovery_contacts", InPerson, OwnAccount),
        row("review_security", InPerson, OwnAccount),
        row("change_my_name", InPerson, OwnAccount),
        row("remove_my_avatar", InPerson, OwnAccount),
        row("my_time_zone", Reader, OwnAccount),
        row("set_my_time_zone", InPerson, OwnAccount),
        row("account_deletion_check", InPerson, OwnAccount),
        row("delete_my_account", InPerson, OwnAccount),
        row("my_safety_settings", InPerson, OwnAccount),
        row("save_safety_settings", InPerson, OwnAccount),
        row("active_sessions", InPerson, OwnAccount),
        row("end_session", InPerson, OwnAccount).takes(Ids::OwnObjects),
        row("end_other_sessions", InPerson, OwnAccount),
        row("connection_log", InPerson, OwnAccount),
        row("two_factor_status", InPerson, OwnAccount),
        row("start_totp_enrolment", InPerson, OwnAccount),
        row("confirm_totp_enrolment", InPerson, OwnAccount),
        row("generate_backup_codes", InPerson, OwnAccount),
        row("set_default_method", InPerson, OwnAccount).takes(Ids::OwnObjects),
        row("remove_method", InPerson, OwnAccount).takes(Ids::OwnObjects),
        row("disable_two_factor", InPerson, OwnAccount),
        row("my_credentials", InPerson, OwnAccount),
        row("confirm_identity", InPerson, OwnAccount),
        row("create_app_password", InPerson, OwnAccount).confirmed(),
        row("revoke_app_password", InPerson, OwnAccount).takes(Ids::OwnObjects),
        row("create_api_token", InPerson, OwnAccount).confirmed(),
        row("revoke_api_token", InPerson, OwnAccount).takes(Ids::OwnObjects),
        row("revoke_all_credentials", InPerson, OwnAccount),
        // An organization.
        row("organization_shell", Reader, Organization(ViewOrganization)),
        row("organization_overview", Reader, Organization(ViewOrganization)),
        row("activity_filter_choices", Reader, Organization(ViewOrganization)),
        row("leave_organization", Writer, Organization(LeaveOrganization)),
        row("organization_users", Reader, Organization(ViewMembers)),
        row("unlock_member", Writer, Organization(UnlockMember)).takes(Ids::OrganizationAndObjects),
        row("change_role", Writer, Organization(ModifyRoles)).takes(Ids::OrganizationAndObjects),
        row("set_member_blocked", Writer, Organization(BlockMembers)).takes(Ids::OrganizationAndObjects),
        row("organization_member", Reader, Organization(ManageAccess)).takes(Ids::OrganizationAndObjects),
        row("set_product_access", Writer, Organization(ManageAccess)).takes(Ids::OrganizationAndObjects),
        row("removal_review", Reader, Organization(RemoveMembers)).takes(Ids::OrganizationAndObjects),
        row("remove_member", Writer, Organization(RemoveMembers)).takes(Ids::OrganizationAndObjects),
        row("invitation_form", Reader, Organization(InviteMembers)),
        row("invite_person", Writer, Organization(InviteMembers)),
        row("pending_invitations", Reader, Organization(InviteMembers)),
        row("resend_invitation", Writer, Organization(InviteMembers)).takes(Ids::OrganizationAndObjects),
        row("revoke_invitation", Writer, Organization(InviteMembers)).takes(Ids::OrganizationAndObjects),
        row("organization_settings", Reader, Organization(ChangeSettings)),
        row("rename_organization", Writer, Organization(ChangeSettings)),
        row("set_two_factor_requirement", Writer, Organization(ChangeSettings)),
        row("set_sms_reset_forbidden", Writer, Organization(ChangeSettings)),
        row("delete_organization", InPerson, Organization(DeleteOrganization)),
        // Verified domains (SEC-10's prerequisite): with the organization's settings.
        row("verified_domains", Reader, Organization(ChangeSettings)),
        row("add_verified_domain", Writer, Organization(ChangeSettings)),
        row("check_verified_domain", Writer, Organization(ChangeSettings)).takes(Ids::OrganizationAndObjects),
        row("remove_verified_domain", Writer, Organization(ChangeSettings)).takes(Ids::OrganizationAndObjects),
        row("organization_activity", Reader, Organization(ViewActivity)),
        // Products and tags.
        row("list_products", Reader, Organization(ViewProducts)),
        row("list_tags", Reader, Organization(ViewProducts)),
        row("get_product", Reader, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("set_product_blocked", Writer, Product(BlockProducts)).takes(Ids::OrganizationAndObjects),
        row("set_holder", Writer, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        // Moving a product to another organization (PRD-8).
        row("product_move", Reader, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("start_product_move", InPerson, Product(MoveProducts)).takes(Ids::OrganizationAndObjects),
        row("cancel_product_move", Writer, Product(MoveProducts)).takes(Ids::OrganizationAndObjects),
        row("open_product_move", Anyone, Link),
        row("refuse_product_move", Anyone, Link),
        row("accept_product_move", InPerson, Organization(ReceiveProducts)),
        // The partner program (partners): applying, the Reseller area, requests for access
        // and their answers, ending an access from either side.
        row("partner_program", Reader, Organization(ChangeSettings)),
        row("apply_as_partner", InPerson, Organization(ManagePartnership)),
        row("reseller", Reader, Organization(ViewCustomers)),
        row("reseller_customer", Reader, Organization(ViewCustomers)).takes(Ids::OrganizationAndObjects),
        row("request_customer", InPerson, Organization(ManagePartnership)),
        row("cancel_customer_request", Writer, Organization(ManagePartnership)).takes(Ids::OrganizationAndObjects),
        row("end_customer", Writer, Organization(ManagePartnership)).takes(Ids::OrganizationAndObjects),
        row("open_partner_request", Anyone, Link),
        row("refuse_partner_request", Anyone, Link),
        row("grant_partner_access", InPerson, Organization(GrantPartnerAccess)).takes(Ids::OrganizationAndObjects),
        row("partners_with_access", Reader, Organization(ChangeSettings)),
        row("end_partner_access", Writer, Organization(ChangeSettings)).takes(Ids::OrganizationAndObjects),
        row("set_customer_delegation", Writer, Organization(DelegateCustomers)).takes(Ids::OrganizationAndObjects),
        row("set_auto_renew_many", Writer, Product(UseBilling)).takes(Ids::OrganizationAndObjects),
        row("create_tag", Writer, Organization(TagProducts)),
        row("tag_products", Writer, Product(TagProducts)).takes(Ids::OrganizationAndObjects),
        row("untag_products", Writer, Product(TagProducts)).takes(Ids::OrganizationAndObjects),
        row("update_tag", Writer, Organization(EditTags)).takes(Ids::OrganizationAndObjects),
        row("delete_tag", Writer, Organization(EditTags)).takes(Ids::OrganizationAndObjects),
        // Billing.
        row("prepaid_account", Reader, Organization(UseBilling)),
        row("top_up_slip", Reader, Organization(UseBilling)),
        row("billing_addresses", Reader, Organization(UseBilling)),
        row("add_billing_address", Writer, Organization(UseBilling)),
        row("update_billing_address", Writer, Organization(UseBilling)).takes(Ids::OrganizationAndObjects),
        row("set_default_billing_address", Writer, Organization(UseBilling)).takes(Ids::OrganizationAndObjects),
        row("delete_billing_address", Writer, Organization(UseBilling)).takes(Ids::OrganizationAndObjects),
        row("billing_notifications", Reader, Organization(UseBilling)),
        row("set_billing_notification", Writer, Organization(UseBilling)),
        row("set_expiry_reminders", Writer, Organization(UseBilling)),
        row("request_withdrawal", InPerson, Organization(WithdrawMoney)).confirmed(),
        // The shop.
        row("shop_page", Reader, Organization(Shop)),
        row("add_to_cart", Writer, Organization(Shop)).takes(Ids::OrganizationAndObjects),
        row("update_cart_line", Writer, Organization(Shop)).takes(Ids::OrganizationAndObjects),
        row("apply_promo_code", Writer, Organization(Shop)),
        row("remove_cart_line", Writer, Organization(Shop)).takes(Ids::OrganizationAndObjects),
        row("place_order", Writer, Organization(Shop)).takes(Ids::OrganizationAndObjects),
        row("list_invoices", Reader, Organization(UseBilling)),
        row("cancel_order", Writer, Organization(UseBilling)).takes(Ids::OrganizationAndObjects),
        row("set_auto_renew", Writer, Product(UseBilling)).takes(Ids::OrganizationAndObjects),
        row("product_renewal", Reader, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("renewal_address", Reader, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("set_renewal_address", Writer, Product(UseBilling)).takes(Ids::OrganizationAndObjects),
        // Domains after expiry.
        row("get_domain", Reader, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("released_domains", Reader, Organization(ViewProducts)),
        row("restore_domain", Writer, Product(UseBilling)).takes(Ids::OrganizationAndObjects),
        row("add_domain_warranty", Writer, Product(UseBilling)).takes(Ids::OrganizationAndObjects),
        row("add_transfer", Writer, Organization(UseBilling)),
        row("restart_transfer", Writer, Product(UseBilling)).takes(Ids::OrganizationAndObjects),
        // Mail services: managed by whoever reaches the product (collaborators and externals
        // given access too, as the seed says), permissions and device passwords behind a
        // recent "confirm it's you" (MAIL-5), maintenance only for those who may block (MAIL-3).
        row("mail_service", Reader, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("mail_address", Reader, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("create_mail_address", InPerson, Product(ViewProducts)).confirmed().takes(Ids::OrganizationAndObjects),
        row("add_mail_user", InPerson, Product(ViewProducts)).confirmed().takes(Ids::OrganizationAndObjects),
        row("remove_mail_user", Writer, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("set_mail_rights", InPerson, Product(ViewProducts)).confirmed().takes(Ids::OrganizationAndObjects),
        row("set_mail_defaults", InPerson, Product(ViewProducts)).confirmed().takes(Ids::OrganizationAndObjects),
        row("apply_global_configuration", InPerson, Product(ViewProducts)).confirmed().takes(Ids::OrganizationAndObjects),
        row("set_mail_maintenance", Writer, Product(BlockProducts)).takes(Ids::OrganizationAndObjects),
        row("set_service_maintenance", Writer, Product(BlockProducts)).takes(Ids::OrganizationAndObjects),
        row("create_device_password", InPerson, Product(ViewProducts)).confirmed().takes(Ids::OrganizationAndObjects),
        row("change_device_password", InPerson, Product(ViewProducts)).confirmed().takes(Ids::OrganizationAndObjects),
        row("disconnect_device", Writer, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("disconnect_all_devices", Writer, Product(ViewProducts)).takes(Ids::OrganizationAndObjects),
        row("send_device_setup", InPerson, Product(ViewProducts)).confirmed().takes(Ids::OrganizationAndObjects),
        row("my_mail_addresses", Reader, OwnAccount),
        row("create_my_device_password", InPerson, OwnAccount).confirmed().takes(Ids::OwnObjects),
        row("open_device_setup", Anyone, Link),
        row("finish_device_setup", Anyone, Link),
    ]
};

/// An HTTP route that is not a server function (a file going up or down), with its row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpRoute {
    pub method: &'static str,
    /// The path; a row ending in `?organization=` is the route with that query parameter.
    pub path: &'static str,
    pub caller: Caller,
    pub reach: Reach,
}

/// Every such route. Their handlers authenticate with the row's door
/// (`account::api::authenticate_request`), and the permission matrix test runs them as every
/// kind of caller, like the server functions.
pub const HTTP_ROUTES: &[HttpRoute] = &[
    // Thunderbird's autoconfiguration: the servers of any address, as public as its MX.
    HttpRoute {
        method: "GET",
        path: "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=anna@cafe-du-lac.ch",
        caller: Caller::Anyone,
        reach: Reach::Entry,
    },
    // An Apple profile without its password (iOS asks for it): as public as the above.
    HttpRoute {
        method: "GET",
        path: "/mail-setup/apple.mobileconfig?emailaddress=anna@cafe-du-lac.ch",
        caller: Caller::Anyone,
        reach: Reach::Entry,
    },
    HttpRoute {
        method: "GET",
        path: "/activity.csv",
        caller: Caller::Reader,
        reach: Reach::OwnAccount,
    },
    HttpRoute {
        method: "GET",
        path: "/activity.csv?organization=",
        caller: Caller::Reader,
        reach: Reach::Organization(Action::ViewActivity),
    },
    // A partner's export of its customers' billing history (PAR-6): those who open its
    // Reseller area; programs may export too.
    HttpRoute {
        method: "GET",
        path: "/reseller-export.csv?organization=",
        caller: Caller::Reader,
        reach: Reach::Organization(Action::ViewCustomers),
    },
    HttpRoute {
        method: "GET",
        path: "/account/avatar",
        caller: Caller::Reader,
        reach: Reach::OwnAccount,
    },
    HttpRoute {
        method: "POST",
        path: "/account/avatar",
        caller: Caller::InPerson,
        reach: Reach::OwnAccount,
    },
    // A member's picture, for the people of their organization (ORG-10).
    HttpRoute {
        method: "GET",
        path: "/people/avatar?organization=",
        caller: Caller::Reader,
        reach: Reach::Organization(Action::ViewMembers),
    },
    HttpRoute {
        method: "GET",
        path: "/qr-bill.pdf?organization=",
        caller: Caller::Reader,
        reach: Reach::Organization(Action::UseBilling),
    },
    HttpRoute {
        method: "GET",
        path: "/invoice.pdf?organization=",
        caller: Caller::Reader,
        reach: Reach::Organization(Action::UseBilling),
    },
];

/// The row of a server function, by its endpoint name (`/api/<endpoint>`).
pub fn server_function(endpoint: &str) -> Option<&'static ServerFunction> {
    SERVER_FUNCTIONS.iter().find(|f| f.endpoint == endpoint)
}

/// Whether someone with role `actor` may block, unblock or remove the member `target` (ORG-6,
/// ORG-7): the action must be allowed, never oneself, never someone above one's own role.
pub fn may_act_on_member(
    actor: Role,
    action: Action,
    myself: bool,
    target: Role,
) -> Result<(), &'static str> {
    if !allows(actor, action) {
        return Err("Your role in this organization does not allow this.");
    }
    if myself {
        return Err(
            "You cannot do this to yourself. To leave the organization, use My organizations.",
        );
    }
    if target.rank() > actor.rank() {
        return Err("You cannot do this to someone whose role is above yours.");
    }
    Ok(())
}

/// Whether someone with role `actor` may move a member from `current` to `new` (ORG-5): the
/// action must be allowed, nobody grants a role above their own, and nobody changes the role of
/// someone above them. (The last legal representative is guarded by the server, which counts.)
pub fn may_assign(actor: Role, current: Role, new: Role) -> Result<(), &'static str> {
    if !allows(actor, Action::ModifyRoles) {
        return Err("Your role in this organization does not allow changing roles.");
    }
    if new.rank() > actor.rank() {
        return Err("Nobody can grant a role above their own.");
    }
    if current.rank() > actor.rank() {
        return Err("You cannot change the role of someone whose role is above yours.");
    }
    Ok(())
}

/// Whether someone with role `actor` may invite a person with role `role` (ORG-4), or resend
/// and revoke such an invitation: nobody invites above their own role.
pub fn may_invite(actor: Role, role: Role) -> Result<(), &'static str> {
    if !allows(actor, Action::InviteMembers) {
        return Err("Your role in this organization does not allow inviting people.");
    }
    if role.rank() > actor.rank() {
        return Err("Nobody can invite someone with a role above their own.");
    }
    Ok(())
}

stored! {
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum TokenScope labelled {
        #[strum(message = "Read only")]
        Read,
        #[strum(message = "Read and write")]
        ReadWrite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Role::*;

    /// Written out row by row, so a change to the table shows up as a change to this test.
    #[rustfmt::skip]
    const TABLE: &[(Action, [bool; 4])] = &[
        //                  legal  admin  collab external
        (ViewOrganization, [true,  true,  true,  true]),
        (ViewMembers,      [true,  true,  true,  false]),
        (UnlockMember,     [true,  true,  false, false]),
        (ViewProducts,     [true,  true,  true,  true]),
        (ViewAllProducts,  [true,  true,  false, false]),
        (TagProducts,      [true,  true,  true,  false]),
        (EditTags,         [true,  true,  false, false]),
        (BlockProducts,    [true,  true,  false, false]),
        (ModifyRoles,      [true,  true,  false, false]),
        (ManageAccess,     [true,  true,  false, false]),
        (MoveProducts,     [true,  true,  false, false]),
        (ReceiveProducts,  [true,  false, false, false]),
        (InviteMembers,    [true,  true,  false, false]),
        (BlockMembers,     [true,  true,  false, false]),
        (RemoveMembers,    [true,  true,  false, false]),
        (ChangeSettings,   [true,  true,  false, false]),
        (DeleteOrganization, [true, true, false, false]),
        (ViewActivity,     [true,  true,  false, false]),
        // Collaborators: only with billing rights on a product (permits, below).
        (UseBilling,       [true,  true,  false, false]),
        (Shop,             [true,  true,  false, false]),
        (WithdrawMoney,    [true,  false, false, false]),
        // The partner program: legal representatives commit the organization.
        (ManagePartnership, [true, false, false, false]),
        (ViewCustomers,    [true,  true,  false, false]),
        (GrantPartnerAccess, [true, false, false, false]),
        (DelegateCustomers, [true,  true,  false, false]),
        (LeaveOrganization, [true,  true,  true,  true]),
    ];

    #[test]
    fn every_action_has_a_row() {
        for action in Action::ALL {
            assert!(
                TABLE.iter().any(|(a, _)| *a == action),
                "{action:?} has no row in the test table"
            );
        }
        assert_eq!(TABLE.len(), Action::ALL.len());
    }

    #[test]
    fn table_matches_policy_row_by_row() {
        for (action, expected) in TABLE {
            for (role, allowed) in Role::ALL.iter().zip(expected) {
                assert_eq!(allows(*role, *action), *allowed, "{role:?} × {action:?}");
            }
        }
    }

    #[test]
    fn nobody_grants_above_their_own_role() {
        assert!(may_assign(LegalRepresentative, Collaborator, LegalRepresentative).is_ok());
        assert!(may_assign(Administrator, Collaborator, Administrator).is_ok());
        assert!(may_assign(Administrator, External, Collaborator).is_ok());
        assert!(may_assign(Administrator, Collaborator, LegalRepresentative).is_err());
        assert!(may_assign(Administrator, LegalRepresentative, Administrator).is_err());
        assert!(may_assign(Collaborator, External, Collaborator).is_err());
        assert!(may_assign(External, External, External).is_err());
    }

    #[test]
    fn nobody_invites_above_their_own_role() {
        assert!(may_invite(LegalRepresentative, LegalRepresentative).is_ok());
        assert!(may_invite(Administrator, Administrator).is_ok());
        assert!(may_invite(Administrator, Collaborator).is_ok());
        assert!(may_invite(Administrator, LegalRepresentative).is_err());
        assert!(may_invite(Collaborator, External).is_err());
        assert!(may_invite(External, External).is_err());
    }

    #[test]
    fn blocked_members_and_members_owing_two_factor_only_see_the_organization_name() {
        for &role in Role::ALL {
            for action in Action::ALL {
                for (blocked, missing_two_factor, billing) in [
                    (true, false, false),
                    (false, true, false),
                    (true, true, false),
                    (true, false, true),
                    (false, true, true),
                ] {
                    let standing = Standing {
                        role,
                        blocked,
                        missing_two_factor,
                        billing,
                        partner: None,
                    };
                    assert_eq!(
                        permits(standing, action),
                        matches!(action, ViewOrganization | LeaveOrganization),
                        "{standing:?} × {action:?}"
                    );
                }
                let free = Standing {
                    role,
                    blocked: false,
                    missing_two_factor: false,
                    billing: false,
                    partner: None,
                };
                assert_eq!(permits(free, action), allows(role, action));
                // Billing rights on a product open billing to a collaborator, and nothing else.
                let with_billing = Standing {
                    billing: true,
                    ..free
                };
                let billing_opens = matches!(action, UseBilling | Shop) && role == Collaborator;
                assert_eq!(
                    permits(with_billing, action),
                    allows(role, action) || billing_opens,
                    "{with_billing:?} × {action:?}"
                );
            }
        }
    }

    /// A partner's person inside a customer, written out: the products (all with full access),
    /// the shop with full access (who pays is the checkout's business), billing only when the
    /// customer pays, nothing of the customer's people or settings.
    #[test]
    fn a_partner_reaches_what_the_customer_granted_and_never_more() {
        use PartnerAccess::*;
        #[rustfmt::skip]
        const TABLE: &[(Action, [bool; 3])] = &[
            //                  full+customer full+partner limited
            (ViewOrganization, [true,  true,  true]),
            (ViewProducts,     [true,  true,  true]),
            (ViewAllProducts,  [true,  true,  false]),
            (TagProducts,      [true,  true,  false]),
            (UseBilling,       [true,  false, false]),
            (Shop,             [true,  true,  false]),
        ];
        for action in Action::ALL {
            let row = TABLE
                .iter()
                .find(|(a, _)| *a == action)
                .map_or([false; 3], |(_, r)| *r);
            for (access, allowed) in [FullCustomerPays, FullPartnerPays, Limited]
                .into_iter()
                .zip(row)
            {
                for role in [Collaborator, LegalRepresentative] {
                    let standing = Standing {
                        role,
                        blocked: false,
                        missing_two_factor: false,
                        billing: true,
                        partner: Some(access),
                    };
                    assert_eq!(
                        permits(standing, action),
                        allowed,
                        "{access:?} × {action:?}"
                    );
                    let owing = Standing {
                        missing_two_factor: true,
                        ..standing
                    };
                    assert_eq!(permits(owing, action), action == ViewOrganization);
                }
            }
        }
    }

    #[test]
    fn members_are_blocked_and_removed_only_from_below_and_never_oneself() {
        assert!(may_act_on_member(Administrator, BlockMembers, false, Collaborator).is_ok());
        assert!(may_act_on_member(Administrator, RemoveMembers, false, Administrator).is_ok());
        assert!(
            may_act_on_member(Administrator, BlockMembers, false, LegalRepresentative).is_err()
        );
        assert!(may_act_on_member(
            LegalRepresentative,
            RemoveMembers,
            true,
            LegalRepresentative
        )
        .is_err());
        assert!(may_act_on_member(Collaborator, BlockMembers, false, External).is_err());
    }

    #[test]
    fn only_the_person_in_a_browser_session_can_be_asked_to_confirm() {
        let confirmed: Vec<_> = SERVER_FUNCTIONS.iter().filter(|f| f.confirm).collect();
        assert!(!confirmed.is_empty());
        for function in confirmed {
            assert_eq!(function.caller, Caller::InPerson, "{}", function.endpoint);
        }
    }

    #[test]
    fn roles_round_trip_through_storage_names() {
        for &role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
        assert_eq!(LegalRepresentative.label(), "Legal representative");
    }
}
