//! My profile (ACC-3): first and last name, and a profile picture. The picture is uploaded as
//! the raw file to [`AVATAR_PATH`] (a plain POST, behind the same cross-site defence as every
//! state change); the server decodes it, crops it square, re-encodes it as a 256×256 PNG and
//! keeps only that. Anything that does not decode as PNG, JPEG or WebP is refused.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where my picture is uploaded (POST, the file as the body) and read (GET).
pub const AVATAR_PATH: &str = "/account/avatar";
/// The largest file accepted.
pub const AVATAR_MAX_BYTES: usize = 5 * 1024 * 1024;
/// The stored picture is this many pixels square.
pub const AVATAR_SIZE: u32 = 256;
/// Below this, the picture is accepted with a warning that it may look blurry.
pub const AVATAR_SHARP_MIN: u32 = 210;

/// The answer to an upload.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AvatarSaved {
    /// Changes with every upload, so the browser does not show a cached older picture.
    pub version: i64,
    pub warning: Option<String>,
}

#[server(endpoint = "change_my_name")]
pub async fn change_my_name(
    first_name: String,
    last_name: String,
    /// The version the page showed (a program may leave it out to overwrite).
    version: Option<i64>,
) -> Result<(), AppError> {
    crate::request::respond(server_side::change_name(first_name, last_name, version).await)
}

#[server(endpoint = "remove_my_avatar")]
pub async fn remove_my_avatar() -> Result<(), AppError> {
    crate::request::respond(server_side::remove_avatar().await)
}

/// Decodes an uploaded picture and makes the stored one: the centre square, 256×256, PNG.
/// Returns it with a warning when the upload is small enough to look blurry.
#[cfg(feature = "ssr")]
pub fn process_avatar(bytes: &[u8]) -> Result<(Vec<u8>, Option<String>), AppError> {
    use image::{ImageFormat, ImageReader, Limits};
    use std::io::Cursor;
    let not_an_image = || {
        AppError::validation(
            "avatar",
            "This file is not a PNG, JPEG or WebP image (or it is damaged). Choose another picture.",
        )
    };
    if bytes.len() > AVATAR_MAX_BYTES {
        return Err(AppError::validation(
            "avatar",
            "The picture is larger than 5 MB. Choose a smaller file.",
        ));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| not_an_image())?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)
    ) {
        return Err(not_an_image());
    }
    let mut reader = reader;
    // A small file can claim enormous dimensions: refuse before allocating for them.
    let mut limits = Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| not_an_image())?;
    let (width, height) = (image.width(), image.height());
    let warning = (width.min(height) < AVATAR_SHARP_MIN).then(|| {
        format!(
            "Your picture is only {width}×{height} pixels: it may look blurry. One of at least {AVATAR_SHARP_MIN}×{AVATAR_SHARP_MIN} looks sharp."
        )
    });
    let square = image.resize_to_fill(
        AVATAR_SIZE,
        AVATAR_SIZE,
        image::imageops::FilterType::Lanczos3,
    );
    let mut png = Vec::new();
    square
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| AppError::internal())?;
    Ok((png, warning))
}

#[cfg(feature = "ssr")]
pub mod store {
    use crate::db::Tx;
    use crate::on_db;

