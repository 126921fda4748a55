//! SQL for products and product access.

use super::{
    DomainStage, ProductDetail, ProductFilter, ProductKind, ProductSort, ProductStatus,
    ProductSummary, PAGE_SIZE,
};
use crate::db::Tx;
use crate::db::{affected, exec, fetch_all, fetch_optional, row, scalar_one, scalar_optional};
use crate::format::like_pattern;

row! {
    /// A product as the list shows it.
    struct Row {
        id: i64,
        name: String,
        kind: String,
        status: String,
        expires_at: Option<i64>,
        holder: String,
        blocked: bool,
        stage: String,
        transfer_state: Option<String>,
        auto_renew: bool,
    }
}

row! {
    /// A product as its page shows it.
    struct DetailRow {
        id: i64,
        name: String,
        kind: String,
        status: String,
        expires_at: Option<i64>,
        holder: String,
        payer: String,
        created_at: i64,
        blocked_at: Option<i64>,
        blocked_by: Option<String>,
        stage: String,
        transfer_state: Option<String>,
        holder_company: String,
        holder_street: String,
        holder_postal_code: String,
        holder_city: String,
        holder_country: String,
        holder_email: String,
    }
}

fn summaries(rows: Vec<Row>) -> Vec<ProductSummary> {
    crate::db::parsed(
        "products",
        rows,
        |Row {
             id,
             name,
             kind,
             status,
             expires_at,
             holder,
             blocked,
             stage,
             transfer_state: transfer,
             auto_renew,
         }| {
            Some(ProductSummary {
                in_transfer: super::in_transfer(transfer.as_deref()),
                id,
                name,
                kind: ProductKind::parse(&kind)?,
                status: ProductStatus::parse(&status)?,
                expires_at,
                holder,
                tags: Vec::new(),
                blocked,
                stage: DomainStage::parse(&stage)?,
                standing: None,
                auto_renew,
            })
        },
    )
}

/// One page of the organization's products matching `filter`, after the cursor `(key, id)`.
/// `only_for` restricts it to the products that person was given access to.
/// Returns one row more than a page when there is a next page.
pub async fn page(
    tx: &mut Tx,
    organization_id: i64,
    only_for: Option<i64>,
    filter: &ProductFilter,
    after: Option<(String, i64)>,
) -> Result<Vec<ProductSummary>, sqlx::Error> {
    const BY_NAME: &str = "SELECT p.id, p.name, p.kind, p.status, p.expires_at, p.holder, p.blocked_at IS NOT NULL AS blocked, p.stage, p.transfer_state, p.auto_renew FROM products p \
        WHERE p.organization_id = $1 AND p.stage <> 'released' \
          AND ($2 = 0 OR EXISTS (SELECT 1 FROM product_reach a WHERE a.product_id = p.id AND a.user_id = $2)) \
          AND ($3 = '' OR lower(p.name) LIKE $3 ESCAPE '\\') \
          AND ($4 = '' OR p.kind = $4) AND ($5 = '' OR p.status = $5) \
          AND ($9 = 0 OR EXISTS (SELECT 1 FROM product_tags pt WHERE pt.product_id = p.id AND pt.tag_id = $9)) \
          AND (lower(p.name), p.id) > ($6, $7) \
        ORDER BY lower(p.name), p.id LIMIT $8";
    const BY_EXPIRY: &str = "SELECT p.id, p.name, p.kind, p.status, p.expires_at, p.holder, p.blocked_at IS NOT NULL AS blocked, p.stage, p.transfer_state, p.auto_renew FROM products p \
        WHERE p.organization_id = $1 AND p.stage <> 'released' \
          AND ($2 = 0 OR EXISTS (SELECT 1 FROM product_reach a WHERE a.product_id = p.id AND a.user_id = $2)) \
          AND ($3 = '' OR lower(p.name) LIKE $3 ESCAPE '\\') \
          AND ($4 = '' OR p.kind = $4) AND ($5 = '' OR p.status = $5) \
          AND ($9 = 0 OR EXISTS (SELECT 1 FROM product_tags pt WHERE pt.product_id = p.id AND pt.tag_id = $9)) \
          AND (COALESCE(p.expires_at, 9223372036854775807), p.id) > ($6, $7) \
        ORDER BY COALESCE(p.expires_at, 9223372036854775807), p.id LIMIT $8";
    let search = if filter.search.is_empty() {
        String::new()
    } else {
        like_pattern(&filter.search)
    };
    let kind = filter.kind.map(ProductKind::as_str).unwrap_or("");
    let status = filter.status.map(ProductStatus::as_str).unwrap_or("");
    let only_for = only_for.unwrap_or(0);
    let tag = filter.tag.unwrap_or(0);
    let rows: Vec<Row> = match filter.sort {
        ProductSort::Name => {
            let (key, id) = after.unwrap_or_default();
            fetch_all!(
                tx,
                BY_NAME,
                organization_id,
                only_for,
                &search,
                kind,
                status,
                &key,
                id,
                PAGE_SIZE + 1,
                tag
            )?
        }
        ProductSort::Expiry => {
            let (key, id) = after
                .map(|(k, id)| (k.parse::<i64>().unwrap_or(i64::MIN), id))
                .unwrap_or((i64::MIN, 0));
            fetch_all!(
                tx,
                BY_EXPIRY,
                organization_id,
                only_for,
                &search,
                kind,
                status,
                key,
                id,
                PAGE_SIZE + 1,
                tag
            )?
        }
    };
    let mut products = summaries(rows);
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    for (product_id, chip) in crate::tags::store::of_products(tx, &ids).await? {
        if let Some(product) = products.iter_mut().find(|p| p.id == product_id) {
            product.tags.push(chip);
        }
    }
    Ok(products)
}

