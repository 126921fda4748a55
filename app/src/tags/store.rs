//! SQL for tags. Every statement is scoped by organization; with `only_for`, by the products
//! that person can reach.

use super::{Colour, Tag, TagChip};
use crate::db::Tx;
use crate::db::{affected, fetch_all, fetch_optional, on_db, row, scalar_one};

pub async fn list(
    tx: &mut Tx,
    organization_id: i64,
    only_for: Option<i64>,
) -> Result<Vec<Tag>, sqlx::Error> {
    const SQL: &str = "SELECT t.id, t.name, t.colour, t.version, \
          (SELECT COUNT(*) FROM product_tags pt WHERE pt.tag_id = t.id \
             AND ($2 = 0 OR EXISTS (SELECT 1 FROM product_reach a WHERE a.product_id = pt.product_id AND a.user_id = $2))) \
          AS products \
        FROM tags t WHERE t.organization_id = $1 ORDER BY lower(t.name), t.id";
    row! {
        struct Row {
            id: i64,
            name: String,
            colour: String,
            version: i64,
            products: i64,
        }
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, organization_id, only_for.unwrap_or(0))?;
    Ok(crate::db::parsed(
        "tags",
        rows,
        |Row {
             id,
             name,
             colour,
             version,
             products,
         }| {
            Some(Tag {
                id,
                name,
                colour: Colour::parse(&colour)?,
                products,
                version,
            })
        },
    ))
}

/// The tag, if it belongs to the organization.
pub async fn find(
    tx: &mut Tx,
    organization_id: i64,
    tag_id: i64,
) -> Result<Option<TagChip>, sqlx::Error> {
    const SQL: &str = "SELECT id, name, colour FROM tags WHERE id = $1 AND organization_id = $2";
    let row: Option<(i64, String, String)> = fetch_optional!(tx, SQL, tag_id, organization_id)?;
    Ok(row.and_then(|(id, name, colour)| {
        Some(TagChip {
            id,
            name,
            colour: Colour::parse(&colour)?,
        })
    }))
}

/// Whether another tag of the organization already has this name (whatever the case).
pub async fn name_taken(
    tx: &mut Tx,
    organization_id: i64,
    name: &str,
    except: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM tags WHERE organization_id = $1 AND lower(name) = lower($2) AND id <> $3";
    let n: i64 = scalar_one!(tx, SQL, organization_id, name, except)?;
    Ok(n > 0)
}

pub async fn insert(
    tx: &mut Tx,
    organization_id: i64,
    name: &str,
    colour: Colour,
    at: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO tags (organization_id, name, colour, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    scalar_one!(tx, SQL, organization_id, name, colour.as_str(), at)
}

pub async fn update(
    tx: &mut Tx,
    organization_id: i64,
    tag_id: i64,
    name: &str,
    colour: Colour,
    version: Option<i64>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE tags SET name = $3, colour = $4, version = version + 1 \
                       WHERE id = $1 AND organization_id = $2 AND (CAST($5 AS BIGINT) IS NULL OR version = $5)";
    let n = affected!(
        tx,
        SQL,
        tag_id,
        organization_id,
        name,
        colour.as_str(),
        version
    )?;
    Ok(n == 1)
}

pub async fn delete(tx: &mut Tx, organization_id: i64, tag_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM tags WHERE id = $1 AND organization_id = $2";
    affected!(tx, SQL, tag_id, organization_id)?;
    Ok(())
}

/// Puts the tag on the products (already on: unchanged); returns how many got it now.
pub async fn attach(tx: &mut Tx, tag_id: i64, product_ids: &[i64]) -> Result<u64, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO product_tags (product_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    let mut n = 0;
    for id in product_ids {
        n += affected!(tx, SQL, id, tag_id)?;
    }
    Ok(n)
}

pub async fn detach(tx: &mut Tx, tag_id: i64, product_ids: &[i64]) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM product_tags WHERE product_id = $1 AND tag_id = $2";
    let mut n = 0;
    for id in product_ids {
        n += affected!(tx, SQL, id, tag_id)?;
    }
    Ok(n)
}

/// The tags of each of these products, as `(product id, tag)`: one statement for the list
/// (the products page asks for a page of products at a time).
pub async fn of_products(
    tx: &mut Tx,
    product_ids: &[i64],
) -> Result<Vec<(i64, TagChip)>, sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT pt.product_id, t.id, t.name, t.colour FROM product_tags pt JOIN tags t ON t.id = pt.tag_id \
         WHERE pt.product_id IN ({}) ORDER BY pt.product_id, lower(t.name), t.id",
        crate::db::in_list(product_ids.len())
    );
    let rows: Vec<(i64, i64, String, String)> = on_db!(tx, |c| {
        let mut query = sqlx::query_as(&sql);
        for id in product_ids {
            query = query.bind(*id);
        }
        query.fetch_all(&mut **c).await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(product_id, tag_id, name, colour)| {
            let colour = Colour::parse(&colour)?;
            Some((
                product_id,
                TagChip {
                    id: tag_id,
                    name,
                    colour,
                },
            ))
        })
        .collect())
}

/// Takes every tag off a product (it leaves the organization whose tags they are, PRD-8);
/// how many.
pub async fn detach_all(tx: &mut Tx, product_id: i64) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM product_tags WHERE product_id = $1";
    affected!(tx, SQL, product_id)
}