    pub async fn save(tx: &mut Tx, user_id: i64, png: &[u8], at: i64) -> Result<(), sqlx::Error> {
        const SQL: &str = "INSERT INTO avatars (user_id, image, updated_at) VALUES ($1, $2, $3) \
                           ON CONFLICT (user_id) DO UPDATE SET image = excluded.image, updated_at = excluded.updated_at";
        on_db!(tx, |c| sqlx::query(SQL)
            .bind(user_id)
            .bind(png)
            .bind(at)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn load(tx: &mut Tx, user_id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
        const SQL: &str = "SELECT image FROM avatars WHERE user_id = $1";
        on_db!(tx, |c| sqlx::query_scalar(SQL)
            .bind(user_id)
            .fetch_optional(&mut **c)
            .await)
    }

    pub async fn remove(tx: &mut Tx, user_id: i64) -> Result<bool, sqlx::Error> {
        const SQL: &str = "DELETE FROM avatars WHERE user_id = $1";
        let removed = on_db!(tx, |c| sqlx::query(SQL)
            .bind(user_id)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(removed == 1)
    }
}

/// The upload handler's work once the server crate has the body: who is calling (a signed-in
/// person; no program credential), then decode, store and log in one transaction.
#[cfg(feature = "ssr")]
pub async fn upload_avatar(
    state: &crate::state::AppState,
    headers: &http::HeaderMap,
    origin: &crate::request::Origin,
    bytes: Vec<u8>,
) -> Result<AvatarSaved, AppError> {
    use crate::activity::store::record_own;
    use crate::activity::ActivityAction;
    let account = crate::account::api::authenticate_request(
        state,
        headers,
        origin,
        crate::policy::Caller::InPerson,
    )
    .await?;
    // Decoding is CPU work: off the async threads.
    let (png, warning) = tokio::task::spawn_blocking(move || process_avatar(&bytes))
        .await
        .map_err(|_| AppError::internal())??;
    let now = state.now();
    let mut tx = state.db.write().await?;
    store::save(&mut tx, account.id, &png, now).await?;
    record_own(
        &mut tx,
        ActivityAction::AvatarChanged,
        account.id,
        "uploaded",
        origin,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(AvatarSaved {
        version: now,
        warning,
    })
}

/// My picture, for the GET of [`AVATAR_PATH`]; `None` when I have none.
#[cfg(feature = "ssr")]
pub async fn my_avatar(
    state: &crate::state::AppState,
    headers: &http::HeaderMap,
    origin: &crate::request::Origin,
) -> Result<Option<Vec<u8>>, AppError> {
    let account = crate::account::api::authenticate_request(
        state,
        headers,
        origin,
        crate::policy::Caller::Reader,
    )
    .await?;
    let mut tx = state.db.read().await?;
    let image = store::load(&mut tx, account.id).await?;
    tx.commit().await?;
    Ok(image)
}

#[cfg(feature = "ssr")]
mod server_side {
    use crate::account::api::authenticate_in_person;
    use crate::account::normalize_name;
    use crate::activity::store::record_own;
    use crate::activity::ActivityAction;
    use crate::error::{AppError, ErrorCode};
    use crate::on_db;
    use crate::request;

    pub async fn change_name(
        first_name: String,
        last_name: String,
        version: Option<i64>,
    ) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_in_person(&state).await?;
        let first_name = normalize_name("first_name", "first name", &first_name)?;
        let last_name = normalize_name("last_name", "last name", &last_name)?;
        if first_name == account.first_name && last_name == account.last_name {
            return Err(AppError::new(
                ErrorCode::Validation,
                "This is already your name.",
            ));
        }
        let now = state.now();
        let mut tx = state.db.write().await?;
        const SQL: &str =
            "UPDATE users SET first_name = $2, last_name = $3, version = version + 1 \
                           WHERE id = $1 AND ($4 IS NULL OR version = $4)";
        let changed = on_db!(&mut tx, |c| sqlx::query(SQL)
            .bind(account.id)
            .bind(&first_name)
            .bind(&last_name)
            .bind(version)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        if changed != 1 {
            return Err(AppError::stale());
        }
        let detail = format!("{} → {first_name} {last_name}", account.full_name());
        record_own(
            &mut tx,
            ActivityAction::ProfileChanged,
            account.id,
            &detail,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_avatar() -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_in_person(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        if !super::store::remove(&mut tx, account.id).await? {
            return Err(AppError::new(
                ErrorCode::Validation,
                "You have no profile picture.",
            ));
        }
        record_own(
            &mut tx,
            ActivityAction::AvatarChanged,
            account.id,
            "removed",
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};
    use std::io::Cursor;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(picture)
            .write_to(&mut Cursor::new(&mut bytes), format)
            .expect("encode");
        bytes
    }

    #[test]
    fn pictures_become_256_pixel_pngs() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let (png, warning) = process_avatar(&encoded(640, 480, format)).expect("accepted");
            assert!(warning.is_none());
            let stored = image::load_from_memory_with_format(&png, ImageFormat::Png).expect("png");
            assert_eq!((stored.width(), stored.height()), (256, 256), "{format:?}");
        }
    }

    #[test]
    fn a_small_picture_is_accepted_with_a_warning() {
        let (png, warning) =
            process_avatar(&encoded(180, 300, ImageFormat::Png)).expect("accepted");
        assert!(warning.unwrap_or_default().contains("180×300"));
        let stored = image::load_from_memory(&png).expect("png");
        assert_eq!(stored.width(), 256);
        assert!(process_avatar(&encoded(210, 210, ImageFormat::Png))
            .expect("ok")
            .1
            .is_none());
    }

    #[test]
    fn what_is_not_an_image_is_refused_clearly() {
        let refused = process_avatar(b"%PDF-1.7 this is a document").expect_err("refused");
        assert_eq!(refused.field.as_deref(), Some("avatar"));
        assert!(refused.message.contains("not a PNG, JPEG or WebP"));
        // A PNG signature with nothing sensible behind it.
        let mut broken = encoded(50, 50, ImageFormat::Png);
        broken.truncate(40);
        assert!(process_avatar(&broken).is_err());
        // A GIF decodes fine elsewhere, but is not among the accepted formats.
        assert!(process_avatar(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").is_err());
        let huge = vec![0u8; AVATAR_MAX_BYTES + 1];
        assert!(process_avatar(&huge)
            .expect_err("too big")
            .message
            .contains("5 MB"));
    }
}

/// Sends the chosen file to [`AVATAR_PATH`]; the server's refusal comes back as an [`AppError`].
#[cfg(feature = "hydrate")]
pub async fn send_avatar(file: web_sys::File) -> Result<AvatarSaved, AppError> {
    use crate::error::ErrorCode;
    let transport = |_| {
        AppError::new(
            ErrorCode::Transport,
            "The picture could not be sent. Check your connection and try again.",
        )
    };
    let content_type = file.type_();
    let response = gloo_net::http::Request::post(AVATAR_PATH)
        .header(
            "content-type",
            if content_type.is_empty() {
                "application/octet-stream"
            } else {
                &content_type
            },
        )
        .body(file)
        .map_err(transport)?
        .send()
        .await
        .map_err(transport)?;
    if response.ok() {
        response.json::<AvatarSaved>().await.map_err(transport)
    } else {
        Err(response
            .json::<AppError>()
            .await
            .unwrap_or_else(|_| AppError::internal()))
    }
}