/// What the overview lists (the products `only_for` can reach, all with `None`): those expired
/// or expiring before `until`, soonest first, or those whose management is blocked, by name;
/// at most `limit`, with the total count.
pub async fn needing_attention(
    tx: &mut Tx,
    organization_id: i64,
    only_for: Option<i64>,
    blocked: bool,
    until: i64,
    limit: i64,
) -> Result<(Vec<ProductSummary>, i64), sqlx::Error> {
    const REACH: &str = "p.organization_id = $1 AND p.stage <> 'released' \
        AND ($2 = 0 OR EXISTS (SELECT 1 FROM product_reach a WHERE a.product_id = p.id AND a.user_id = $2))";
    let condition = if blocked {
        "p.blocked_at IS NOT NULL AND $3 = $3"
    } else {
        "p.expires_at IS NOT NULL AND p.expires_at < $3"
    };
    let order = if blocked {
        "lower(p.name), p.id"
    } else {
        "p.expires_at, p.id"
    };
    let list = format!(
        "SELECT p.id, p.name, p.kind, p.status, p.expires_at, p.holder, p.blocked_at IS NOT NULL AS blocked, \
         p.stage, p.transfer_state, p.auto_renew FROM products p WHERE {REACH} AND {condition} ORDER BY {order} LIMIT $4"
    );
    let count = format!("SELECT COUNT(*) FROM products p WHERE {REACH} AND {condition}");
    let only_for = only_for.unwrap_or(0);
    let rows: Vec<Row> = fetch_all!(tx, &list, organization_id, only_for, until, limit)?;
    let total: i64 = scalar_one!(tx, &count, organization_id, only_for, until)?;
    Ok((summaries(rows), total))
}

