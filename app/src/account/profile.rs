//! My profile (ACC-3): first and last name, and a profile picture. The picture is uploaded as
//! the raw file to [`AVATAR_PATH`] (a plain POST, behind the same cross-site defence as every
//! state change); the server decodes it, crops it square, re-encodes it as a 256×256 PNG and
//! keeps only that. Anything that does not decode as PNG, JPEG or WebP is refused.

#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The largest file accepted.
pub const AVATAR_MAX_BYTES: usize = 5 * 1024 * 1024;
/// The stored picture is this many pixels square.
pub const AVATAR_SIZE: u32 = 256;
/// Below this, the picture is accepted with a warning that it may look blurry.
pub const AVATAR_SHARP_MIN: u32 = 210;
/// The largest picture decoded: 16 megapixels (a 4000×4000 square, a 4600×3450 photo) takes at
/// most 64 MB once decoded (4 bytes a pixel), so one decode stays within that.
pub const AVATAR_MAX_PIXELS: u64 = 16_000_000;
/// What one decode may allocate, whatever the file claims: 16 megapixels at 4 bytes, with room.
#[cfg(feature = "ssr")]
const AVATAR_MAX_ALLOC: u64 = 72 * 1024 * 1024;

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
    ChangeMyName::serve(|cx| async move {
        let account = cx.account()?;
        let first_name = normalize_name("first_name", "first name", &first_name)?;
        let last_name = normalize_name("last_name", "last name", &last_name)?;
        if first_name == account.first_name && last_name == account.last_name {
            return Err(AppError::new(
                ErrorCode::Validation,
                "This is already your name.",
            ));
        }
        let mut tx = cx.write().await?;
        if !super::store::set_name(&mut tx, account.id, &first_name, &last_name, version).await? {
            return Err(AppError::stale());
        }
        let detail = format!("{} → {first_name} {last_name}", account.full_name());
        cx.log(&mut tx, Log::own(ActivityAction::ProfileChanged, &detail))
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The time zone my times are shown in, and the ones I may choose.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TimeZoneChoice {
    /// The IANA name I chose; empty: my browser's.
    pub chosen: String,
    /// What my browser reports, when it has told the server.
    pub browser: Option<String>,
    /// The zone in use now, and the time there.
    pub in_use: String,
    pub now: String,
    /// Every zone of the database, sorted.
    pub names: Vec<String>,
}

#[server(endpoint = "my_time_zone")]
pub async fn my_time_zone() -> Result<TimeZoneChoice, AppError> {
    MyTimeZone::serve(|cx| async move {
        use crate::format::{Zone, BROWSER_ZONE_COOKIE};
        let account = cx.account()?;
        let headers = crate::request::parts()?.headers;
        let browser = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == BROWSER_ZONE_COOKIE)
            .map(|(_, value)| value.trim().to_owned())
            .filter(|name| Zone::named(name, cx.now()).is_some());
        let zone = crate::request::page_zone(&headers, Some(&account.time_zone), cx.now());
        Ok(self::TimeZoneChoice {
            chosen: account.time_zone.clone(),
            browser,
            in_use: zone.name.clone(),
            now: crate::format::datetime_in(cx.now(), &zone),
            names: Zone::names(),
        })
    })
    .await
}

/// Chooses the time zone of every time shown to me (`""`: my browser's).
#[server(endpoint = "set_my_time_zone")]
pub async fn set_my_time_zone(time_zone: String) -> Result<(), AppError> {
    SetMyTimeZone::serve(|cx| async move {
        let account = cx.account()?;
        let time_zone = time_zone.trim().to_owned();
        if !time_zone.is_empty() && crate::format::Zone::named(&time_zone, cx.now()).is_none() {
            return Err(AppError::validation(
                "time_zone",
                "Choose a time zone from the list, like Europe/Zurich.",
            ));
        }
        if time_zone == account.time_zone {
            return Ok(());
        }
        let mut tx = cx.write().await?;
        super::store::set_time_zone(&mut tx, account.id, &time_zone).await?;
        let detail = if time_zone.is_empty() {
            "Time zone: the browser's".to_owned()
        } else {
            format!("Time zone: {time_zone}")
        };
        cx.log(&mut tx, Log::own(ActivityAction::ProfileChanged, &detail))
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "remove_my_avatar")]
pub async fn remove_my_avatar() -> Result<(), AppError> {
    RemoveMyAvatar::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.write().await?;
        if !super::store::remove_avatar(&mut tx, account.id).await? {
            return Err(AppError::new(
                ErrorCode::Validation,
                "You have no profile picture.",
            ));
        }
        cx.log(&mut tx, Log::own(ActivityAction::AvatarChanged, "removed"))
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Decodes an uploaded picture and makes the stored one: the centre square, 256×256, PNG.
/// Returns it with a warning when the upload is small enough to look blurry.
#[cfg(feature = "ssr")]
pub fn process_avatar(bytes: &[u8]) -> Result<(Vec<u8>, Option<String>), AppError> {
    use image::{ImageDecoder, ImageFormat, ImageReader, Limits};
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
    let reader = || {
        let reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|_| not_an_image())?;
        if matches!(
            reader.format(),
            Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)
        ) {
            Ok(reader)
        } else {
            Err(not_an_image())
        }
    };
    // A small file can claim enormous dimensions: read them from the header first, and refuse
    // before allocating anything for the pixels.
    let (width, height) = reader()?.into_dimensions().map_err(|_| not_an_image())?;
    if u64::from(width) * u64::from(height) > AVATAR_MAX_PIXELS {
        return Err(AppError::validation(
            "avatar",
            format!(
                "This picture is {width}×{height} pixels; pictures of up to 16 megapixels (for example 4000×4000) are accepted. Scale it down or choose another."
            ),
        ));
    }
    // 16-bit colour takes twice the memory: what counts is the decoded size.
    let mut decoder = reader()?.into_decoder().map_err(|_| not_an_image())?;
    if decoder.total_bytes() > AVATAR_MAX_ALLOC {
        return Err(AppError::validation(
            "avatar",
            format!(
                "This picture ({width}×{height} pixels, 16-bit colour) needs too much memory to open. Save it with 8-bit colour or scale it down."
            ),
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(AVATAR_MAX_ALLOC);
    decoder.set_limits(limits).map_err(|_| not_an_image())?;
    let image = image::DynamicImage::from_decoder(decoder).map_err(|_| not_an_image())?;
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
    drop(image);
    let mut png = Vec::new();
    square
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| AppError::internal())?;
    Ok((png, warning))
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
    let account = crate::access::authentication::authenticate_request(
        state,
        headers,
        origin,
        crate::policy::Caller::InPerson,
    )
    .await?;
    // Decoding is CPU and memory work: on the bounded picture pool, off the async threads.
    let (png, warning) = state.pictures.run(move || process_avatar(&bytes)).await?;
    let now = state.now();
    let mut tx = state.db.write().await?;
    super::store::save_avatar(&mut tx, account.id, &png, now).await?;
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
    let account = crate::access::authentication::authenticate_request(
        state,
        headers,
        origin,
        crate::policy::Caller::Reader,
    )
    .await?;
    let mut tx = state.db.read().await?;
    let image = super::store::avatar(&mut tx, account.id).await?;
    tx.commit().await?;
    Ok(image)
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use crate::access::Log;

    pub(super) use crate::account::normalize_name;

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::error::ErrorCode;
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

    /// A PNG of a few dozen bytes whose header claims `width`×`height`, with no pixels behind.
    fn claimed_png(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
        // The header is read up to the first data chunk: an empty one, then the end.
        for chunk in [&b"IDAT"[..], &b"IEND"[..]] {
            png.extend_from_slice(&0u32.to_be_bytes());
            png.extend_from_slice(chunk);
            png.extend_from_slice(&crc32fast::hash(chunk).to_be_bytes());
        }
        png
    }

    #[test]
    fn a_picture_beyond_sixteen_megapixels_is_refused_before_decoding() {
        let refused = process_avatar(&claimed_png(8000, 8000)).expect_err("refused");
        assert_eq!(refused.field.as_deref(), Some("avatar"));
        assert!(refused.message.contains("8000×8000"), "{}", refused.message);
        assert!(refused.message.contains("16 megapixels"));
        // Within the limit, the same empty picture is refused as damaged, not as too large.
        let damaged = process_avatar(&claimed_png(4000, 4000)).expect_err("no pixels");
        assert!(damaged.message.contains("damaged"), "{}", damaged.message);
    }

    #[tokio::test]
    async fn the_decoder_answers_busy_beyond_its_queue() {
        let decoder = crate::workers::PictureDecoder::new(1, 1);
        let first = decoder.try_admit();
        let second = decoder.try_admit();
        assert!(first.is_ok() && second.is_ok());
        let refused = decoder
            .run(|| process_avatar(&encoded(64, 64, ImageFormat::Png)))
            .await;
        assert_eq!(
            refused.err().map(|e| e.code),
            Some(crate::error::ErrorCode::Busy)
        );
        drop((first, second));
        assert!(decoder
            .run(|| process_avatar(&encoded(64, 64, ImageFormat::Png)))
            .await
            .is_ok());
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
    let response = gloo_net::http::Request::post(crate::access::AVATAR_PATH)
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