/// The product, if it belongs to the organization (and, with `only_for`, that person was given
/// access to it).
pub async fn detail(
    tx: &mut Tx,
    organization_id: i64,
    only_for: Option<i64>,
    product_id: i64,
) -> Result<Option<ProductDetail>, sqlx::Error> {
    const SQL: &str = "SELECT p.id, p.name, p.kind, p.status, p.expires_at, p.holder, o.name AS payer, p.created_at, \
          p.blocked_at, CASE WHEN u.id IS NULL THEN NULL ELSE u.first_name || ' ' || u.last_name END AS blocked_by, \
          p.stage, p.transfer_state, p.holder_company, p.holder_street, p.holder_postal_code, \
          p.holder_city, p.holder_country, p.holder_email \
        FROM products p JOIN organizations o ON o.id = p.organization_id LEFT JOIN users u ON u.id = p.blocked_by \
        WHERE p.id = $1 AND p.organization_id = $2 AND p.stage <> 'released' \
          AND ($3 = 0 OR EXISTS (SELECT 1 FROM product_reach a WHERE a.product_id = p.id AND a.user_id = $3))";
    let row: Option<DetailRow> =
        fetch_optional!(tx, SQL, product_id, organization_id, only_for.unwrap_or(0))?;
    let Some(mut detail) = row.and_then(
        |DetailRow {
             id,
             name,
             kind,
             status,
             expires_at,
             holder,
             payer,
             created_at,
             blocked_at,
             blocked_by,
             stage,
             transfer_state: transfer,
             holder_company,
             holder_street,
             holder_postal_code,
             holder_city,
             holder_country,
             holder_email,
         }| {
            let holder_contact = super::Holder {
                name: holder.clone(),
                company: holder_company,
                street: holder_street,
                postal_code: holder_postal_code,
                city: holder_city,
                country: holder_country,
                email: holder_email,
            };
            Some(ProductDetail {
                holder_contact,
                can_manage: false,
                in_transfer: super::in_transfer(transfer.as_deref()),
                id,
                name,
                kind: ProductKind::parse(&kind)?,
                status: ProductStatus::parse(&status)?,
                expires_at,
                holder,
                payer,
                created_at,
                tags: Vec::new(),
                blocked_at,
                blocked_by,
                can_block: false,
                stage: DomainStage::parse(&stage)?,
                standing: None,
            })
        },
    ) else {
        return Ok(None);
    };
    detail.tags = crate::tags::store::of_products(tx, &[detail.id])
        .await?
        .into_iter()
        .map(|(_, chip)| chip)
        .collect();
    Ok(Some(detail))
}

pub struct NewProduct<'a> {
    pub organization_id: i64,
    pub kind: ProductKind,
    pub name: &'a str,
    pub status: ProductStatus,
    pub expires_at: Option<i64>,
    pub holder: &'a str,
    pub at: i64,
}

pub async fn insert(tx: &mut Tx, product: &NewProduct<'_>) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO products (organization_id, kind, name, status, expires_at, holder, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        product.organization_id,
        product.kind.as_str(),
        product.name,
        product.status.as_str(),
        product.expires_at,
        product.holder,
        product.at
    )
}

pub async fn grant_access(
    tx: &mut Tx,
    product_id: i64,
    user_id: i64,
    billing: bool,
    at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO product_access (product_id, user_id, billing, created_at) VALUES ($1, $2, $3, $4) \
                       ON CONFLICT (product_id, user_id) DO UPDATE SET billing = excluded.billing";
    affected!(tx, SQL, product_id, user_id, billing, at)?;
    Ok(())
}

/// Moves a product to another organization (PRD-8): what the giving organization decided for
/// it goes — its people's accesses, a block of its management, the billing address of its
/// renewals — and automatic renewal is off until the new payer turns it on. `false` when the
/// product is not the giving organization's (any more).
pub async fn move_to(
    tx: &mut Tx,
    from_organization_id: i64,
    product_id: i64,
    to_organization_id: i64,
) -> Result<bool, sqlx::Error> {
    const PRODUCT: &str = "UPDATE products SET organization_id = $3, auto_renew = FALSE, \
        billing_address_id = NULL, blocked_at = NULL, blocked_by = NULL \
        WHERE id = $2 AND organization_id = $1";
    const ACCESS: &str = "DELETE FROM product_access WHERE product_id = $1";
    if affected!(
        tx,
        PRODUCT,
        from_organization_id,
        product_id,
        to_organization_id
    )? != 1
    {
        return Ok(false);
    }
    exec!(tx, ACCESS, product_id)?;
    Ok(true)
}

/// Writes a product's holder (PRD-7): its name and contact.
pub async fn set_holder(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
    holder: &super::Holder,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE products SET holder = $3, holder_company = $4, holder_street = $5, \
        holder_postal_code = $6, holder_city = $7, holder_country = $8, holder_email = $9 \
        WHERE organization_id = $1 AND id = $2";
    exec!(
        tx,
        SQL,
        organization_id,
        product_id,
        &holder.name,
        &holder.company,
        &holder.street,
        &holder.postal_code,
        &holder.city,
        &holder.country,
        &holder.email
    )
}

/// Takes a person's access to a product away; `false` when they had none.
pub async fn revoke_access(
    tx: &mut Tx,
    product_id: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM product_access WHERE product_id = $1 AND user_id = $2";
    Ok(affected!(tx, SQL, product_id, user_id)? == 1)
}

/// One of the organization's products, with what a person was given of it: `billing` is
/// `None` without access, else whether with billing rights.
pub struct AccessRow {
    pub product_id: i64,
    pub name: String,
    pub kind: ProductKind,
    pub billing: Option<bool>,
}

/// Every product of the organization, with what this person was given of each (ORG-10).
pub async fn access_of(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
) -> Result<Vec<AccessRow>, sqlx::Error> {
    const SQL: &str = "SELECT p.id, p.name, p.kind, a.billing FROM products p \
        LEFT JOIN product_access a ON a.product_id = p.id AND a.user_id = $2 \
        WHERE p.organization_id = $1 ORDER BY lower(p.name), p.id";
    row! {
        struct Row {
            id: i64,
            name: String,
            kind: String,
            billing: Option<bool>,
        }
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, organization_id, user_id)?;
    Ok(crate::db::parsed("products", rows, |row| {
        Some(AccessRow {
            product_id: row.id,
            name: row.name,
            kind: ProductKind::parse(&row.kind)?,
            billing: row.billing,
        })
    }))
}

/// Blocks (`Some(at)`) or unblocks (`None`) the product's management.
pub async fn set_blocked(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
    blocked: Option<(i64, i64)>,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE products SET blocked_at = $3, blocked_by = $4 WHERE id = $1 AND organization_id = $2";
    affected!(
        tx,
        SQL,
        product_id,
        organization_id,
        blocked.map(|(at, _)| at),
        blocked.map(|(_, by)| by)
    )?;
    Ok(())
}

/// The currency the organization buys in: that of its latest order, francs before any.
pub async fn billing_currency(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<crate::money::Currency, sqlx::Error> {
    const SQL: &str =
        "SELECT currency FROM orders WHERE organization_id = $1 ORDER BY id DESC LIMIT 1";
    let code: Option<String> = scalar_optional!(tx, SQL, organization_id)?;
    Ok(code
        .and_then(|c| crate::money::Currency::parse(&c))
        .unwrap_or(crate::money::Currency::Chf))
}

/// The billing address chosen for a product's renewals (BIL-1); `None` for the default.
pub async fn renewal_address(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str =
        "SELECT billing_address_id FROM products WHERE organization_id = $1 AND id = $2";
    Ok(scalar_optional!(tx, SQL, organization_id, product_id)?.flatten())
}

/// Chooses the billing address of a product's renewals (`None`: the default).
pub async fn set_renewal_address(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
    address_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE products SET billing_address_id = $3 WHERE organization_id = $1 AND id = $2";
    exec!(tx, SQL, organization_id, product_id, address_id)
}

/// Whether the product renews itself at expiry (paid from the prepaid balance); `false` when the
/// organization has no such product.
pub async fn set_auto_renew(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
    on: bool,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE products SET auto_renew = $3 WHERE organization_id = $1 AND id = $2";
    let done = affected!(tx, SQL, organization_id, product_id, on)?;
    Ok(done == 1)
}
